package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.bundle.BundleFixtures.assertRejected;
import static org.xenoservice.bundle.BundleFixtures.build;
import static org.xenoservice.bundle.BundleFixtures.decoded;
import static org.xenoservice.bundle.BundleFixtures.read;
import static org.xenoservice.bundle.BundleFixtures.reader;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleException.Rule;

/** A delta bundle lists the whole site but carries only the blobs its base lacks. */
class DeltaBundleTest {
    private static final byte[] NEW_INDEX = "<html><body>new arrivals: a Kelmscott Chaucer</body></html>\n"
            .repeat(20)
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path site;

    @TempDir
    Path storeDir;

    private Map<String, byte[]> files;
    private Manifest v1;
    private BlobStore store;

    @BeforeEach
    void storeVersionOne() throws IOException {
        files = SiteTrees.bookshop(site, 7);
        store = BlobStore.openUnsynced(storeDir);
        v1 = read(reader().build(), build(BundleFixtures.builder(site, 1)), store);
    }

    @Test
    void listsEveryFileButCarriesOnlyTheChangedBlob() throws IOException {
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        BuildResult v2 = BundleFixtures.builder(site, 2).base(v1).build(out);

        assertEquals(paths(v1), paths(v2.manifest()));
        assertEquals(1, v2.blobsCarried());
        assertEquals(v2.manifest().file("/index.html").orElseThrow().storedSize(), v2.carriedBytes());
        assertEquals(v1.sha256(), v2.manifest().base().orElseThrow());
        List<String> entries = HostileBundles.entries(out.toByteArray()).stream()
                .map(HostileBundles.Entry::name)
                .toList();
        assertEquals(
                List.of(
                        "manifest.json",
                        "manifest.sig",
                        "blobs/"
                                + v2.manifest()
                                        .file("/index.html")
                                        .orElseThrow()
                                        .sha256()),
                entries);
    }

    @Test
    void readsADeltaIntoTheStoreThatHoldsItsBase() throws IOException {
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        files.put("/index.html", NEW_INDEX);
        byte[] delta = build(BundleFixtures.builder(site, 2).base(v1));

        Manifest v2 = read(reader().base(v1).servedVersion(1).build(), delta, store);

        assertEquals(2, v2.version());
        for (ManifestFile file : v2.files()) {
            assertArrayEquals(files.get(file.path()), decoded(store, file.blob()), file.path());
        }
    }

    @Test
    void carriesAddedFilesAndDropsDeletedOnes() throws IOException {
        Files.delete(site.resolve("robots.txt"));
        SiteTrees.write(site, "/books/new.html", NEW_INDEX);

        BuildResult v2 = BundleFixtures.builder(site, 2).base(v1).build(OutputStream.nullOutputStream());

        assertTrue(v2.manifest().file("/robots.txt").isEmpty());
        assertTrue(v2.manifest().file("/books/new.html").isPresent());
        assertEquals(1, v2.blobsCarried());
    }

    @Test
    void carriesNothingWhenNothingChanged() throws IOException {
        byte[] delta = build(BundleFixtures.builder(site, 2).base(v1));

        assertEquals(2, HostileBundles.entries(delta).size());
        assertEquals(v1.files(), read(reader().base(v1).build(), delta, store).files());
    }

    @Test
    void rejectsADeltaWithoutItsBase() throws IOException {
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        byte[] delta = build(BundleFixtures.builder(site, 2).base(v1));

        BundleException e = assertRejected(Rule.BASE, () -> read(reader().build(), delta, store));
        assertTrue(e.getMessage().contains(v1.sha256()), e.getMessage());
        assertFalse(e.getMessage().contains("--"), "a library message names no CLI flag: " + e.getMessage());
        assertStoreHoldsOnly(v1);
    }

    @Test
    void acceptsADeltaOnAnyHeldManifest() throws IOException {
        SiteTrees.write(site, "/robots.txt", "changed\n".getBytes(StandardCharsets.UTF_8));
        Manifest v2 = read(reader().build(), build(BundleFixtures.builder(site, 2)), store);
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        byte[] deltaOnV1 = build(BundleFixtures.builder(site, 3).base(v1));

        Manifest v3 =
                read(reader().heldManifests(List.of(v2, v1)).servedVersion(2).build(), deltaOnV1, store);

        assertEquals(3, v3.version());
        assertEquals(v1.sha256(), v3.base().orElseThrow());
    }

