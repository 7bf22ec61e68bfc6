package org.xenoservice.client;

import java.util.Objects;

/**
 * What {@link PeerClient#push} did.
 *
 * @param site the site pushed
 * @param version the bundle's version, now staged on the peer
 * @param manifestSha256 the SHA-256 of its manifest, as the peer computed it
 * @param blobsSent the blobs uploaded: those the peer lacked
 * @param blobsSkipped the manifest's blobs the peer already held, which were not sent
 * @param bytesSent the size of the (thin) bundle uploaded
 * @param activated whether the version was activated (is being served)
 */
public record PushResult(
        String site,
        long version,
        String manifestSha256,
        int blobsSent,
        int blobsSkipped,
        long bytesSent,
        boolean activated) {
    /** Checks nothing is null. */
    public PushResult {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(manifestSha256, "manifestSha256");
    }
}
