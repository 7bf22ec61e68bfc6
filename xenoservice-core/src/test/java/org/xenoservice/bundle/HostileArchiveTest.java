package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.bundle.BundleFixtures.assertRejected;
import static org.xenoservice.bundle.BundleFixtures.assertStoreEmpty;
import static org.xenoservice.bundle.BundleFixtures.build;
import static org.xenoservice.bundle.BundleFixtures.reader;
import static org.xenoservice.bundle.HostileBundles.flip;
import static org.xenoservice.bundle.HostileBundles.tar;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.bundle.BundleException.Rule;
import org.xenoservice.bundle.HostileBundles.Entry;
import org.xenoservice.key.SiteKeys;

/**
 * Archives that break the tar layout of a bundle — altered bytes, odd entry names and types,
 * duplicates, wrong order, truncation, garbage — are rejected whole, leaving the store empty.
 */
class HostileArchiveTest {
    private static final String SOME_DIGEST = HostileBundles.sha256(new byte[] {42});

    @TempDir
    Path site;

    @TempDir
    Path storeDir;

    private byte[] valid;
    private Manifest manifest;
    /** manifest.json, manifest.sig, then the blobs. */
    private List<Entry> entries;

    private String identityBlob;

    @BeforeEach
    void buildValidBundle() throws IOException {
        Random random = new Random(5);
        Map<String, byte[]> files = new TreeMap<>();
        SiteTrees.put(
                site,
                files,
                "/index.html",
                "<p>a first edition in the original boards</p>\n".repeat(50).getBytes(StandardCharsets.UTF_8));
        SiteTrees.put(site, files, "/logo.png", SiteTrees.bytes(random, 2_000));
        SiteTrees.put(site, files, "/data.bin", SiteTrees.bytes(random, 3_000));
        valid = build(BundleFixtures.builder(site, 1));
        manifest = BundleReader.peekManifest(new ByteArrayInputStream(valid));
        entries = HostileBundles.entries(valid);
        identityBlob = "blobs/" + manifest.file("/logo.png").orElseThrow().sha256();
        assertEquals(5, entries.size());
    }

    @Test
    void acceptsTheValidBundleReassembledByTheCrafter() throws IOException {
        BlobStore store = BlobStore.openUnsynced(storeDir);

        assertEquals(manifest, BundleFixtures.read(reader().build(), tar(entries), store));
    }

    @Test
    void rejectsAFlippedBlobByte() {
        byte[] data = entry(identityBlob).data();

        assertRejectedWhole(
                Rule.BLOB_DIGEST, replace(identityBlob, entry(identityBlob).withData(flip(data, 1234))));
    }

    @Test
    void rejectsAFlippedByteInThePackedBundle() {
        int offset = indexOf(valid, entry(identityBlob).data()) + 17;

        assertRejectedWhole(Rule.BLOB_DIGEST, flip(valid, offset));
    }

    @Test
    void rejectsAnEditedManifestByte() {
        byte[] json = entries.get(0).data();
        byte[] edited = new String(json, StandardCharsets.UTF_8)
                .replace("\"version\":1", "\"version\":9")
                .getBytes(StandardCharsets.UTF_8);

        BundleException e = assertRejectedWhole(
                Rule.SIGNATURE, replace("manifest.json", entries.get(0).withData(edited)));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void rejectsAZeroedSignature() {
        assertRejectedWhole(
                Rule.SIGNATURE, replace("manifest.sig", entries.get(1).withData(new byte[64])));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 63, 65, 128})
    void rejectsASignatureOfTheWrongLength(int length) {
        byte[] signature = Arrays.copyOf(entries.get(1).data(), length);

        BundleException e = assertRejectedWhole(
                Rule.SIGNATURE, replace("manifest.sig", entries.get(1).withData(signature)));
        assertTrue(e.getMessage().contains("64 bytes"), e.getMessage());
    }

    @Test
    void rejectsABundleSignedWithAnotherKey() {
        byte[] signature =
                SiteKeys.sign(TestKeys.OTHER.getPrivate(), entries.get(0).data());

        assertRejectedWhole(
                Rule.SIGNATURE, replace("manifest.sig", entries.get(1).withData(signature)));
    }

    @Test
    void rejectsABundleWithoutSignature() {
        assertRejectedWhole(Rule.SIGNATURE, tar(List.of(entries.get(0))));
    }

    @Test
    void rejectsBlobsBeforeTheSignature() {
        List<Entry> reordered = new ArrayList<>(entries);
        reordered.add(1, reordered.remove(2));

        assertRejectedWhole(Rule.ENTRY_ORDER, tar(reordered));
    }

    @Test
    void rejectsTheSignatureBeforeTheManifest() {
        List<Entry> reordered = new ArrayList<>(entries);
        reordered.add(0, reordered.remove(1));

        assertRejectedWhole(Rule.ENTRY_ORDER, tar(reordered));
    }

