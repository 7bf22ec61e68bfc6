package org.xenoservice.bundle;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.xenoservice.bundle.BundleException.Rule;

/**
 * Reads a bundle this process built itself into memory: its manifest, and the blobs the caller
 * picks once it has seen the manifest, each as stored and as its identity bytes. The origin uses
 * it to answer its static files from memory while it is overloaded, with the very bytes and
 * validators its peers serve.
 *
 * <p>The signature is not checked: the process signed the manifest itself, so, as with
 * {@link Manifest#parseStored}, never use this for a bundle from elsewhere ({@link BundleReader}
 * verifies those). Every blob read is still checked against the manifest (stored size, one
 * well-formed gzip member, identity size, SHA-256), so that a damaged file is refused, never
 * served. Blobs not picked are skipped without being decoded, and reading stops once every picked
 * blob was read.
 *
 * <pre>{@code
 * BundleBlobs.Contents contents;
 * try (InputStream in = Files.newInputStream(Path.of("state/bundles/42.xsb"))) {
 *   contents = BundleBlobs.read(in, Manifest::blobs); // every blob
 * }
 * byte[] page = contents.blobs().get(contents.manifest().file("/index.html").orElseThrow().blob()).identity();
 * }</pre>
 *
 * <p>Stateless.
 */
public final class BundleBlobs {
    /** The largest blob held: one Java array. */
    static final long MAX_BLOB_BYTES = Integer.MAX_VALUE - 8;

    private BundleBlobs() {}

    /**
     * One blob in memory.
     *
     * @param key its digest and encoding
     * @param stored its bytes as stored (gzip or identity), as a peer sends them with that encoding
     * @param identity the file's own bytes: the same array as {@code stored} for an identity blob
     */
    @SuppressWarnings("ArrayRecordComponent") // held and handed out as is, never copied: the holder never changes them
    public record Blob(BlobKey key, byte[] stored, byte[] identity) {
        /** Checks nothing is null. */
        public Blob {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(stored, "stored");
            Objects.requireNonNull(identity, "identity");
        }
    }

    /**
     * What {@link #read} read.
     *
     * @param manifest the bundle's manifest (its signature not checked)
     * @param blobs the picked blobs the manifest refers to, by key
     */
    public record Contents(Manifest manifest, Map<BlobKey, Blob> blobs) {
        /** Copies the map. */
        public Contents {
            Objects.requireNonNull(manifest, "manifest");
            blobs = Map.copyOf(blobs);
        }
    }

