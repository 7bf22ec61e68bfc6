package org.xenoservice.bundle;

import java.time.Instant;
import java.util.Objects;

/**
 * One file of a site as the manifest lists it.
 *
 * @param path the URL path, starting with {@code /}, normalised
 * @param sha256 lower-case hex SHA-256 of the file's identity bytes; names its blob and is its ETag
 * @param size length of the identity bytes
 * @param contentType the {@code Content-Type} to serve
 * @param encoding how the blob is stored
 * @param storedSize length of the stored (possibly gzip) bytes
 * @param lastModified modification time, whole seconds, for {@code Last-Modified}
 * @param cacheControl the {@code Cache-Control} to serve
 */
public record ManifestFile(
        String path,
        String sha256,
        long size,
        String contentType,
        Encoding encoding,
        long storedSize,
        Instant lastModified,
        String cacheControl) {

    /** Checks that no component is null; the reader checks the finer rules. */
    public ManifestFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(lastModified, "lastModified");
        Objects.requireNonNull(cacheControl, "cacheControl");
    }

    /** The blob this file's bytes are stored in. */
    public BlobKey blob() {
        return new BlobKey(sha256, encoding);
    }
}
