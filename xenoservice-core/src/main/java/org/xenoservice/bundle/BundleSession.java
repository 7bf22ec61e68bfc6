package org.xenoservice.bundle;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.xenoservice.bundle.BundleException.Rule;
import org.xenoservice.key.SiteKeys;

/**
 * One pass over one bundle stream, for {@link BundleReader}: unwraps an outer gzip, walks the tar
 * entries in the order the format demands (manifest.json, manifest.sig, then blobs), checks each
 * entry's name, type and uniqueness, verifies the signature and every blob's sizes, encoding and
 * digest, and enforces the stream's size and expansion limits. It exists so that the reader
 * keeps only what decides whether a verified bundle is acceptable (site, version, base, held blobs)
 * while the archive's framing and the per-entry checks live here.
 */
final class BundleSession {
    private static final int BUFFER_BYTES = 64 * 1024;
    /** An outer gzip may expand more than the ratio by this much, for tar padding and headers. */
    private static final long OUTER_GZIP_SLACK_BYTES = 1L << 20;

    private final BundleLimits limits;
    private final LimitedInputStream tarBytes;
    private final TarArchiveInputStream tar;
    private final Set<String> names = new HashSet<>();
    private int entries;
    private String lastEntry = "(start)";

    BundleSession(BundleLimits limits, InputStream raw) throws IOException {
        this.limits = limits;
        CountingInputStream compressed = new CountingInputStream(raw);
        BufferedInputStream buffered = new BufferedInputStream(compressed, BUFFER_BYTES);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        if (first < 0) {
            throw new BundleException(Rule.NOT_A_BUNDLE, "the bundle is empty (0 bytes)");
        }
        LimitedInputStream tarBytes;
        if (first == 0x1f && second == 0x8b) {
            InputStream gunzip;
            try {
                gunzip = new GzipCompressorInputStream(buffered, true);
            } catch (IOException e) {
                throw new BundleException(Rule.NOT_A_BUNDLE, "starts like gzip but is not: " + e.getMessage(), e);
            }
            tarBytes = new LimitedInputStream(gunzip, limits, compressed);
        } else {
            tarBytes = new LimitedInputStream(buffered, limits, null);
        }
        this.tarBytes = tarBytes;
        this.tar = new TarArchiveInputStream(tarBytes, "UTF-8");
    }

    Manifest readSignedManifest(PublicKey key) throws IOException {
        byte[] manifestBytes = readManifestBytes();
        TarArchiveEntry sigEntry = nextEntry();
        if (sigEntry == null) {
            throw new BundleException(Rule.SIGNATURE, "the bundle has no manifest.sig after manifest.json");
        }
        checkEntry(sigEntry);
        if (!sigEntry.getName().equals(BundleFormat.SIGNATURE)) {
            throw sigEntry.getName().equals(BundleFormat.MANIFEST)
                    ? new BundleException(Rule.DUPLICATE_ENTRY, "manifest.json appears twice")
                    : new BundleException(
                            Rule.ENTRY_ORDER,
                            "the second entry must be manifest.sig, found "
                                    + ManifestCodec.printable(sigEntry.getName()));
        }
        if (sigEntry.getSize() != SiteKeys.SIGNATURE_BYTES) {
            throw new BundleException(
                    Rule.SIGNATURE,
                    "manifest.sig must be " + SiteKeys.SIGNATURE_BYTES + " bytes (a raw Ed25519 signature), is "
                            + sigEntry.getSize());
        }
        byte[] signature = readEntry(SiteKeys.SIGNATURE_BYTES);
        if (!SiteKeys.verify(key, manifestBytes, signature)) {
            throw new BundleException(
                    Rule.SIGNATURE,
                    "manifest.sig does not verify against the site's "
                            + "pinned public key: the bundle was altered or signed with another key");
        }
        return ManifestCodec.parse(manifestBytes);
    }

    Manifest readManifestEntry() throws IOException {
        return ManifestCodec.parse(readManifestBytes());
    }

    private byte[] readManifestBytes() throws IOException {
        TarArchiveEntry entry = nextEntry();
        if (entry == null) {
            throw new BundleException(Rule.NOT_A_BUNDLE, "the archive has no entries");
        }
        checkEntry(entry);
        if (!entry.getName().equals(BundleFormat.MANIFEST)) {
            throw new BundleException(
                    Rule.ENTRY_ORDER,
                    "the first entry must be manifest.json, found " + ManifestCodec.printable(entry.getName()));
        }
        // the manifest is read into one array, whatever limit was configured
        long maxManifestBytes = Math.min(limits.maxManifestBytes(), Integer.MAX_VALUE - 8);
        if (entry.getSize() > maxManifestBytes) {
            throw new BundleException(
                    Rule.LIMIT,
                    "manifest.json is " + entry.getSize() + " bytes, more than the limit of " + maxManifestBytes);
        }
        return readEntry((int) entry.getSize());
    }

