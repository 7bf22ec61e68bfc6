package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.bundle.BundleFixtures.build;
import static org.xenoservice.bundle.BundleFixtures.decoded;
import static org.xenoservice.bundle.BundleFixtures.read;
import static org.xenoservice.bundle.BundleFixtures.reader;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A site built into a bundle and read back into a blob store is the same site. */
class BundleRoundTripTest {
    @TempDir
    Path site;

    @TempDir
    Path storeDir;

    @ParameterizedTest(name = "gzipWholeBundle={0}")
    @ValueSource(booleans = {false, true})
    void readsBackEveryFileOfARealisticSiteByteForByte(boolean gzipWholeBundle) throws IOException {
        Map<String, byte[]> files = SiteTrees.bookshop(site, 7);
        byte[] bundle = build(BundleFixtures.builder(site, 1).gzipWholeBundle(gzipWholeBundle));
        BlobStore store = BlobStore.openUnsynced(storeDir);

        Manifest manifest = read(reader().build(), bundle, store);

        assertEquals(files.keySet(), paths(manifest));
        for (Map.Entry<String, byte[]> source : files.entrySet()) {
            ManifestFile file = manifest.file(source.getKey()).orElseThrow();
            assertArrayEquals(source.getValue(), decoded(store, file.blob()), file.path());
            assertEquals(source.getValue().length, file.size(), file.path());
            assertEquals(file.storedSize(), Files.size(store.file(file.blob()).orElseThrow()), file.path());
            assertEquals(SiteTrees.MTIME, file.lastModified(), file.path());
            assertEquals(BundleBuilder.DEFAULT_CACHE_CONTROL, file.cacheControl(), file.path());
        }
        assertEquals(BundleFixtures.SITE, manifest.site());
        assertEquals(1, manifest.version());
        assertEquals(BundleFixtures.CREATED, manifest.created());
        assertEquals(Manifest.FORMAT, manifest.format());
        assertTrue(manifest.base().isEmpty());
    }

    static Stream<Arguments> contentTypesAndEncodings() {
        return Stream.of(
                Arguments.of("/index.html", "text/html; charset=utf-8", Encoding.GZIP),
                Arguments.of("/css/shop.css", "text/css; charset=utf-8", Encoding.GZIP),
                Arguments.of("/js/app.js", "text/javascript; charset=utf-8", Encoding.GZIP),
                Arguments.of("/js/vendor/big.js", "text/javascript; charset=utf-8", Encoding.GZIP),
                Arguments.of("/café/naïve ☕.html", "text/html; charset=utf-8", Encoding.GZIP),
                Arguments.of("/中文/索引.html", "text/html; charset=utf-8", Encoding.GZIP),
                Arguments.of("/images/logo.png", "image/png", Encoding.IDENTITY),
                Arguments.of("/images/cover.jpg", "image/jpeg", Encoding.IDENTITY),
                Arguments.of("/downloads/catalogue.bin", "application/octet-stream", Encoding.IDENTITY),
                Arguments.of("/empty.txt", "text/plain; charset=utf-8", Encoding.IDENTITY),
                Arguments.of("/robots.txt", "text/plain; charset=utf-8", Encoding.IDENTITY),
                Arguments.of("/日本語/ファイル.txt", "text/plain; charset=utf-8", Encoding.IDENTITY),
                Arguments.of("/deep/a/b/c/d/e/f/leaf.json", "application/json", Encoding.IDENTITY));
    }

    @ParameterizedTest(name = "{0} is {1}, stored {2}")
    @MethodSource("contentTypesAndEncodings")
    void givesEachFileItsContentTypeAndStoresOnlyCompressibleTextAsGzip(
            String path, String contentType, Encoding encoding) throws IOException {
        SiteTrees.bookshop(site, 7);

        Manifest manifest = BundleFixtures.builder(site, 1)
                .build(OutputStream.nullOutputStream())
                .manifest();

        ManifestFile file = manifest.file(path).orElseThrow();
        assertEquals(contentType, file.contentType());
        assertEquals(encoding, file.encoding());
        if (encoding == Encoding.GZIP) {
            assertTrue(file.storedSize() * 100 <= file.size() * 90, "gzip saves at least 10 %");
        } else {
            assertEquals(file.size(), file.storedSize());
        }
    }

    @Test
    void publishesWellKnownButNeverOtherDotFiles() throws IOException {
        SiteTrees.bookshop(site, 7);

        Manifest manifest = BundleFixtures.builder(site, 1)
                .build(OutputStream.nullOutputStream())
                .manifest();

        assertTrue(manifest.file("/.well-known/security.txt").isPresent());
        assertFalse(
                paths(manifest).stream().anyMatch(p -> p.startsWith("/.git") || p.equals("/.env")),
                paths(manifest)::toString);
    }

