package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.bundle.BundleFixtures.assertRejected;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleException.Rule;
import org.xenoservice.bundle.HostileBundles.Blob;
import org.xenoservice.bundle.HostileBundles.Entry;

/** Reading an own bundle's blobs into memory: only those picked, each checked against the manifest. */
class BundleBlobsTest {
    private static final String PAGE = "<html><body>" + "antiquarian books ".repeat(200) + "</body></html>";

    @TempDir
    Path dir;

    @BeforeEach
    void writeSite() throws IOException {
        Files.writeString(dir.resolve("index.html"), PAGE);
        Files.write(dir.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Files.writeString(dir.resolve("copy.html"), PAGE);
    }

    @Test
    void readsEveryPickedBlobAsStoredAndDecoded() throws IOException {
        byte[] bundle = BundleFixtures.build(BundleFixtures.builder(dir, 1));

        BundleBlobs.Contents contents = BundleBlobs.read(new ByteArrayInputStream(bundle), Manifest::blobs);

        ManifestFile index = contents.manifest().file("/index.html").orElseThrow();
        assertEquals(Encoding.GZIP, index.encoding(), "a page is stored compressed");
        BundleBlobs.Blob page = contents.blobs().get(index.blob());
        assertArrayEquals(PAGE.getBytes(StandardCharsets.UTF_8), page.identity());
        assertEquals(index.storedSize(), page.stored().length);
        assertArrayEquals(
                page.identity(),
                new java.util.zip.GZIPInputStream(new ByteArrayInputStream(page.stored())).readAllBytes());
        ManifestFile logo = contents.manifest().file("/logo.png").orElseThrow();
        BundleBlobs.Blob image = contents.blobs().get(logo.blob());
        assertSame(image.stored(), image.identity(), "an identity blob is held once");
        assertEquals(2, contents.blobs().size(), "two paths of one content share one blob");
    }

    @Test
    void readsOnlyWhatIsPicked() throws IOException {
        byte[] bundle = BundleFixtures.build(BundleFixtures.builder(dir, 1));
        BundleBlobs.Contents contents = BundleBlobs.read(
                new ByteArrayInputStream(bundle),
                manifest -> Set.of(manifest.file("/logo.png").orElseThrow().blob()));

        assertEquals(
                Set.of(contents.manifest().file("/logo.png").orElseThrow().blob()),
                contents.blobs().keySet());
        assertEquals(3, contents.manifest().files().size());
    }

    @Test
    void readsABundleGzippedAsAWhole() throws IOException {
        byte[] bundle = BundleFixtures.build(BundleFixtures.builder(dir, 1).gzipWholeBundle(true));
        BundleBlobs.Contents contents = BundleBlobs.read(new ByteArrayInputStream(bundle), Manifest::blobs);
        assertEquals(2, contents.blobs().size());
    }

    @Test
    void refusesABlobThatDoesNotHashToItsName() {
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        Blob blob = Blob.identity(content);
        var manifest = HostileBundles.manifest(1);
        HostileBundles.file(manifest, "/hello.html", blob);
        byte[] bundle = HostileBundles.signedBundle(
                HostileBundles.json(manifest),
                List.of(Entry.file("blobs/" + blob.sha256(), "jello".getBytes(StandardCharsets.UTF_8))));

        assertRejected(Rule.BLOB_DIGEST, () -> BundleBlobs.read(new ByteArrayInputStream(bundle), Manifest::blobs));
    }

    @Test
    void refusesAGzipBlobThatIsNotOneGzipMember() {
        byte[] content = PAGE.getBytes(StandardCharsets.UTF_8);
        Blob blob = Blob.gzipped(content);
        byte[] trailing = java.util.Arrays.copyOf(blob.stored(), blob.stored().length + 1);
        var manifest = HostileBundles.manifest(1);
        HostileBundles.file(manifest, "/index.html", blob).put("storedSize", trailing.length);
        byte[] bundle = HostileBundles.signedBundle(
                HostileBundles.json(manifest), List.of(Entry.file("blobs/" + blob.sha256(), trailing)));

        assertRejected(Rule.BLOB_ENCODING, () -> BundleBlobs.read(new ByteArrayInputStream(bundle), Manifest::blobs));
    }

    @Test
    void refusesABlobOfAnotherSizeThanTheManifestSays() {
        byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
        Blob blob = Blob.identity(content);
        var manifest = HostileBundles.manifest(1);
        HostileBundles.file(manifest, "/hello.html", blob);
        byte[] bundle = HostileBundles.signedBundle(
                HostileBundles.json(manifest),
                List.of(Entry.file("blobs/" + blob.sha256(), "hello!".getBytes(StandardCharsets.UTF_8))));

        assertRejected(Rule.BLOB_SIZE, () -> BundleBlobs.read(new ByteArrayInputStream(bundle), Manifest::blobs));
    }

    @Test
    void refusesABundleWithoutAPickedBlob() throws IOException {
        byte[] bundle = BundleFixtures.build(BundleFixtures.builder(dir, 1));
        List<Entry> entries = new ArrayList<>(HostileBundles.entries(bundle));
        entries.removeIf(entry -> entry.name().startsWith("blobs/") && entry.data().length < 10);
        byte[] withoutLogo = HostileBundles.tar(entries);

        BundleException missing = assertRejected(
                Rule.MISSING_BLOB, () -> BundleBlobs.read(new ByteArrayInputStream(withoutLogo), Manifest::blobs));
        assertTrue(missing.getMessage().contains("/logo.png"), missing.getMessage());
        // the same bundle is fine for a caller that does not pick the missing blob
        BundleBlobs.Contents rest = BundleBlobs.read(
                new ByteArrayInputStream(withoutLogo),
                manifest -> manifest.files().stream()
                        .filter(file -> file.path().endsWith(".html"))
                        .map(ManifestFile::blob)
                        .collect(Collectors.toSet()));
        assertEquals(1, rest.blobs().size());
    }

    @Test
    void refusesWhatIsNotABundle() {
        assertRejected(
                Rule.NOT_A_BUNDLE, () -> BundleBlobs.read(new ByteArrayInputStream(new byte[0]), Manifest::blobs));
        byte[] noManifest = HostileBundles.tar(List.of(Entry.file("blobs/x", new byte[1])));
        assertRejected(Rule.ENTRY_ORDER, () -> BundleBlobs.read(new ByteArrayInputStream(noManifest), Manifest::blobs));
    }
}
