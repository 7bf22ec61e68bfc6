package org.xenoservice.bundle;

import java.util.Objects;

/**
 * Names a stored blob: the SHA-256 of the identity bytes and the encoding it is stored in.
 * The same content stored identity and gzip-compressed is two blobs.
 *
 * @param sha256 lower-case hex SHA-256 of the identity bytes
 * @param encoding how the bytes are stored
 */
public record BlobKey(String sha256, Encoding encoding) {
    /** Checks the digest is 64 lower-case hex characters. */
    public BlobKey {
        Objects.requireNonNull(encoding, "encoding");
        if (!Digests.isSha256Hex(sha256)) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex characters, was " + sha256);
        }
    }

    @Override
    public String toString() {
        return encoding == Encoding.IDENTITY ? sha256 : sha256 + "." + encoding.token();
    }
}