    @Test
    void aDeltaOnAManifestNotHeldNamesTheBaseItLacksAndTheVersionsHeld() throws IOException {
        SiteTrees.write(site, "/robots.txt", "changed\n".getBytes(StandardCharsets.UTF_8));
        Manifest v2 = BundleFixtures.builder(site, 2)
                .build(OutputStream.nullOutputStream())
                .manifest();
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        byte[] deltaOnV2 = build(BundleFixtures.builder(site, 3).base(v2));

        BundleException e = assertRejected(
                Rule.BASE, () -> read(reader().heldManifests(List.of(v1)).build(), deltaOnV2, store));

        assertEquals(v2.sha256(), e.missingBase().orElseThrow());
        assertTrue(e.getMessage().contains("v1 (" + v1.sha256() + ")"), e.getMessage());
        assertFalse(e.getMessage().contains("--"), "a library message names no CLI flag: " + e.getMessage());
        assertStoreHoldsOnly(v1);
    }

    @Test
    void rejectsADeltaOnAnotherBase() throws IOException {
        SiteTrees.write(site, "/robots.txt", "changed\n".getBytes(StandardCharsets.UTF_8));
        Manifest otherBase = BundleFixtures.builder(site, 2)
                .build(OutputStream.nullOutputStream())
                .manifest();
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        byte[] delta = build(BundleFixtures.builder(site, 3).base(v1));

        assertRejected(Rule.BASE, () -> read(reader().base(otherBase).build(), delta, store));
        assertStoreHoldsOnly(v1);
    }

    @Test
    void rejectsADeltaWhoseBaseBlobsAreNotInTheStore(@TempDir Path emptyStoreDir) throws IOException {
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        byte[] delta = build(BundleFixtures.builder(site, 2).base(v1));
        BlobStore empty = BlobStore.openUnsynced(emptyStoreDir);

        BundleException e =
                assertRejected(Rule.MISSING_BLOB, () -> read(reader().base(v1).build(), delta, empty));
        assertTrue(e.getMessage().contains("push a full bundle"), e.getMessage());
        BundleFixtures.assertStoreEmpty(empty);
    }

    @Test
    void verifiesADeltaAgainstItsBaseWithoutAStore() throws IOException {
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        byte[] delta = build(BundleFixtures.builder(site, 2).base(v1));

        Manifest v2 = reader().base(v1).build().verify(new ByteArrayInputStream(delta));

        assertEquals(v1.sha256(), v2.base().orElseThrow());
    }

    @Test
    void rejectsADeltaThatIsNotNewerThanTheServedVersion() throws IOException {
        SiteTrees.write(site, "/index.html", NEW_INDEX);
        byte[] delta = build(BundleFixtures.builder(site, 2).base(v1));

        assertRejected(
                Rule.VERSION, () -> read(reader().base(v1).servedVersion(2).build(), delta, store));
        assertStoreHoldsOnly(v1);
    }

    @Test
    void refusesToBuildADeltaThatIsNotNewerThanItsBase() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> BundleFixtures.builder(site, 1).base(v1).build(OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("greater than the base's version"), e.getMessage());
    }

    @Test
    void verifiesADeltaOfOneChangeOnTenThousandFilesQuickly() throws IOException {
        Random random = new Random(3);
        Map<String, byte[]> many = new TreeMap<>();
        for (int i = 0; i < 10_000; i++) {
            many.put(String.format("/f/%05d.bin", i), SiteTrees.bytes(random, 64));
        }
        Manifest base = BundleBuilder.forSite(BundleFixtures.SITE)
                .source(new MemorySource(many))
                .signingKey(TestKeys.SITE.getPrivate())
                .version(1)
                .build(OutputStream.nullOutputStream())
                .manifest();
        many.put("/f/00000.bin", new byte[] {1});
        byte[] delta = build(BundleBuilder.forSite(BundleFixtures.SITE)
                .source(new MemorySource(many))
                .signingKey(TestKeys.SITE.getPrivate())
                .version(2)
                .base(base));
        BundleReader reader = reader().base(base).build();

        // a peer verifies deltas of big sites in well under a second; this bound only catches O(n²)
        Manifest v2 =
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reader.verify(new ByteArrayInputStream(delta)));

        assertEquals(10_000, v2.files().size());
    }

    private void assertStoreHoldsOnly(Manifest manifest) {
        assertEquals(
                manifest.blobs().size(),
                BundleFixtures.filesUnder(storeDir.resolve("blobs")).size());
        assertEquals(Set.of(), store.missing(manifest.blobs()));
        assertEquals(List.of(), BundleFixtures.filesUnder(storeDir.resolve("tmp")));
    }

    private static Set<String> paths(Manifest manifest) {
        return manifest.files().stream().map(ManifestFile::path).collect(Collectors.toSet());
    }
}
