package org.xenoservice.peer.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.xenoservice.bundle.BlobKey;
import org.xenoservice.bundle.BlobStore;

/**
 * Keeps the stored bytes of hot, small blobs in memory, so that a flood of requests for a site's
 * pages and icons is answered without touching the disk and without leaving Undertow's I/O
 * thread. Blobs are content-addressed, so an entry is never stale: a new site version with
 * changed files names new blobs, and the old ones age out. An entry is keyed by the store it was
 * read from as well as by its blob, since each site keeps its own blobs: one site's cached bytes
 * are never served for another's blob of the same name.
 *
 * <p>The cache is bounded by the sum of the blobs' sizes ({@link #DEFAULT_MAX_BYTES} by
 * default) and holds only blobs of at most {@link #DEFAULT_MAX_BLOB_BYTES} each; bigger blobs are
 * streamed from their file on every request. One cache may serve many {@link SiteHandler}s and
 * sites; it is safe for concurrent use.
 *
 * <pre>{@code
 * BlobCache cache = BlobCache.builder().maxBytes(256L << 20).build();
 * }</pre>
 */
public final class BlobCache {
    /** The default bound on the bytes held: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** The default size of the largest blob held: 256 KiB. */
    public static final long DEFAULT_MAX_BLOB_BYTES = 256L << 10;
    /** A blob is held in one array. */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private final long maxBytes;
    private final long maxBlobBytes;
    private final Cache<Held, ByteBuffer> blobs;

    private BlobCache(Builder builder) {
        this.maxBytes = builder.maxBytes;
        this.maxBlobBytes = builder.maxBlobBytes;
        this.blobs = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Held key, ByteBuffer bytes) -> bytes.capacity())
                .build();
    }

    /** A cache with the default bounds. */
    public static BlobCache withDefaults() {
        return builder().build();
    }

    /** Starts configuring a cache. */
    public static Builder builder() {
        return new Builder();
    }

    /** The bound on the bytes held. */
    public long maxBytes() {
        return maxBytes;
    }

    /** The size of the largest blob held. */
    public long maxBlobBytes() {
        return maxBlobBytes;
    }

    /** The bytes held now, for status pages; eviction may lag behind briefly. */
    public long cachedBytes() {
        return blobs.policy()
                .eviction()
                .map(eviction -> eviction.weightedSize().orElse(0))
                .orElse(0L);
    }

    /** Whether a blob of this stored size is held once read. */
    boolean admits(long storedSize) {
        return storedSize <= maxBlobBytes;
    }

    /** The blob's stored bytes if they are held: a read-only view of its own, positioned at 0. */
    Optional<ByteBuffer> ifPresent(BlobStore store, BlobKey key, long storedSize) {
        return Optional.ofNullable(blobs.getIfPresent(new Held(store.root(), key, storedSize)))
                .map(ByteBuffer::duplicate);
    }

    /** Whether the blob is held (for tests). */
    boolean contains(BlobStore store, BlobKey key, long storedSize) {
        return blobs.getIfPresent(new Held(store.root(), key, storedSize)) != null;
    }

    /**
     * The blob's stored bytes, read from {@code store} and held when they are not yet; the caller
     * checks {@link #admits} first. Concurrent loads of one blob read its file once.
     *
     * @throws IOException if the blob is missing or not {@code storedSize} bytes long
     */
    ByteBuffer load(BlobStore store, BlobKey key, long storedSize) throws IOException {
        if (!admits(storedSize)) {
            throw new IllegalArgumentException("blob " + key + " of " + storedSize + " bytes is over maxBlobBytes "
                    + maxBlobBytes + "; stream it instead");
        }
        try {
            return blobs.get(new Held(store.root(), key, storedSize), missing -> {
                        try {
                            return read(store, key, storedSize);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .duplicate();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Reads a blob into direct memory: the socket writes it with no copy, as a file server sends
     * from the page cache. Read-only, so that views handed out cannot change it.
     */
    private static ByteBuffer read(BlobStore store, BlobKey key, long storedSize) throws IOException {
        Path path = store.file(key)
                .orElseThrow(() -> new NoSuchFileException("blob " + key + " is not in the store " + store.root()));
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size != storedSize) {
                throw new IOException("blob " + path + " has " + size + " bytes, the manifest says " + storedSize);
            }
            ByteBuffer bytes = ByteBuffer.allocateDirect((int) size);
            while (bytes.hasRemaining()) {
                if (channel.read(bytes) < 0) {
                    throw new IOException(
                            "blob " + path + " ended after " + bytes.position() + " of " + size + " bytes");
                }
            }
            bytes.flip();
            return bytes.asReadOnlyBuffer();
        }
    }

    /**
     * What an entry is keyed by: the store (each site has its own), the blob and its size. A gzip
     * blob's name digests what it decodes to, not its own bytes, so only the store tells two sites'
     * copies apart; the size keeps a Content-Length from ever meeting other bytes.
     */
    private record Held(Path store, BlobKey key, long storedSize) {}

    /** Configures a {@link BlobCache}. Not thread-safe. */
    public static final class Builder {
        private long maxBytes = DEFAULT_MAX_BYTES;
        private long maxBlobBytes = DEFAULT_MAX_BLOB_BYTES;

        private Builder() {}

        /** The bound on the bytes held; {@link #DEFAULT_MAX_BYTES} by default (0, with {@code maxBlobBytes(0)}, holds nothing). */
        public Builder maxBytes(long maxBytes) {
            if (maxBytes < 0) {
                throw new IllegalArgumentException("maxBytes must be at least 0, but was " + maxBytes);
            }
            this.maxBytes = maxBytes;
            return this;
        }

        /** The size of the largest blob held; {@link #DEFAULT_MAX_BLOB_BYTES} by default. */
        public Builder maxBlobBytes(long maxBlobBytes) {
            if (maxBlobBytes < 0 || maxBlobBytes > MAX_ARRAY_BYTES) {
                throw new IllegalArgumentException(
                        "maxBlobBytes must be between 0 and " + MAX_ARRAY_BYTES + ", but was " + maxBlobBytes);
            }
            this.maxBlobBytes = maxBlobBytes;
            return this;
        }

        /**
         * Builds the cache.
         *
         * @throws IllegalArgumentException if maxBlobBytes is over maxBytes
         */
        public BlobCache build() {
            if (maxBlobBytes > maxBytes) {
                throw new IllegalArgumentException("maxBlobBytes (" + maxBlobBytes + ") must not exceed maxBytes ("
                        + maxBytes + "); lower maxBlobBytes or raise maxBytes");
            }
            return new BlobCache(this);
        }
    }
}
