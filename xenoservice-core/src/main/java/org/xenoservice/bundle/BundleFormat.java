package org.xenoservice.bundle;

import java.util.Optional;

/** Entry names of the {@code xenoservice-bundle/1} tar layout. */
final class BundleFormat {
    static final String MANIFEST = "manifest.json";
    static final String SIGNATURE = "manifest.sig";
    static final String BLOB_PREFIX = "blobs/";

    private BundleFormat() {}

    /** The digest a blob entry name stands for, or empty if the name is not {@code blobs/<sha256>}. */
    static Optional<String> blobDigest(String entryName) {
        if (!entryName.startsWith(BLOB_PREFIX)) {
            return Optional.empty();
        }
        String digest = entryName.substring(BLOB_PREFIX.length());
        return Digests.isSha256Hex(digest) ? Optional.of(digest) : Optional.empty();
    }
}
