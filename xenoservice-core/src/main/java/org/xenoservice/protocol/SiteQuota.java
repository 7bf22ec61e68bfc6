package org.xenoservice.protocol;

/**
 * What one site may use on a peer, so that one tenant cannot starve the others.
 *
 * @param maxStoredBytes bytes of blobs the site may keep on the peer
 * @param requestsPerSecond requests per second the serving port answers for the site; above it,
 *     429 (a burst of one second's worth is allowed)
 * @param bandwidthShare the site's share of the peer's outgoing bandwidth, 0 to 1; enforced (the
 *     bytes the site sends are paced to it) when the peer is given its bandwidth
 *     ({@code bandwidth-bytes-per-second})
 */
public record SiteQuota(long maxStoredBytes, double requestsPerSecond, double bandwidthShare) {
    /** 1 GiB, 1,000 requests per second, a full share: a generous default for one small site. */
    public static final SiteQuota DEFAULT = new SiteQuota(1L << 30, 1_000, 1.0);

    /** Checks the values. */
    public SiteQuota {
        if (maxStoredBytes < 1) {
            throw new IllegalArgumentException("maxStoredBytes must be positive, but was " + maxStoredBytes);
        }
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("requestsPerSecond must be positive, but was " + requestsPerSecond);
        }
        if (!(bandwidthShare > 0 && bandwidthShare <= 1)) {
            throw new IllegalArgumentException("bandwidthShare must be in (0, 1], but was " + bandwidthShare);
        }
    }
}