    static Stream<String> strayNames() {
        return Stream.of(
                "../manifest.json",
                "../../etc/passwd",
                "blobs/../manifest.json",
                "blobs/../../" + SOME_DIGEST,
                "/etc/passwd",
                "/manifest.json",
                "/blobs/" + SOME_DIGEST,
                "./manifest.json",
                "blobs/",
                "blobs",
                "blobs/" + SOME_DIGEST.toUpperCase(Locale.ROOT),
                "blobs/" + SOME_DIGEST + ".gz",
                "blobs/" + SOME_DIGEST + "/x",
                "blobs/" + SOME_DIGEST.substring(1),
                "blobs//" + SOME_DIGEST,
                "blobs\\" + SOME_DIGEST,
                "readme.txt",
                "MANIFEST.JSON",
                "manifest.json/",
                "blobs/" + "é".repeat(64),
                "x".repeat(300));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("strayNames")
    void rejectsAnEntryWithAStrayNameAfterTheBlobs(String name) {
        List<Entry> withStray = new ArrayList<>(entries);
        withStray.add(stray(name));

        assertRejectedWhole(Rule.ENTRY_NAME, tar(withStray));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("strayNames")
    void rejectsAnEntryWithAStrayNameFirst(String name) {
        List<Entry> withStray = new ArrayList<>(entries);
        withStray.add(0, stray(name));

        assertRejectedWhole(Rule.ENTRY_NAME, tar(withStray));
    }

    static Stream<Arguments> nonRegularTypes() {
        return Stream.of(
                Arguments.of("symbolic link", TarConstants.LF_SYMLINK, "/etc/passwd", Rule.ENTRY_TYPE),
                Arguments.of("hard link", TarConstants.LF_LINK, "manifest.json", Rule.ENTRY_TYPE),
                Arguments.of("character device", TarConstants.LF_CHR, "", Rule.ENTRY_TYPE),
                Arguments.of("block device", TarConstants.LF_BLK, "", Rule.ENTRY_TYPE),
                Arguments.of("fifo", TarConstants.LF_FIFO, "", Rule.ENTRY_TYPE),
                Arguments.of("contiguous file", TarConstants.LF_CONTIG, "", Rule.ENTRY_TYPE),
                // Commons Compress reads a directory's name with a trailing '/', which no valid name has
                Arguments.of("directory", TarConstants.LF_DIR, "", Rule.ENTRY_NAME));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonRegularTypes")
    void rejectsABlobEntryThatIsNotARegularFile(String what, byte type, String target, Rule rule) {
        BundleException e = assertRejectedWhole(rule, replace(identityBlob, Entry.ofType(identityBlob, type, target)));
        if (rule == Rule.ENTRY_TYPE) {
            assertTrue(e.getMessage().contains("is not a regular file"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nonRegularTypes")
    void rejectsAManifestEntryThatIsNotARegularFile(String what, byte type, String target, Rule rule) {
        assertRejectedWhole(rule, replace("manifest.json", Entry.ofType("manifest.json", type, target)));
    }

    @Test
    void rejectsASecondManifest() {
        List<Entry> twice = new ArrayList<>(entries);
        twice.add(1, entries.get(0));

        assertRejectedWhole(Rule.DUPLICATE_ENTRY, tar(twice));
    }

    @Test
    void rejectsASecondManifestAfterTheBlobs() {
        List<Entry> twice = new ArrayList<>(entries);
        twice.add(entries.get(0));

        assertRejectedWhole(Rule.DUPLICATE_ENTRY, tar(twice));
    }

    @Test
    void rejectsASecondSignature() {
        List<Entry> twice = new ArrayList<>(entries);
        twice.add(2, entries.get(1));

        assertRejectedWhole(Rule.DUPLICATE_ENTRY, tar(twice));
    }

    @Test
    void rejectsADuplicateBlob() {
        List<Entry> twice = new ArrayList<>(entries);
        twice.add(entry(identityBlob));

        assertRejectedWhole(Rule.DUPLICATE_ENTRY, tar(twice));
    }

    @Test
    void rejectsAnUnreferencedBlob() {
        List<Entry> extra = new ArrayList<>(entries);
        extra.add(Entry.file("blobs/" + SOME_DIGEST, new byte[] {42}));

        assertRejectedWhole(Rule.UNREFERENCED_BLOB, tar(extra));
    }

    @Test
    void rejectsAMissingBlob() {
        List<Entry> fewer = new ArrayList<>(entries);
        fewer.remove(entry(identityBlob));

        BundleException e = assertRejectedWhole(Rule.MISSING_BLOB, tar(fewer));
        assertTrue(e.getMessage().contains("/logo.png"), e.getMessage());
    }

    @Test
    void rejectsAGzipBlobWithBytesAfterTheGzipMember() {
        // a well-formed gzip member followed by junk, with the manifest's stored size matching it all
        byte[] content = "<p>gzip</p>".repeat(100).getBytes(StandardCharsets.UTF_8);
        byte[] stored = HostileBundles.gzip(content, 9);
        byte[] padded = Arrays.copyOf(stored, stored.length + 8);
        var crafted = HostileBundles.manifest(1);
        HostileBundles.file(crafted, "/a.html", HostileBundles.Blob.gzipped(content))
                .put("storedSize", padded.length);
        byte[] bundle = HostileBundles.signedBundle(
                HostileBundles.json(crafted), List.of(Entry.file("blobs/" + HostileBundles.sha256(content), padded)));

        assertRejectedWhole(Rule.BLOB_ENCODING, bundle);
    }

    @Test
    void rejectsAGzipBlobThatIsNotGzip() {
        byte[] content = "<p>plain</p>".repeat(100).getBytes(StandardCharsets.UTF_8);
        var crafted = HostileBundles.manifest(1);
        HostileBundles.file(crafted, "/a.html", HostileBundles.Blob.identity(content))
                .put("encoding", "gzip");

        assertRejectedWhole(
                Rule.BLOB_ENCODING, HostileBundles.signedBundle(crafted, HostileBundles.Blob.identity(content)));
    }

    /** Where in an entry to cut the bundle. */
    enum Cut {
        IN_HEADER,
        IN_DATA,
        IN_PADDING
    }

    static Stream<Arguments> cuts() {
        Stream.Builder<Arguments> cuts = Stream.builder();
        for (int entry = 0; entry < 5; entry++) {
            for (Cut cut : Cut.values()) {
                cuts.add(Arguments.of(entry, cut));
            }
        }
        return cuts.build();
    }

    @ParameterizedTest(name = "entry {0}, {1}")
    @MethodSource("cuts")
    void rejectsATruncatedBundle(int index, Cut where) {
        Entry entry = entries.get(index);
        int dataStart = indexOf(valid, entry.data());
        int cut = switch (where) {
            case IN_HEADER -> dataStart - 400;
            case IN_DATA -> dataStart + entry.data().length / 2;
            case IN_PADDING -> dataStart + entry.data().length + 1;
        };
        byte[] truncated = Arrays.copyOf(valid, cut);

        BundleException e = assertThrows(
                BundleException.class,
                () -> BundleFixtures.read(reader().build(), truncated, BlobStore.openUnsynced(storeDir)));
        if (where != Cut.IN_HEADER) {
            // a cut inside a header looks like the end of the archive to tar: then a later rule fails
            assertEquals(Rule.TRUNCATED, e.rule(), e.getMessage());
        }
        assertStoreEmpty(openStore());
    }

    @ParameterizedTest(name = "at {0} % of the compressed bundle")
    @ValueSource(ints = {1, 10, 30, 50, 70, 90, 99})
    void rejectsATruncatedGzippedBundle(int percent) throws IOException {
        byte[] gzipped = build(BundleFixtures.builder(site, 1).gzipWholeBundle(true));
        byte[] truncated = Arrays.copyOf(gzipped, gzipped.length * percent / 100);

        assertThrows(
                BundleException.class,
                () -> BundleFixtures.read(reader().build(), truncated, BlobStore.openUnsynced(storeDir)));
        assertStoreEmpty(openStore());
    }

    @Test
    void rejectsEmptyInput() {
        BundleException e = assertRejectedWhole(Rule.NOT_A_BUNDLE, new byte[0]);
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void rejectsGarbage(long seed) {
        assertRejectedWhole(Rule.NOT_A_BUNDLE, SiteTrees.bytes(new Random(seed), 10_000));
    }

    @Test
    void rejectsGarbageThatStartsLikeGzip() {
        byte[] garbage = SiteTrees.bytes(new Random(4), 10_000);
        garbage[0] = 0x1f;
        garbage[1] = (byte) 0x8b;

        assertRejectedWhole(Rule.NOT_A_BUNDLE, garbage);
    }

    @Test
    void rejectsAnArchiveWithNoEntries() {
        assertRejectedWhole(Rule.NOT_A_BUNDLE, tar(List.of()));
    }

    @Test
    void rejectsText() {
        assertRejectedWhole(
                Rule.NOT_A_BUNDLE, "{\"format\":\"xenoservice-bundle/1\"}\n".getBytes(StandardCharsets.UTF_8));
    }

    private BundleException assertRejectedWhole(Rule rule, byte[] bundle) {
        BundleException e = assertRejected(rule, () -> BundleFixtures.read(reader().build(), bundle, openStore()));
        assertStoreEmpty(openStore());
        assertRejected(rule, () -> reader().build().verify(new ByteArrayInputStream(bundle)));
        return e;
    }

    /** An entry with the name; a name ending in '/' is a directory to tar, so it has no data. */
    private static Entry stray(String name) {
        return Entry.file(name, name.endsWith("/") ? new byte[0] : "root:x:0:0".getBytes(StandardCharsets.UTF_8));
    }

    private BlobStore openStore() {
        try {
            return BlobStore.openUnsynced(storeDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Entry entry(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    private byte[] replace(String name, Entry replacement) {
        List<Entry> replaced = new ArrayList<>(entries);
        replaced.set(replaced.indexOf(entry(name)), replacement);
        return tar(replaced);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