    /** Reads, verifies and stages every blob entry; returns the digests received. */
    Set<String> readBlobs(Map<String, ManifestFile> expected, Optional<BlobStore.Staging> staging) throws IOException {
        Set<String> received = new HashSet<>();
        byte[] buffer = new byte[BUFFER_BYTES];
        for (TarArchiveEntry entry = nextEntry(); entry != null; entry = nextEntry()) {
            checkEntry(entry);
            String name = entry.getName();
            if (name.equals(BundleFormat.MANIFEST) || name.equals(BundleFormat.SIGNATURE)) {
                throw new BundleException(Rule.DUPLICATE_ENTRY, name + " appears twice");
            }
            String digest = BundleFormat.blobDigest(name).orElseThrow();
            ManifestFile file = expected.get(digest);
            if (file == null) {
                throw new BundleException(
                        Rule.UNREFERENCED_BLOB,
                        "entry " + name
                                + " is not referenced by any manifest file; a bundle carries only blobs its files use");
            }
            if (entry.getSize() != file.storedSize()) {
                throw new BundleException(
                        Rule.BLOB_SIZE,
                        "entry " + name + " is " + entry.getSize()
                                + " bytes but the manifest says " + file.storedSize() + " for \""
                                + ManifestCodec.printable(file.path()) + "\"");
            }
            readBlob(entry, file, staging, buffer);
            received.add(digest);
        }
        return received;
    }

    private void readBlob(TarArchiveEntry entry, ManifestFile file, Optional<BlobStore.Staging> staging, byte[] buffer)
            throws IOException {
        BlobStore.StagedBlob staged = staging.isPresent() ? staging.get().newBlob() : null;
        OutputStream sink = staged != null ? staged : OutputStream.nullOutputStream();
        MessageDigest sha256 = Digests.sha256();
        long identity = 0;
        try (sink) {
            TeeInputStream stored = new TeeInputStream(tar, sink, entry.getName());
            InputStream decoded = file.encoding() == Encoding.GZIP ? strictGzip(stored, entry) : stored;
            try {
                for (int n; (n = decoded.read(buffer)) > 0; ) {
                    identity += n;
                    if (identity > file.size()) {
                        throw new BundleException(
                                Rule.BLOB_SIZE,
                                "entry " + entry.getName() + " decodes to more than the " + file.size()
                                        + " bytes the manifest says");
                    }
                    sha256.update(buffer, 0, n);
                }
            } catch (ZipException | EOFException e) {
                throw new BundleException(
                        Rule.BLOB_ENCODING,
                        "entry " + entry.getName() + " is not one well-formed gzip member: " + e.getMessage(),
                        e);
            }
            if (stored.count != file.storedSize()) {
                throw new BundleException(
                        Rule.BLOB_SIZE,
                        "entry " + entry.getName() + " has " + stored.count + " stored bytes, the manifest says "
                                + file.storedSize());
            }
        }
        if (identity != file.size()) {
            throw new BundleException(
                    Rule.BLOB_SIZE,
                    "entry " + entry.getName() + " decodes to " + identity + " bytes, the manifest says "
                            + file.size());
        }
        String actual = Digests.hex(sha256.digest());
        if (!actual.equals(file.sha256())) {
            throw new BundleException(
                    Rule.BLOB_DIGEST,
                    "entry " + entry.getName() + " does not hash to its name (its content hashes to " + actual + ")");
        }
        if (staged != null) {
            staging.get().accept(staged, file.blob());
        }
    }

    private InputStream strictGzip(InputStream stored, TarArchiveEntry entry) throws IOException {
        try {
            return new StrictGzipInputStream(stored);
        } catch (ZipException | EOFException e) {
            throw new BundleException(
                    Rule.BLOB_ENCODING,
                    "entry " + entry.getName() + " should be gzip but is not: " + e.getMessage(),
                    e);
        }
    }

    private TarArchiveEntry nextEntry() throws IOException {
        TarArchiveEntry entry;
        try {
            entry = tar.getNextEntry();
        } catch (BundleException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            BundleException limit = findBundleException(e);
            if (limit != null) {
                throw limit;
            }
            if (entries == 0) {
                throw new BundleException(Rule.NOT_A_BUNDLE, "not a tar archive: " + e.getMessage(), e);
            }
            // Commons Compress reports a cut in an entry's padding as a plain IOException
            boolean truncated = e instanceof EOFException || tarBytes.exhausted;
            throw new BundleException(
                    truncated ? Rule.TRUNCATED : Rule.NOT_A_BUNDLE,
                    "the archive is corrupt or cut short after entry " + ManifestCodec.printable(lastEntry) + ": "
                            + e.getMessage(),
                    e);
        }
        if (entry != null) {
            entries++;
            lastEntry = entry.getName();
            if (entries > limits.maxEntries()) {
                throw new BundleException(Rule.LIMIT, "the archive has more than " + limits.maxEntries() + " entries");
            }
        }
        return entry;
    }

