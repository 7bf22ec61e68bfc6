package org.xenoservice.bundle;

import java.time.Instant;
import java.util.Objects;

/**
 * A file a {@link StaticSource} offers: its URL path, length and modification time.
 *
 * @param path the URL path, starting with {@code /}
 * @param size the length in bytes
 * @param lastModified the modification time
 */
public record SourceFile(String path, long size, Instant lastModified) {
    /** Checks the path is a valid manifest file path and the size is not negative. */
    public SourceFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(lastModified, "lastModified");
        BundlePaths.fileProblem(path).ifPresent(problem -> {
            throw new IllegalArgumentException("path \"" + ManifestCodec.printable(path) + "\" " + problem);
        });
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, was " + size);
        }
    }
}
