package org.xenoservice.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A content-addressed directory of blobs. A blob lives at {@code blobs/ab/abcd…} (identity) or
 * {@code blobs/ab/abcd….gz} (gzip), a name the store computes from its {@link BlobKey}, never a
 * name taken from an archive. Blobs arrive through a {@link Staging}: written to {@code tmp/},
 * then moved into place only when the whole bundle verified, so that a rejected bundle leaves
 * nothing behind.
 *
 * <p>A store trusts nothing about a blob but its name: it keeps the first copy of a key it
 * receives. A gzip blob is only known to decode to the identity bytes its name digests, so two
 * uploads of one key may hold different bytes; a peer therefore gives each tenant its own
 * {@link #namespace namespace}, so that the bytes served for a site are always ones that site's
 * own signed bundle carried, never another tenant's.
 *
 * <p>Safe for concurrent use within one process; one process should own a store directory
 * (leftover temporary files are removed when the store is opened). {@link #collect} must not run
 * while a {@link Staging} of the same store commits: the caller serialises them (a peer does so per
 * site).
 */
public final class BlobStore {
    private final Path root;
    private final Path blobs;
    private final Path tmp;
    private final boolean durable;

    private BlobStore(Path root, boolean durable) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.blobs = this.root.resolve("blobs");
        this.tmp = this.root.resolve("tmp");
        this.durable = durable;
        Files.createDirectories(blobs);
        Files.createDirectories(tmp);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /**
     * Opens (creating when needed) a store whose blobs are flushed to disk before they are moved
     * into place, so that a blob that exists is whole after a crash.
     */
    public static BlobStore open(Path directory) throws IOException {
        return new BlobStore(directory, true);
    }

    /** Opens a scratch store that does not flush to disk: for tools and tests, not for a peer. */
    public static BlobStore openUnsynced(Path directory) throws IOException {
        return new BlobStore(directory, false);
    }

    /**
     * A store of its own under this one's directory, {@code sites/<name>/}, opened (and its leftover
     * temporary files removed) now: a peer keeps each site's blobs apart in one.
     *
     * @param name a host name: lower-case letters, digits, dots and hyphens, not starting with a dot
     * @throws IllegalArgumentException if the name could leave the directory
     */
    public BlobStore namespace(String name) throws IOException {
        if (!name.matches("[a-z0-9][a-z0-9.-]{0,252}") || name.contains("..")) {
            throw new IllegalArgumentException(
                    "a namespace is a lower-case host name (letters, digits, dots, hyphens), was \""
                            + ManifestCodec.printable(name) + "\"");
        }
        return new BlobStore(root.resolve("sites").resolve(name), durable);
    }

    /**
     * The bytes this store's files take (blobs and temporary files being written), not counting
     * {@linkplain #namespace namespaces} under it. Walks the directory: for control calls and
     * status, not for the request path.
     */
    public long bytesOnDisk() throws IOException {
        return sizeOf(blobs) + sizeOf(tmp);
    }

    /**
     * Deletes every blob not in {@code keep}: blobs that no kept manifest refers to. The caller makes
     * sure that no staging of this store commits meanwhile.
     *
     * @return the bytes freed
     */
    public long collect(Set<BlobKey> keep) throws IOException {
        Set<String> kept = new HashSet<>();
        for (BlobKey key : keep) {
            kept.add(key.toString());
        }
        long freed = 0;
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(blobs)) {
            for (Path prefix : prefixes) {
                if (!Files.isDirectory(prefix, LinkOption.NOFOLLOW_LINKS)) {
                    freed += delete(prefix);
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                    for (Path file : files) {
                        if (!kept.contains(file.getFileName().toString())) {
                            freed += delete(file);
                        }
                    }
                }
            }
        }
        return freed;
    }

    private static long delete(Path file) throws IOException {
        long size = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : 0;
        return Files.deleteIfExists(file) ? size : 0;
    }

    private static long sizeOf(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(file -> {
                        try {
                            return Files.size(file);
                        } catch (IOException gone) {
                            return 0; // deleted while walking: it takes no room any more
                        }
                    })
                    .sum();
        }
    }

    /** The store's directory. */
    public Path root() {
        return root;
    }

    /** True if the blob is stored. */
    public boolean contains(BlobKey key) {
        return Files.isRegularFile(pathOf(key));
    }

    /** The keys among {@code keys} that are not stored, in their order. */
    public Set<BlobKey> missing(Collection<BlobKey> keys) {
        Set<BlobKey> missing = new LinkedHashSet<>();
        for (BlobKey key : keys) {
            if (!contains(key)) {
                missing.add(key);
            }
        }
        return missing;
    }

    /** The file holding a stored blob, e.g. to send it with zero-copy I/O. */
    public Optional<Path> file(BlobKey key) {
        Path path = pathOf(key);
        return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
    }

    /** Opens a stored blob's bytes, as stored (gzip blobs stay compressed). */
    public InputStream open(BlobKey key) throws IOException {
        return Files.newInputStream(pathOf(key));
    }

    /**
     * Opens a stored file's identity bytes as a stream: a gzip blob is decoded as it is read, one
     * buffer at a time, never whole in memory. The stream yields exactly the {@link ManifestFile#size()
     * size} the signed manifest declares and fails with an {@link IOException} as soon as the blob
     * would decode to more (a decompression bomb), or at its end if to fewer, so that a reader never
     * sends or holds more than the manifest promised.
     */
    public InputStream openIdentity(ManifestFile file) throws IOException {
        InputStream stored = open(file.blob());
        try {
            InputStream decoded = file.encoding() == Encoding.GZIP ? new StrictGzipInputStream(stored) : stored;
            return new DeclaredSizeInputStream(decoded, file.size(), file.blob().toString());
        } catch (IOException | RuntimeException e) {
            stored.close();
            throw e;
        }
    }

    /**
     * Flushes a directory's entries to disk (on Linux, fsync of the directory), so that files moved
     * into it survive a crash. Where the platform cannot open a directory this way, the rename is
     * left to the file system's own ordering.
     */
    static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
            // e.g. Windows cannot open a directory as a channel; nothing more can be done portably
        }
    }

    /**
     * Stores bytes the caller produced or verified itself as {@code key} (written to a temporary
     * file, flushed, then moved into place; a blob already stored is kept). For a peer moving
     * verified blobs between layouts; bundles go through {@link BundleReader}, which verifies.
     */
    public void write(BlobKey key, BlobWriter writer) throws IOException {
        try (Staging staging = stage()) {
            StagedBlob blob = staging.newBlob();
            try (blob) {
                writer.writeTo(blob);
            }
            staging.accept(blob, key);
            staging.commit();
        }
    }

    /** Writes a blob's bytes to the stream it is given, for {@link #write}. */
    @FunctionalInterface
    public interface BlobWriter {
        /** Writes every byte of the blob; the store closes the stream. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** Starts a staging area for the blobs of one bundle; close it to discard what was not committed. */
    Staging stage() {
        return new Staging();
    }

    private Path pathOf(BlobKey key) {
        return blobs.resolve(key.sha256().substring(0, 2)).resolve(key.toString());
    }

    /**
     * Blobs of one bundle, written to temporary files and moved into place together by
     * {@link #commit()}. Used from one thread.
     */
    final class Staging implements AutoCloseable {
        private final List<Path> temporaries = new ArrayList<>();
        private final Map<Path, BlobKey> accepted = new LinkedHashMap<>();

        /** Creates a new temporary file and an output stream on it. */
        StagedBlob newBlob() throws IOException {
            Path file = tmp.resolve(UUID.randomUUID() + ".part");
            temporaries.add(file);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            return new StagedBlob(file, channel);
        }

        /** Records that a staged file holds {@code key}, once it verified. */
        void accept(StagedBlob blob, BlobKey key) {
            accepted.put(blob.file, key);
        }

        /** Moves every accepted blob into place; blobs already stored are kept as they are. */
        void commit() throws IOException {
            Set<Path> touched = new LinkedHashSet<>();
            for (Map.Entry<Path, BlobKey> entry : accepted.entrySet()) {
                Path staged = entry.getKey();
                Path target = pathOf(entry.getValue());
                Files.createDirectories(target.getParent());
                if (Files.exists(target)) {
                    continue;
                }
                try {
                    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
                    touched.add(target.getParent());
                } catch (FileAlreadyExistsException raced) {
                    // another bundle stored the same content meanwhile: same bytes, keep either
                }
            }
            if (durable) {
                // a rename is durable only once its directory is: flush each directory that gained a blob
                for (Path directory : touched) {
                    forceDirectory(directory);
                }
            }
        }

        /** Deletes whatever was not moved into place. */
        @Override
        public void close() throws IOException {
            IOException first = null;
            for (Path staged : temporaries) {
                try {
                    Files.deleteIfExists(staged);
                } catch (IOException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            temporaries.clear();
            if (first != null) {
                throw first;
            }
        }
    }

    /** A temporary file being written; closing it flushes it to disk in a durable store. */
    final class StagedBlob extends OutputStream {
        private final Path file;
        private final FileChannel channel;
        private final OutputStream out;

        StagedBlob(Path file, FileChannel channel) {
            this.file = file;
            this.channel = channel;
            this.out = java.nio.channels.Channels.newOutputStream(channel);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            if (channel.isOpen()) {
                if (durable) {
                    channel.force(false);
                }
                channel.close();
            }
        }
    }

    /** Yields exactly the declared number of bytes of a decoded blob, or fails. */
    private static final class DeclaredSizeInputStream extends InputStream {
        private final InputStream in;
        private final long declared;
        private final String name;
        private long count;

        DeclaredSizeInputStream(InputStream in, long declared, String name) {
            this.in = in;
            this.declared = declared;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (count == declared) {
                // one more read must find the end: a blob that decodes to more is refused
                if (in.read() >= 0) {
                    throw new IOException(
                            "blob " + name + " decodes to more than the " + declared + " bytes its manifest declares");
                }
                return -1;
            }
            int n = in.read(buffer, offset, (int) Math.min(length, declared - count));
            if (n < 0) {
                throw new java.io.EOFException(
                        "blob " + name + " decodes to " + count + " bytes, its manifest declares " + declared);
            }
            count += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
