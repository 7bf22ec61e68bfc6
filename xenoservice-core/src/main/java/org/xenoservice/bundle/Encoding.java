package org.xenoservice.bundle;

import java.util.Optional;

/** How a blob's bytes are stored in a bundle and in a {@link BlobStore}. */
public enum Encoding {
    /** The file's own bytes. */
    IDENTITY("identity"),
    /** One gzip member of the file's bytes, served as {@code Content-Encoding: gzip} as it is. */
    GZIP("gzip");

    private final String token;

    Encoding(String token) {
        this.token = token;
    }

    /** The token used in the manifest and in HTTP: {@code identity} or {@code gzip}. */
    public String token() {
        return token;
    }

    /** The encoding for a manifest token, if it is one. */
    public static Optional<Encoding> fromToken(String token) {
        for (Encoding encoding : values()) {
            if (encoding.token.equals(token)) {
                return Optional.of(encoding);
            }
        }
        return Optional.empty();
    }
}
