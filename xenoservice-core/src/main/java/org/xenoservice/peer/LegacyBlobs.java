package org.xenoservice.peer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.bundle.Encoding;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestFile;

/**
 * Moves a site's blobs from the store layout of earlier releases, one directory shared by every
 * tenant, into the site's own namespace when the peer starts. Nothing is trusted for being there:
 * an identity blob must hash to its manifest's digest; a gzip blob must decode to exactly the signed
 * identity bytes and have the signed stored size, or else (another tenant's copy of the same
 * content) the peer writes its own gzip of the verified identity bytes. Blobs that fail are left
 * out, and the site's versions that need them cannot be served.
 */
final class LegacyBlobs {
    private static final Logger LOG = LoggerFactory.getLogger(LegacyBlobs.class);

    private LegacyBlobs() {}

    /** Copies into {@code namespace} the blobs of {@code manifests} that it lacks and {@code shared} holds. */
    static void moveIntoNamespace(BlobStore shared, BlobStore namespace, Collection<Manifest> manifests)
            throws IOException {
        for (Manifest manifest : manifests) {
            for (ManifestFile file : manifest.files()) {
                Optional<Path> legacy = shared.file(file.blob());
                if (legacy.isEmpty() || namespace.contains(file.blob())) {
                    continue;
                }
                if (!decodesToSignedBytes(shared, file)) {
                    LOG.warn(
                            "peer: blob {} of {} v{} in the shared store does not match its manifest; left out",
                            file.blob(),
                            manifest.site(),
                            manifest.version());
                    continue;
                }
                boolean exact = file.encoding() == Encoding.IDENTITY || Files.size(legacy.get()) == file.storedSize();
                Path from = legacy.get();
                namespace.write(file.blob(), out -> {
                    if (exact) {
                        Files.copy(from, out);
                    } else {
                        GZIPOutputStream gzip = new GZIPOutputStream(out);
                        try (InputStream in = shared.openIdentity(file)) {
                            in.transferTo(gzip);
                        }
                        gzip.finish();
                    }
                });
            }
        }
    }

    private static boolean decodesToSignedBytes(BlobStore shared, ManifestFile file) {
        try (InputStream in = shared.openIdentity(file)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha256.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha256.digest()).equals(file.sha256());
        } catch (IOException e) {
            return false;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
