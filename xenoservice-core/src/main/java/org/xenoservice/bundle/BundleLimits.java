package org.xenoservice.bundle;

/**
 * Limits a {@link BundleReader} enforces while it streams an untrusted bundle, so that no bundle
 * can exhaust a peer's disk, memory or CPU. Exceeding one rejects the bundle with
 * {@link BundleException.Rule#LIMIT}. Start from {@link #DEFAULTS} and change what you need:
 *
 * <pre>{@code
 * BundleLimits limits = BundleLimits.DEFAULTS.withMaxBundleBytes(256L << 20);
 * }</pre>
 *
 * @param maxBundleBytes most bytes of tar (after removing an outer gzip) a bundle may have
 * @param maxEntries most tar entries (manifest, signature and blobs) and most manifest files
 * @param maxBlobBytes largest identity size of one file
 * @param maxManifestBytes largest {@code manifest.json}
 * @param maxGzipRatio largest ratio of decompressed to compressed bytes, for gzip-stored blobs
 *     and for an outer gzip layer
 */
public record BundleLimits(
        long maxBundleBytes, int maxEntries, long maxBlobBytes, long maxManifestBytes, int maxGzipRatio) {

    /** Default for {@link #maxBundleBytes()}: 4 GiB. */
    public static final long DEFAULT_MAX_BUNDLE_BYTES = 4L << 30;
    /** Default for {@link #maxEntries()}: 200,000. */
    public static final int DEFAULT_MAX_ENTRIES = 200_000;
    /** Default for {@link #maxBlobBytes()}: 1 GiB. */
    public static final long DEFAULT_MAX_BLOB_BYTES = 1L << 30;
    /** Default for {@link #maxManifestBytes()}: 64 MiB, enough for about 250,000 files. */
    public static final long DEFAULT_MAX_MANIFEST_BYTES = 64L << 20;
    /** Default for {@link #maxGzipRatio()}: 200 (text rarely exceeds 20; deflate's ceiling is about 1,032). */
    public static final int DEFAULT_MAX_GZIP_RATIO = 200;

    /** The defaults, fit for a small or medium site. */
    public static final BundleLimits DEFAULTS = new BundleLimits(
            DEFAULT_MAX_BUNDLE_BYTES,
            DEFAULT_MAX_ENTRIES,
            DEFAULT_MAX_BLOB_BYTES,
            DEFAULT_MAX_MANIFEST_BYTES,
            DEFAULT_MAX_GZIP_RATIO);

    /** Checks every limit is positive. */
    public BundleLimits {
        requirePositive("maxBundleBytes", maxBundleBytes);
        requirePositive("maxEntries", maxEntries);
        requirePositive("maxBlobBytes", maxBlobBytes);
        requirePositive("maxManifestBytes", maxManifestBytes);
        if (maxGzipRatio < 2) {
            throw new IllegalArgumentException("maxGzipRatio must be at least 2, but was " + maxGzipRatio);
        }
    }

    /** A copy with another {@link #maxBundleBytes()}. */
    public BundleLimits withMaxBundleBytes(long value) {
        return new BundleLimits(value, maxEntries, maxBlobBytes, maxManifestBytes, maxGzipRatio);
    }

    /** A copy with another {@link #maxEntries()}. */
    public BundleLimits withMaxEntries(int value) {
        return new BundleLimits(maxBundleBytes, value, maxBlobBytes, maxManifestBytes, maxGzipRatio);
    }

    /** A copy with another {@link #maxBlobBytes()}. */
    public BundleLimits withMaxBlobBytes(long value) {
        return new BundleLimits(maxBundleBytes, maxEntries, value, maxManifestBytes, maxGzipRatio);
    }

    /** A copy with another {@link #maxManifestBytes()}. */
    public BundleLimits withMaxManifestBytes(long value) {
        return new BundleLimits(maxBundleBytes, maxEntries, maxBlobBytes, value, maxGzipRatio);
    }

    /** A copy with another {@link #maxGzipRatio()}. */
    public BundleLimits withMaxGzipRatio(int value) {
        return new BundleLimits(maxBundleBytes, maxEntries, maxBlobBytes, maxManifestBytes, value);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be greater than 0, but was " + value);
        }
    }
}