    /** Checks an entry's name is one of the three forms, its type regular, and it is new. */
    private void checkEntry(TarArchiveEntry entry) throws BundleException {
        String name = entry.getName();
        boolean known = name.equals(BundleFormat.MANIFEST)
                || name.equals(BundleFormat.SIGNATURE)
                || BundleFormat.blobDigest(name).isPresent();
        if (!known) {
            throw new BundleException(
                    Rule.ENTRY_NAME,
                    "entry \"" + ManifestCodec.printable(name)
                            + "\" is not manifest.json, manifest.sig or blobs/<sha256>");
        }
        byte type = entry.getLinkFlag();
        if ((type != TarConstants.LF_NORMAL && type != TarConstants.LF_OLDNORM)
                || entry.isSparse()
                || !entry.getLinkName().isEmpty()) {
            throw new BundleException(
                    Rule.ENTRY_TYPE,
                    "entry " + ManifestCodec.printable(name) + " is not a regular file (" + describeType(entry) + ")");
        }
        if (!names.add(name)) {
            throw new BundleException(Rule.DUPLICATE_ENTRY, "entry " + name + " appears twice");
        }
    }

    /**
     * Reads an entry of {@code size} bytes. The array grows with the bytes that actually arrive,
     * so a header that claims a large size costs memory only when the data is there too.
     */
    private byte[] readEntry(int size) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.min(size, BUFFER_BYTES));
        byte[] buffer = new byte[Math.min(size, BUFFER_BYTES)];
        int read = 0;
        try {
            while (read < size) {
                int n = tar.read(buffer, 0, Math.min(buffer.length, size - read));
                if (n < 0) {
                    break;
                }
                bytes.write(buffer, 0, n);
                read += n;
            }
        } catch (BundleException e) {
            throw e;
        } catch (IOException e) {
            throw new BundleException(Rule.TRUNCATED, "entry " + lastEntry + " is cut short: " + e.getMessage(), e);
        }
        if (read < size) {
            throw new BundleException(Rule.TRUNCATED, "entry " + lastEntry + " is cut short");
        }
        return bytes.toByteArray();
    }

    private static String describeType(TarArchiveEntry entry) {
        if (entry.isSymbolicLink()) {
            return "symbolic link to " + ManifestCodec.printable(entry.getLinkName());
        }
        if (entry.isLink()) {
            return "hard link to " + ManifestCodec.printable(entry.getLinkName());
        }
        if (entry.isCharacterDevice() || entry.isBlockDevice()) {
            return "device";
        }
        if (entry.isFIFO()) {
            return "FIFO";
        }
        if (entry.isDirectory()) {
            return "directory";
        }
        if (entry.isSparse()) {
            return "sparse file";
        }
        return "type '" + (char) entry.getLinkFlag() + "'";
    }

    private static BundleException findBundleException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BundleException found) {
                return found;
            }
        }
        return null;
    }
    /** Copies what is read from the tar entry to a sink, counting it; tar faults become truncation. */
    private static final class TeeInputStream extends InputStream {
        private final InputStream in;
        private final OutputStream sink;
        private final String entryName;
        long count;

        TeeInputStream(InputStream in, OutputStream sink, String entryName) {
            this.in = in;
            this.sink = sink;
            this.entryName = entryName;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = in.read(buffer, offset, length);
            } catch (BundleException e) {
                throw e;
            } catch (IOException e) {
                throw new BundleException(Rule.TRUNCATED, "entry " + entryName + " is cut short: " + e.getMessage(), e);
            }
            if (n > 0) {
                sink.write(buffer, offset, n);
                count += n;
            }
            return n;
        }
    }

    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Counts the tar bytes and enforces the bundle size limit and the outer gzip ratio. */
    private static final class LimitedInputStream extends FilterInputStream {
        private final BundleLimits limits;
        private final CountingInputStream compressed;
        private long count;
        /** True once the tar bytes ran out: an error after that is a truncation. */
        boolean exhausted;

        LimitedInputStream(InputStream in, BundleLimits limits, CountingInputStream compressed) {
            super(in);
            this.limits = limits;
            this.compressed = compressed;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n < 0) {
                exhausted = true;
            }
            if (n > 0) {
                count += n;
                if (count > limits.maxBundleBytes()) {
                    throw new BundleException(
                            Rule.LIMIT, "the bundle is larger than the limit of " + limits.maxBundleBytes() + " bytes");
                }
                if (compressed != null && count > compressed.count * limits.maxGzipRatio() + OUTER_GZIP_SLACK_BYTES) {
                    throw new BundleException(
                            Rule.LIMIT,
                            "the bundle's gzip layer expands more than " + limits.maxGzipRatio()
                                    + " times (a decompression bomb?)");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[(int) Math.min(n, BUFFER_BYTES)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }
    }
}
