package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.key.SiteKeys;

/** Writing a verified site back out as files: whole or nothing, and never outside the target. */
class TreeExtractorTest {
    private static final KeyPair KEYS = SiteKeys.generate();

    @TempDir
    Path dir;

    Path site;
    BlobStore store;
    Manifest manifest;

    @BeforeEach
    void buildAndReadASite() throws IOException {
        site = dir.resolve("site");
        write("index.html", "<h1>Antiquarian books</h1>\n".repeat(200));
        write("books/gulliver.html", "<p>Gulliver's Travels, 1726</p>");
        write("books/empty.txt", "");
        Files.setLastModifiedTime(site.resolve("index.html"), FileTime.from(Instant.parse("2026-01-02T03:04:05Z")));
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(site))
                .signingKey(KEYS.getPrivate())
                .version(1)
                .build(bundle);
        store = BlobStore.openUnsynced(dir.resolve("store"));
        manifest = BundleReader.builder(KEYS.getPublic())
                .build()
                .read(new ByteArrayInputStream(bundle.toByteArray()), store);
    }

    private void write(String relative, String text) throws IOException {
        Path file = site.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    @Test
    void writesEveryFileDecodedWithItsModificationTime() throws IOException {
        assertEquals(Encoding.GZIP, manifest.file("/index.html").orElseThrow().encoding(), "stored compressed");
        Path target = dir.resolve("out");
        TreeExtractor.extract(manifest, store, target);
        for (String relative : List.of("index.html", "books/gulliver.html", "books/empty.txt")) {
            assertArrayEquals(
                    Files.readAllBytes(site.resolve(relative)), Files.readAllBytes(target.resolve(relative)), relative);
        }
        assertEquals(
                Instant.parse("2026-01-02T03:04:05Z"),
                Files.getLastModifiedTime(target.resolve("index.html")).toInstant());
    }

    @Test
    void damagedBlobInTheStoreLeavesNoTree() throws IOException {
        Path blob = store.file(
                        manifest.file("/books/gulliver.html").orElseThrow().blob())
                .orElseThrow();
        byte[] bytes = Files.readAllBytes(blob);
        bytes[3] ^= 1;
        Files.write(blob, bytes);
        Path target = dir.resolve("out");
        IOException e = assertThrows(IOException.class, () -> TreeExtractor.extract(manifest, store, target));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        assertOnlyEntries(dir, "site", "store");
    }

    @Test
    void missingBlobLeavesNoTree() throws IOException {
        Files.delete(
                store.file(manifest.file("/index.html").orElseThrow().blob()).orElseThrow());
        Path target = dir.resolve("out");
        IOException e = assertThrows(IOException.class, () -> TreeExtractor.extract(manifest, store, target));
        assertTrue(e.getMessage().contains("not in the store"), e.getMessage());
        assertOnlyEntries(dir, "site", "store");
    }

    @Test
    void refusesATargetThatIsAFileOrNotEmpty() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThrows(FileAlreadyExistsException.class, () -> TreeExtractor.extract(manifest, store, file));
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("keep.txt"), "keep");
        FileAlreadyExistsException e =
                assertThrows(FileAlreadyExistsException.class, () -> TreeExtractor.extract(manifest, store, busy));
        assertTrue(e.getReason().contains("not empty"), e.getReason());
        assertEquals("keep", Files.readString(busy.resolve("keep.txt")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../escape", "/a/../../escape", "/a//b", "/./a", "/", "", "/a\\..\\b", "/a\u0000b"})
    void refusesPathsThatAreNotPlainPathsUnderTheTarget(String path) {
        Path root = dir.resolve("root");
        IOException e = assertThrows(IOException.class, () -> TreeExtractor.resolve(root, path));
        assertTrue(e.getMessage().startsWith("refusing to write"), e.getMessage());
    }

    @Test
    void mapsUrlPathsSegmentBySegment() throws IOException {
        Path root = dir.resolve("root");
        assertEquals(
                root.resolve("livres").resolve("café ☕").resolve("naïve.html"),
                TreeExtractor.resolve(root, "/livres/café ☕/naïve.html"));
    }

    @Test
    void extractBundleVerifiesADeltaWithItsBase() throws IOException {
        Path v1 = dir.resolve("v1.xsb");
        BuildResult first = BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(site))
                .signingKey(KEYS.getPrivate())
                .version(1)
                .build(v1);
        write("books/gulliver.html", "<p>Gulliver's Travels, 1726 — sold</p>");
        Path v2 = dir.resolve("v2.xsb");
        BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(site))
                .signingKey(KEYS.getPrivate())
                .version(2)
                .base(first.manifest())
                .build(v2);
        BundleReader reader =
                BundleReader.builder(KEYS.getPublic()).site("books.example").build();

        BundleException noBase = assertThrows(
                BundleException.class,
                () -> TreeExtractor.extractBundle(reader, v2, java.util.Optional.empty(), dir.resolve("nobase")));
        assertEquals(BundleException.Rule.BASE, noBase.rule());
        assertFalse(Files.exists(dir.resolve("nobase")));

        Manifest extracted = TreeExtractor.extractBundle(reader, v2, java.util.Optional.of(v1), dir.resolve("v2"));
        assertEquals(2, extracted.version());
        assertEquals(
                "<p>Gulliver's Travels, 1726 — sold</p>",
                Files.readString(dir.resolve("v2/books/gulliver.html"), StandardCharsets.UTF_8));
        assertOnlyEntries(dir, "site", "store", "v1.xsb", "v2.xsb", "v2");
    }

    private static void assertOnlyEntries(Path directory, String... names) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            assertEquals(
                    java.util.Set.of(names),
                    entries.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
                    "no partial tree and no scratch files are left behind");
        }
    }
}