    @Test
    void carriesDuplicateContentOnce() throws IOException {
        SiteTrees.bookshop(site, 7);

        BuildResult result = BundleFixtures.builder(site, 1).build(OutputStream.nullOutputStream());

        Manifest manifest = result.manifest();
        assertEquals(
                manifest.file("/css/shop.css").orElseThrow().blob(),
                manifest.file("/css/copy-of-shop.css").orElseThrow().blob());
        assertEquals(manifest.files().size() - 1, manifest.blobs().size());
        assertEquals(manifest.blobs().size(), result.blobsCarried());
    }

    @Test
    void reportsWhatItWrote() throws IOException {
        SiteTrees.bookshop(site, 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        BuildResult result = BundleFixtures.builder(site, 1).build(out);

        assertEquals(out.size(), result.bundleBytes());
        long stored = result.manifest().files().stream()
                .filter(distinctBlob())
                .mapToLong(ManifestFile::storedSize)
                .sum();
        assertEquals(stored, result.carriedBytes());
    }

    @ParameterizedTest(name = "gzipWholeBundle={0}")
    @ValueSource(booleans = {false, true})
    void buildsByteIdenticalBundlesFromTheSameTree(boolean gzipWholeBundle) throws IOException {
        SiteTrees.bookshop(site, 7);

        byte[] first = build(BundleFixtures.builder(site, 3).gzipWholeBundle(gzipWholeBundle));
        byte[] second = build(BundleFixtures.builder(site, 3).gzipWholeBundle(gzipWholeBundle));

        assertArrayEquals(first, second);
    }

    @Test
    void writesTheSameBytesToAFileAsToAStreamAndLeavesNoPartialFile(@TempDir Path out) throws IOException {
        SiteTrees.bookshop(site, 7);
        Path file = out.resolve("books-1.xsb");

        BundleFixtures.builder(site, 1).build(file);

        assertArrayEquals(build(BundleFixtures.builder(site, 1)), Files.readAllBytes(file));
        try (Stream<Path> listing = Files.list(out)) {
            assertEquals(Set.of(file), listing.collect(Collectors.toSet()));
        }
    }

    @Test
    void verifyAndPeekGiveTheManifestThatWasBuilt() throws IOException {
        SiteTrees.bookshop(site, 7);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Manifest built = BundleFixtures.builder(site, 1).build(out).manifest();
        byte[] bundle = out.toByteArray();

        assertEquals(built, reader().build().verify(new ByteArrayInputStream(bundle)));
        assertEquals(built, BundleReader.peekManifest(new ByteArrayInputStream(bundle)));
    }

    @Test
    void readingTheSameBundleTwiceKeepsTheStoredBlobs() throws IOException {
        SiteTrees.bookshop(site, 7);
        byte[] bundle = build(BundleFixtures.builder(site, 1));
        BlobStore store = BlobStore.openUnsynced(storeDir);
        Manifest first = read(reader().build(), bundle, store);

        Manifest second = read(reader().build(), bundle, store);

        assertEquals(first, second);
        assertEquals(Set.of(), store.missing(second.blobs()));
        assertEquals(
                second.blobs().size(),
                BundleFixtures.filesUnder(storeDir.resolve("blobs")).size());
        assertEquals(List.of(), BundleFixtures.filesUnder(storeDir.resolve("tmp")));
    }

    @Test
    void roundTripsTenThousandSmallFiles() throws IOException {
        Map<String, byte[]> files = SiteTrees.manySmallFiles(site, 10_000, 11);
        byte[] bundle = build(BundleFixtures.builder(site, 1));
        BlobStore store = BlobStore.openUnsynced(storeDir);

        Manifest manifest = read(reader().build(), bundle, store);

        assertEquals(10_000, manifest.files().size());
        assertEquals(files.keySet(), paths(manifest));
        for (ManifestFile file : manifest.files()) {
            assertArrayEquals(files.get(file.path()), decoded(store, file.blob()), file.path());
        }
    }

    private static Set<String> paths(Manifest manifest) {
        Set<String> paths = new HashSet<>();
        manifest.files().forEach(f -> paths.add(f.path()));
        return paths;
    }

    private static Predicate<ManifestFile> distinctBlob() {
        Set<BlobKey> seen = new HashSet<>();
        return f -> seen.add(f.blob());
    }
}
