package org.xenoservice.replicate;

/** Where one peer stands with the site, as the {@link Replicator} sees it. */
public enum ReplicaState {
    /** Nothing known yet: no push has finished. */
    NEW,
    /** A push of the current bundle is under way (not served yet). */
    STAGING,
    /** The peer holds the current bundle, ready to serve it at once. */
    STAGED,
    /** The peer is being told to serve the current version and asked to confirm. */
    ACTIVATING,
    /** The peer confirmed it serves the current version; its addresses are about to enter DNS. */
    SERVING,
    /** The peer serves the site and its addresses are in the site's DNS name. */
    IN_DNS,
    /** The peer left DNS and keeps serving for twice the TTL, for clients holding cached answers. */
    DRAINING,
    /** The peer is being told to stop serving. */
    RETIRING,
    /** The last call to the peer failed; it is skipped until its next attempt. */
    FAILED
}
