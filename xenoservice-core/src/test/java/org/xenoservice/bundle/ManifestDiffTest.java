package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.key.SiteKeys;

/** What changed between two versions of a site, as a peer operator or a release script sees it. */
class ManifestDiffTest {
    private static final KeyPair KEYS = SiteKeys.generate();

    @TempDir
    Path site;

    private Manifest build(long version, String cacheControl) throws IOException {
        return BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(site))
                .signingKey(KEYS.getPrivate())
                .version(version)
                .cacheControl(cacheControl)
                .build(new ByteArrayOutputStream())
                .manifest();
    }

    @Test
    void listsAddedChangedAndRemovedPathsSorted() throws IOException {
        Files.writeString(site.resolve("a.html"), "a");
        Files.writeString(site.resolve("b.html"), "b");
        Files.writeString(site.resolve("c.html"), "c");
        Manifest v1 = build(1, "no-cache");
        Files.writeString(site.resolve("b.html"), "b2");
        Files.delete(site.resolve("c.html"));
        Files.writeString(site.resolve("z.html"), "zz");
        Files.writeString(site.resolve("d.html"), "d");
        ManifestDiff diff = ManifestDiff.between(v1, build(2, "no-cache"));
        assertEquals(List.of("d.html", "z.html").stream().map(n -> "/" + n).toList(), diff.added());
        assertEquals(List.of("/b.html"), diff.changed());
        assertEquals(List.of("/c.html"), diff.removed());
        assertEquals(1, diff.unchanged());
        assertEquals(2 + 2 + 1, diff.addedOrChangedBytes());
    }

    @Test
    void aNewCacheControlIsAChangeButATouchIsNot() throws IOException {
        Files.writeString(site.resolve("a.html"), "a");
        Manifest v1 = build(1, "no-cache");
        Files.setLastModifiedTime(site.resolve("a.html"), FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        assertTrue(ManifestDiff.between(v1, build(2, "no-cache")).isEmpty(), "same bytes, same headers");
        assertEquals(
                List.of("/a.html"),
                ManifestDiff.between(v1, build(2, "max-age=60")).changed());
    }
}
