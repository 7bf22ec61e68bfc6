package org.xenoservice.benchmarks;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The files of a {@link MixedTree} as they are written: each path is claimed once, each written
 * file is counted and gets a modification time fixed by its order, and the files that may be copied
 * as duplicates are remembered. It exists so that the file generators share one record of what the
 * tree holds.
 */
final class TreeFiles {
    private static final Instant BASE_MTIME = Instant.parse("2024-01-01T00:00:00Z");
    private static final int CHUNK_BYTES = 1 << 20;

    private final Path root;
    private final Set<String> written = new HashSet<>();
    private final List<String> copyable = new ArrayList<>();
    private int count;
    private long bytes;

    TreeFiles(Path root) {
        this.root = root;
    }

    /** How many files were written. */
    int count() {
        return count;
    }

    /** The sum of the written files' sizes. */
    long bytes() {
        return bytes;
    }

    /** Claims a path; false if it was claimed before. */
    boolean claim(String path) {
        return written.add(path);
    }

    /** Remembers a file that {@link #copy} may duplicate. */
    void markCopyable(String path) {
        copyable.add(path);
    }

    /** The files marked copyable, in the order they were marked. */
    List<String> copyable() {
        return Collections.unmodifiableList(copyable);
    }

    /** Opens a claimed path for writing; the caller {@link #finish}es it once closed. */
    OutputStream open(String path) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        return new BufferedOutputStream(Files.newOutputStream(file), CHUNK_BYTES);
    }

    /** Writes a text file as UTF-8 and returns its size, or 0 if the path was already claimed. */
    long write(String path, CharSequence text) throws IOException {
        if (!claim(path)) {
            return 0;
        }
        byte[] content = text.toString().getBytes(StandardCharsets.UTF_8);
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return finish(path, content.length);
    }

    /** Copies a written file to a new path and returns its size, or 0 if that path was already claimed. */
    long copy(String original, String copy) throws IOException {
        if (!claim(copy)) {
            return 0;
        }
        Path target = root.resolve(copy);
        Files.createDirectories(target.getParent());
        Files.copy(root.resolve(original), target);
        return finish(copy, Files.size(target));
    }

    /** Counts a written file and gives it a modification time fixed by its order. */
    long finish(String path, long size) throws IOException {
        Files.setLastModifiedTime(root.resolve(path), FileTime.from(BASE_MTIME.plusSeconds(60L * count)));
        count++;
        bytes += size;
        return size;
    }
}
