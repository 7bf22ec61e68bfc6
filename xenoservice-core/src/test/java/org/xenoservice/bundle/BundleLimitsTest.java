package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.bundle.BundleFixtures.assertRejected;
import static org.xenoservice.bundle.BundleFixtures.assertStoreEmpty;
import static org.xenoservice.bundle.BundleFixtures.reader;
import static org.xenoservice.bundle.HostileBundles.file;
import static org.xenoservice.bundle.HostileBundles.json;
import static org.xenoservice.bundle.HostileBundles.manifest;
import static org.xenoservice.bundle.HostileBundles.signedBundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleException.Rule;
import org.xenoservice.bundle.HostileBundles.Blob;
import org.xenoservice.key.SiteKeys;

/**
 * Every {@link BundleLimits} limit rejects a bundle that exceeds it, and decompression bombs are
 * stopped after reading a small part of them, not after inflating them.
 */
class BundleLimitsTest {
    private static final Blob PAGE = Blob.identity(SiteTrees.bytes(new Random(1), 3_000));
    private static final Blob TEXT =
            Blob.gzipped("<p>a fine copy</p>\n".repeat(200).getBytes(StandardCharsets.UTF_8));
    private static final Blob SMALL = Blob.identity("<p>hello</p>".getBytes(StandardCharsets.UTF_8));
    /** Zeros a bomb expands to: deflate shrinks them about 1,000 times. */
    private static final long BOMB_BYTES = 200L << 20;
    /** A read stops at most this far into a bomb's bytes (buffers of the reader and the tar). */
    private static final long FEW_BYTES = 64 << 10;

    @TempDir
    Path storeDir;

    @Test
    void rejectsAManifestListingMoreFilesThanMaxEntries() {
        ObjectNode manifest = manifest(1);
        file(manifest, "/a.html", PAGE);
        file(manifest, "/b.html", TEXT);
        file(manifest, "/c.html", SMALL);

        BundleException e = assertRejectedWhole(
                Rule.LIMIT, BundleLimits.DEFAULTS.withMaxEntries(2), signedBundle(manifest, PAGE, TEXT, SMALL));
        assertTrue(e.getMessage().contains("3 files, more than the limit of 2"), e.getMessage());
    }

    @Test
    void rejectsAnArchiveWithMoreEntriesThanMaxEntries() {
        ObjectNode manifest = manifest(1);
        file(manifest, "/a.html", PAGE);

        // one file, but three tar entries: manifest.json, manifest.sig and the blob
        BundleException e =
                assertRejectedWhole(Rule.LIMIT, BundleLimits.DEFAULTS.withMaxEntries(2), signedBundle(manifest, PAGE));
        assertTrue(e.getMessage().contains("more than 2 entries"), e.getMessage());
    }

    @Test
    void rejectsAFileLargerThanMaxBlobBytes() throws IOException {
        ObjectNode manifest = manifest(1);
        file(manifest, "/big.bin", PAGE);
        byte[] bundle = signedBundle(manifest, PAGE);

        BundleException e =
                assertRejectedWhole(Rule.LIMIT, BundleLimits.DEFAULTS.withMaxBlobBytes(PAGE.size() - 1), bundle);
        assertTrue(e.getMessage().contains("/big.bin"), e.getMessage());
        assertAccepted(BundleLimits.DEFAULTS.withMaxBlobBytes(PAGE.size()), bundle);
    }

    @Test
    void rejectsABundleLargerThanMaxBundleBytes() throws IOException {
        ObjectNode manifest = manifest(1);
        file(manifest, "/a.bin", PAGE);
        byte[] bundle = signedBundle(manifest, PAGE);

        assertRejectedWhole(Rule.LIMIT, BundleLimits.DEFAULTS.withMaxBundleBytes(bundle.length / 2), bundle);
        assertAccepted(BundleLimits.DEFAULTS.withMaxBundleBytes(bundle.length), bundle);
    }

