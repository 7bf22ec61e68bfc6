package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.key.SiteKeys;

/** Pushing only what a peer lacks: a thin copy of a signed bundle, read against the blobs held. */
class ThinBundleTest {
    private static final KeyPair KEYS = SiteKeys.generate();

    @TempDir
    Path dir;

    private byte[] build(Path site, long version, boolean gzip) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(site))
                .signingKey(KEYS.getPrivate())
                .version(version)
                .gzipWholeBundle(gzip)
                .build(out);
        return out.toByteArray();
    }

    @Test
    void aThinCopyCarriesOnlyTheLackingBlobsAndReadsAgainstTheHeldOnes() throws IOException {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>Books</h1>".repeat(50));
        Files.writeString(site.resolve("about.html"), "<p>Since 1962</p>".repeat(50));
        BlobStore store = BlobStore.openUnsynced(dir.resolve("store"));
        BundleReader reader = BundleReader.builder(KEYS.getPublic()).build();
        Manifest v1 = reader.read(new ByteArrayInputStream(build(site, 1, false)), store);

        Files.writeString(site.resolve("index.html"), "<h1>Books, and maps</h1>".repeat(50), StandardCharsets.UTF_8);
        byte[] v2 = build(site, 2, true);
        Manifest v2Manifest = BundleReader.peekManifest(new ByteArrayInputStream(v2));
        Set<String> lacking = new TreeSet<>(ThinBundle.digests(v2Manifest));
        lacking.removeAll(ThinBundle.digests(v1));
        assertEquals(1, lacking.size());

        ByteArrayOutputStream thin = new ByteArrayOutputStream();
        assertEquals(1, ThinBundle.write(new ByteArrayInputStream(v2), lacking, thin));

        BundleException withoutHeld = assertThrows(
                BundleException.class, () -> reader.read(new ByteArrayInputStream(thin.toByteArray()), store));
        assertEquals(BundleException.Rule.MISSING_BLOB, withoutHeld.rule());

        BundleReader peer = BundleReader.builder(KEYS.getPublic())
                .heldBlobs(v1.blobs())
                .servedVersion(1)
                .build();
        Manifest read = peer.read(new ByteArrayInputStream(thin.toByteArray()), store);
        assertEquals(v2Manifest.sha256(), read.sha256(), "the same signed manifest");

        BlobStore empty = BlobStore.openUnsynced(dir.resolve("empty"));
        BundleException notStored = assertThrows(
                BundleException.class, () -> peer.read(new ByteArrayInputStream(thin.toByteArray()), empty));
        assertEquals(BundleException.Rule.MISSING_BLOB, notStored.rule());
    }

    @Test
    void garbageIsNotABundle() {
        assertThrows(
                IOException.class,
                () -> ThinBundle.write(
                        new ByteArrayInputStream(new byte[2048]), Set.of(), new ByteArrayOutputStream()));
    }
}
