package org.xenoservice.replicate;

/** What the {@link Replicator} is doing for the site as a whole. */
public enum ReplicationPhase {
    /** No flood: peers are kept staged with the current bundle. */
    CALM,
    /** A flood: peers are activated in waves and added to DNS. */
    DEFENDING,
    /** The detector is NORMAL again; waiting out the cool-down before withdrawing. */
    COOLING,
    /** Peers left DNS and keep serving for twice the TTL before they are retired. */
    DRAINING
}