    @Test
    void rejectsAManifestLargerThanMaxManifestBytes() throws IOException {
        ObjectNode manifest = manifest(1);
        file(manifest, "/a.bin", PAGE);
        int length = json(manifest).length;
        byte[] bundle = signedBundle(manifest, PAGE);

        BundleException e =
                assertRejectedWhole(Rule.LIMIT, BundleLimits.DEFAULTS.withMaxManifestBytes(length - 1), bundle);
        assertTrue(e.getMessage().contains("manifest.json is " + length + " bytes"), e.getMessage());
        assertAccepted(BundleLimits.DEFAULTS.withMaxManifestBytes(length), bundle);
    }

    @Test
    void rejectsAGzipBlobThatExpandsBeyondMaxGzipRatio() throws IOException {
        ObjectNode manifest = manifest(1);
        file(manifest, "/a.html", TEXT);
        byte[] bundle = signedBundle(manifest, TEXT);
        int ratio = (int) (TEXT.size() / TEXT.stored().length);

        assertRejectedWhole(Rule.LIMIT, BundleLimits.DEFAULTS.withMaxGzipRatio(ratio - 1), bundle);
        assertAccepted(BundleLimits.DEFAULTS.withMaxGzipRatio(ratio + 1), bundle);
    }

    @Test
    void rejectsAGzipBombBlobBeforeReadingIt() {
        byte[] bomb = gzippedZeros(BOMB_BYTES);
        Blob blob = new Blob(HostileBundles.sha256(new byte[] {0}), Encoding.GZIP, BOMB_BYTES, bomb);
        ObjectNode manifest = manifest(1);
        file(manifest, "/bomb.html", blob);
        byte[] bundle = signedBundle(manifest, blob);
        TrickleStream in = new TrickleStream(bundle);

        BundleException e = assertRejected(Rule.LIMIT, () -> reader().build().read(in, openStore()));

        assertTrue(e.getMessage().contains("gzip ratio"), e.getMessage());
        assertTrue(in.consumed < FEW_BYTES, () -> in.consumed + " bytes read of " + bundle.length);
        assertStoreEmpty(openStore());
    }

    @Test
    void stopsInflatingAGzipBombWhoseManifestUnderstatesItsSize() {
        byte[] bomb = gzippedZeros(BOMB_BYTES);
        // the manifest claims a harmless size, within the ratio; the blob inflates to 200 MiB
        Blob blob = new Blob(HostileBundles.sha256(new byte[] {0}), Encoding.GZIP, bomb.length * 2L, bomb);
        ObjectNode manifest = manifest(1);
        file(manifest, "/bomb.html", blob);
        byte[] bundle = signedBundle(manifest, blob);
        TrickleStream in = new TrickleStream(bundle);

        assertRejected(Rule.BLOB_SIZE, () -> reader().build().read(in, openStore()));

        assertTrue(in.consumed < FEW_BYTES, () -> in.consumed + " bytes read of " + bundle.length);
        assertStoreEmpty(openStore());
    }

    @Test
    void rejectsAWholeBundleGzipBombAfterReadingLittleOfIt() throws IOException {
        byte[] bomb = gzippedBundleOfZeros(64L << 20);
        TrickleStream in = new TrickleStream(bomb);

        BundleException e = assertRejected(Rule.LIMIT, () -> reader().build().read(in, openStore()));

        assertTrue(e.getMessage().contains("gzip layer"), e.getMessage());
        assertTrue(in.consumed < FEW_BYTES, () -> in.consumed + " bytes read of " + bomb.length);
        assertStoreEmpty(openStore());
        // the same bundle is valid: only the ratio limit stopped it
        Manifest manifest = reader().limits(BundleLimits.DEFAULTS.withMaxGzipRatio(100_000))
                .build()
                .verify(new ByteArrayInputStream(bomb));
        assertEquals(64L << 20, manifest.totalSize());
    }

