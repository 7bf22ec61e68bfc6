package org.xenoservice.protocol;

import java.util.Objects;

/**
 * A bundle a peer accepted and staged (received and verified, not yet served): the answer to the
 * control port's {@code bundle} call, written by the peer and read by the origin's client with
 * {@link ControlCodec} ({@link org.xenoservice.client.PeerClient#upload} returns it).
 *
 * @param site the site
 * @param version the bundle's version
 * @param manifestSha256 the SHA-256 of its manifest
 */
public record StagedBundle(String site, long version, String manifestSha256) {
    /** Checks nothing is null. */
    public StagedBundle {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(manifestSha256, "manifestSha256");
    }
}
