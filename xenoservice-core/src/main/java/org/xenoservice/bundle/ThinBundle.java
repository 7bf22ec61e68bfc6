package org.xenoservice.bundle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Copies a bundle with only the blobs a peer lacks: the same signed manifest and signature, and
 * the blob entries whose digest is in {@code wanted}. A peer that already holds the other blobs
 * for the site reads it with {@link BundleReader.Builder#heldBlobs}. This is how a push sends a
 * delta without re-signing anything.
 *
 * <p>Nothing is verified here (the peer verifies); the input may be gzip-compressed, the output
 * is a plain tar.
 */
public final class ThinBundle {
    private ThinBundle() {}

    /**
     * Writes the thin copy of {@code bundle} to {@code out} (left open).
     *
     * @param wanted the SHA-256 digests of the blobs to carry
     * @return the number of blob entries carried
     * @throws BundleException if the input is not a bundle
     */
    public static int write(InputStream bundle, Set<String> wanted, OutputStream out) throws IOException {
        Objects.requireNonNull(wanted, "wanted");
        BufferedInputStream buffered = new BufferedInputStream(bundle, 64 * 1024);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        InputStream tarBytes =
                first == 0x1f && second == 0x8b ? new GzipCompressorInputStream(buffered, true) : buffered;
        int carried = 0;
        TarArchiveInputStream in = new TarArchiveInputStream(tarBytes, "UTF-8");
        TarArchiveOutputStream tar = new TarArchiveOutputStream(BundleBuilder.nonClosing(out), "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        boolean sawManifest = false;
        for (TarArchiveEntry entry; (entry = in.getNextEntry()) != null; ) {
            String name = entry.getName();
            boolean manifestOrSignature = name.equals(BundleFormat.MANIFEST) || name.equals(BundleFormat.SIGNATURE);
            sawManifest |= name.equals(BundleFormat.MANIFEST);
            boolean keep = manifestOrSignature
                    || BundleFormat.blobDigest(name).filter(wanted::contains).isPresent();
            if (!keep) {
                continue;
            }
            TarArchiveEntry copy = new TarArchiveEntry(name, true);
            copy.setSize(entry.getSize());
            copy.setMode(entry.getMode());
            copy.setModTime(entry.getModTime());
            copy.setUserName("");
            copy.setGroupName("");
            tar.putArchiveEntry(copy);
            in.transferTo(tar);
            tar.closeArchiveEntry();
            if (!manifestOrSignature) {
                carried++;
            }
        }
        if (!sawManifest) {
            throw new BundleException(
                    BundleException.Rule.NOT_A_BUNDLE, "the input has no manifest.json: not a bundle");
        }
        tar.finish();
        tar.flush();
        return carried;
    }

    /** The digests of a manifest's blobs, e.g. to ask a peer which it lacks. */
    public static Set<String> digests(Manifest manifest) {
        return manifest.files().stream()
                .map(ManifestFile::sha256)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