    @Test
    void rejectsAManifestHeaderClaimingMoreBytesThanAnArrayHoldsEvenWithoutAManifestLimit() {
        ObjectNode manifest = manifest(1);
        file(manifest, "/a.bin", PAGE);
        byte[] bundle = signedBundle(manifest, PAGE);
        // the first header's ustar size field: 3 GiB in octal, then the header checksum again
        byte[] size = String.format("%011o\0", 3L << 30).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, bundle, 124, size.length);
        Arrays.fill(bundle, 148, 156, (byte) ' ');
        long checksum = 0;
        for (int i = 0; i < 512; i++) {
            checksum += bundle[i] & 0xff;
        }
        byte[] field = String.format("%06o\0 ", checksum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, bundle, 148, field.length);

        assertRejectedWhole(Rule.LIMIT, BundleLimits.DEFAULTS.withMaxManifestBytes(Long.MAX_VALUE), bundle);
    }

    @Test
    void refusesLimitsThatAreNotPositive() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> BundleLimits.DEFAULTS.withMaxEntries(0));
        assertEquals("maxEntries must be greater than 0, but was 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BundleLimits.DEFAULTS.withMaxBundleBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> BundleLimits.DEFAULTS.withMaxGzipRatio(1));
    }

    private BundleException assertRejectedWhole(Rule rule, BundleLimits limits, byte[] bundle) {
        BundleException e = assertRejected(
                rule, () -> BundleFixtures.read(reader().limits(limits).build(), bundle, openStore()));
        assertStoreEmpty(openStore());
        return e;
    }

    private void assertAccepted(BundleLimits limits, byte[] bundle) throws IOException {
        BundleFixtures.read(reader().limits(limits).build(), bundle, openStore());
    }

    private BlobStore openStore() {
        try {
            return BlobStore.openUnsynced(storeDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gzip (level 9) of {@code count} zero bytes, written without holding them in memory. */
    private static byte[] gzippedZeros(long count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = bestGzip(out)) {
            writeZeros(gzip, count);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A valid signed bundle of one identity file of zeros, gzipped whole (level 9). */
    private static byte[] gzippedBundleOfZeros(long count) throws IOException {
        MessageDigest sha256 = sha256();
        byte[] zeros = new byte[1 << 20];
        for (long left = count; left > 0; left -= zeros.length) {
            sha256.update(zeros, 0, (int) Math.min(left, zeros.length));
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        ObjectNode manifest = manifest(1);
        file(manifest, "/zeros.bin", new Blob(digest, Encoding.IDENTITY, count, new byte[0]))
                .put("storedSize", count);
        byte[] json = json(manifest);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bestGzip(out))) {
            putEntry(tar, "manifest.json", json);
            putEntry(tar, "manifest.sig", SiteKeys.sign(TestKeys.SITE.getPrivate(), json));
            TarArchiveEntry blob = new TarArchiveEntry("blobs/" + digest);
            blob.setSize(count);
            tar.putArchiveEntry(blob);
            writeZeros(tar, count);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    private static void putEntry(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(data.length);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    private static GZIPOutputStream bestGzip(ByteArrayOutputStream out) throws IOException {
        return new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        };
    }

    private static void writeZeros(OutputStream out, long count) throws IOException {
        byte[] zeros = new byte[1 << 20];
        for (long left = count; left > 0; left -= zeros.length) {
            out.write(zeros, 0, (int) Math.min(left, zeros.length));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hands out at most 4 KiB per read, as a network would, and counts what was read. */
    private static final class TrickleStream extends InputStream {
        private final byte[] data;
        long consumed;

        TrickleStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return consumed < data.length ? data[(int) consumed++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (consumed >= data.length) {
                return -1;
            }
            int n = (int) Math.min(Math.min(length, 4096), data.length - consumed);
            System.arraycopy(data, (int) consumed, buffer, offset, n);
            consumed += n;
            return n;
        }
    }
}
