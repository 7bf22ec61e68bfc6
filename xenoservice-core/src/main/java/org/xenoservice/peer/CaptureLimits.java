package org.xenoservice.peer;

/**
 * How fast a peer takes captured requests for one site, so that a flood of orders cannot fill the
 * peer's disk or the origin's queue faster than the site's operator allowed: at most
 * {@code requestsPerSecond} requests and {@code bytesPerSecond} body bytes per second, with a burst
 * of one second's worth (and at least one request of the largest size). Beyond it the peer answers
 * {@code 429} with {@code Retry-After}. What is journalled also counts toward the site's
 * {@link org.xenoservice.protocol.SiteQuota#maxStoredBytes() storage quota}.
 *
 * @param requestsPerSecond captured requests per second, more than 0
 * @param bytesPerSecond captured body bytes per second, at least 1
 */
public record CaptureLimits(double requestsPerSecond, long bytesPerSecond) {
    /**
     * 20 requests and 1 MiB per second per site: ample for a shop's orders during a flood, and at most
     * 3.5 GB a day of journal, which the storage quota cuts far shorter.
     */
    public static final CaptureLimits DEFAULT = new CaptureLimits(20, 1L << 20);

    /** Checks the values. */
    public CaptureLimits {
        if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException(
                    "capture requestsPerSecond must be a positive number, but was " + requestsPerSecond);
        }
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("capture bytesPerSecond must be at least 1, but was " + bytesPerSecond);
        }
    }
}
