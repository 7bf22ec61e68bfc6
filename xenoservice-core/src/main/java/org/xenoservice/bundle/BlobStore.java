package org.xenoservice.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A content-addressed directory of blobs. A blob lives at {@code blobs/ab/abcd…} (identity) or
 * {@code blobs/ab/abcd….gz} (gzip), a name the store computes from its {@link BlobKey}, never a
 * name taken from an archive. Blobs arrive through a {@link Staging}: written to {@code tmp/},
 * then moved into place only when the whole bundle verified, so that a rejected bundle leaves
 * nothing behind.
 *
 * <p>Safe for concurrent use within one process; one process should own a store directory
 * (leftover temporary files are removed when the store is opened).
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
}