    /**
     * Reads the manifest, asks {@code pick} which blobs to hold, and reads those.
     *
     * @param bundle the bundle (a tar, optionally gzip-compressed as a whole); left open
     * @param pick the blobs wanted, given the manifest; keys the manifest does not refer to are ignored
     * @throws BundleException if the bundle is malformed, or a picked blob is missing, of the wrong size,
     *     badly encoded or does not hash to its name
     * @throws IOException if reading fails
     */
    public static Contents read(InputStream bundle, Function<Manifest, Set<BlobKey>> pick) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(unwrap(bundle), "UTF-8");
        TarArchiveEntry first = tar.getNextEntry();
        if (first == null || !first.isFile() || !first.getName().equals(BundleFormat.MANIFEST)) {
            throw new BundleException(Rule.ENTRY_ORDER, "the first entry must be the file manifest.json");
        }
        if (first.getSize() > BundleLimits.DEFAULTS.maxManifestBytes()) {
            throw new BundleException(
                    Rule.LIMIT,
                    "manifest.json is " + first.getSize() + " bytes, more than the limit of "
                            + BundleLimits.DEFAULTS.maxManifestBytes());
        }
        Manifest manifest = ManifestCodec.parse(readExactly(tar, first.getSize(), BundleFormat.MANIFEST));
        Set<BlobKey> picked = Set.copyOf(pick.apply(manifest));
        Map<String, ManifestFile> wanted = new HashMap<>();
        for (ManifestFile file : manifest.files()) {
            if (picked.contains(file.blob())) {
                wanted.putIfAbsent(file.sha256(), file);
            }
        }
        Map<BlobKey, Blob> blobs = new HashMap<>();
        for (TarArchiveEntry entry = tar.getNextEntry();
                entry != null && blobs.size() < wanted.size();
                entry = tar.getNextEntry()) {
            ManifestFile file =
                    BundleFormat.blobDigest(entry.getName()).map(wanted::get).orElse(null);
            if (file == null || blobs.containsKey(file.blob())) {
                continue; // the signature, or a blob not picked: skipped unread
            }
            if (!entry.isFile()) {
                throw new BundleException(Rule.ENTRY_TYPE, "entry " + entry.getName() + " is not a regular file");
            }
            blobs.put(file.blob(), readBlob(tar, entry, file));
        }
        if (blobs.size() < wanted.size()) {
            ManifestFile missing = wanted.values().stream()
                    .filter(file -> !blobs.containsKey(file.blob()))
                    .findFirst()
                    .orElseThrow();
            throw new BundleException(
                    Rule.MISSING_BLOB,
                    "the blob of \"" + ManifestCodec.printable(missing.path()) + "\" (" + missing.blob()
                            + ") is not in the bundle");
        }
        return new Contents(manifest, blobs);
    }

    private static InputStream unwrap(InputStream bundle) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(bundle, 64 * 1024);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        if (first < 0) {
            throw new BundleException(Rule.NOT_A_BUNDLE, "the bundle is empty (0 bytes)");
        }
        return first == 0x1f && second == 0x8b ? new GzipCompressorInputStream(buffered, true) : buffered;
    }

    private static Blob readBlob(TarArchiveInputStream tar, TarArchiveEntry entry, ManifestFile file)
            throws IOException {
        String name = entry.getName();
        if (entry.getSize() != file.storedSize()) {
            throw new BundleException(
                    Rule.BLOB_SIZE,
                    "entry " + name + " is " + entry.getSize() + " bytes but the manifest says " + file.storedSize());
        }
        if (file.storedSize() > MAX_BLOB_BYTES || file.size() > MAX_BLOB_BYTES) {
            throw new BundleException(
                    Rule.LIMIT, "entry " + name + " is too large to hold in memory (" + file.size() + " bytes)");
        }
        byte[] stored = readExactly(tar, file.storedSize(), name);
        byte[] identity = file.encoding() == Encoding.GZIP ? gunzip(stored, file, name) : stored;
        if (identity.length != file.size()) {
            throw new BundleException(
                    Rule.BLOB_SIZE,
                    "entry " + name + " decodes to " + identity.length + " bytes, the manifest says " + file.size());
        }
        String actual = Digests.sha256Hex(identity);
        if (!actual.equals(file.sha256())) {
            throw new BundleException(
                    Rule.BLOB_DIGEST,
                    "entry " + name + " does not hash to its name (its content hashes to " + actual + ")");
        }
        return new Blob(file.blob(), stored, identity);
    }

    private static byte[] gunzip(byte[] stored, ManifestFile file, String name) throws IOException {
        try (InputStream in = new StrictGzipInputStream(new ByteArrayInputStream(stored))) {
            byte[] identity = in.readNBytes((int) file.size());
            if (in.read() >= 0) {
                throw new BundleException(
                        Rule.BLOB_SIZE,
                        "entry " + name + " decodes to more than the " + file.size() + " bytes the manifest says");
            }
            return identity;
        } catch (ZipException | EOFException e) {
            throw new BundleException(
                    Rule.BLOB_ENCODING, "entry " + name + " is not one well-formed gzip member: " + e.getMessage(), e);
        }
    }

    private static byte[] readExactly(InputStream in, long size, String name) throws IOException {
        byte[] bytes = in.readNBytes((int) size);
        if (bytes.length != size) {
            throw new BundleException(
                    Rule.TRUNCATED, "entry " + name + " ends after " + bytes.length + " of its " + size + " bytes");
        }
        return bytes;
    }
}
