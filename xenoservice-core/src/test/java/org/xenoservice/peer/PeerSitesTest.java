package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ThinBundle;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.SiteQuota;

/** A peer's sites: staged, activated, retired, never rolled back, within quota, and back after a restart. */
class PeerSitesTest {
    private static final KeyPair BOOKS = SiteKeys.generate();
    private static final KeyPair MAPS = SiteKeys.generate();

    @TempDir
    Path dir;

    Path site;
    PeerSites peer;

    @BeforeEach
    void openPeer() throws IOException {
        site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>Antiquarian books</h1>".repeat(40));
        Files.writeString(site.resolve("about.html"), "<p>Family-run since 1962</p>".repeat(40));
        peer = open(SiteQuota.DEFAULT);
    }

    private PeerSites open(SiteQuota quota) throws IOException {
        return PeerSites.open(
                dir.resolve("state"),
                BlobStore.openUnsynced(dir.resolve("store")),
                List.of(
                        new Enrollment("Books.Example", BOOKS.getPublic(), quota),
                        new Enrollment("maps.example", MAPS.getPublic(), SiteQuota.DEFAULT)));
    }

    private byte[] bundle(String host, KeyPair keys, long version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleBuilder.forSite(host)
                .source(DirectorySource.of(site))
                .signingKey(keys.getPrivate())
                .version(version)
                .build(out);
        return out.toByteArray();
    }

    private byte[] delta(long version, Manifest base) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(site))
                .signingKey(BOOKS.getPrivate())
                .version(version)
                .base(base)
                .build(out);
        return out.toByteArray();
    }

    @Test
    void aDeltaIsTakenOnTheServedVersionAndOnAStagedOne() throws Exception {
        Manifest v1 = receive("books.example", bundle("books.example", BOOKS, 1));
        peer.activate("books.example", 1);
        Files.writeString(site.resolve("index.html"), "<h1>Maps and atlases too</h1>");
        Manifest v2 = receive("books.example", delta(2, v1));
        Files.writeString(site.resolve("index.html"), "<h1>And engravings</h1>");

        Manifest v3 = receive("books.example", delta(3, v2));

        peer.activate("books.example", 3);
        assertEquals(
                v3.sha256(), peer.find("books.example").orElseThrow().manifest().sha256());
    }

    @Test
    void aDeltaOnABaseNeverReceivedIsRefusedNamingTheBaseAndTheVersionsHeld() throws Exception {
        Manifest v1 = receive("books.example", bundle("books.example", BOOKS, 1));
        Files.writeString(site.resolve("index.html"), "<h1>Maps and atlases too</h1>");
        Manifest unseen = BundleReader.peekManifest(new ByteArrayInputStream(bundle("books.example", BOOKS, 2)));
        Files.writeString(site.resolve("index.html"), "<h1>And engravings</h1>");

        PeerException e = assertThrows(PeerException.class, () -> receive("books.example", delta(3, unseen)));

        assertEquals(400, e.status());
        assertEquals("bundle-base", e.reason());
        assertTrue(e.getMessage().contains(unseen.sha256()), e.getMessage());
        assertTrue(e.getMessage().contains("v1 (" + v1.sha256() + ")"), e.getMessage());
    }

    private Manifest receive(String host, byte[] bundle) throws Exception {
        return peer.receive(host, new ByteArrayInputStream(bundle));
    }

    @Test
    void aReceivedVersionIsServedOnlyOnceActivated() throws Exception {
        receive("books.example", bundle("books.example", BOOKS, 1));
        assertTrue(peer.find("books.example").isEmpty(), "staged, not served");
        peer.activate("books.example", 1);
        ServedSite served = peer.find("BOOKS.example").orElseThrow();
        assertEquals(1, served.version());
        assertTrue(served.resolve("/").isPresent());
        assertEquals(List.of(1L), peer.holdings("books.example").versions());
    }

    @Test
    void rollbacksAreRefused() throws Exception {
        receive("books.example", bundle("books.example", BOOKS, 1));
        Files.writeString(site.resolve("index.html"), "<h1>New stock</h1>");
        receive("books.example", bundle("books.example", BOOKS, 2));
        peer.activate("books.example", 2);
        PeerException rollback = assertThrows(PeerException.class, () -> peer.activate("books.example", 1));
        assertEquals(409, rollback.status());
        assertEquals("rollback", rollback.reason());
        PeerException old =
                assertThrows(PeerException.class, () -> receive("books.example", bundle("books.example", BOOKS, 2)));
        assertEquals(409, old.status());
        assertEquals("version", old.reason());
        assertEquals(2, peer.find("books.example").orElseThrow().version());
    }

    @Test
    void aPushSendsOnlyWhatThePeerLacks() throws Exception {
        Manifest v1 = receive("books.example", bundle("books.example", BOOKS, 1));
        Files.writeString(site.resolve("index.html"), "<h1>Maps and atlases too</h1>".repeat(40));
        byte[] v2 = bundle("books.example", BOOKS, 2);
        Manifest v2Manifest = BundleReader.peekManifest(new ByteArrayInputStream(v2));
        Set<String> missing = peer.missing("books.example", ThinBundle.digests(v2Manifest));
        Set<String> expected = new TreeSet<>(ThinBundle.digests(v2Manifest));
        expected.removeAll(ThinBundle.digests(v1));
        assertEquals(expected, new TreeSet<>(missing));
        ByteArrayOutputStream thin = new ByteArrayOutputStream();
        ThinBundle.write(new ByteArrayInputStream(v2), missing, thin);
        assertEquals(
                v2Manifest.sha256(),
                receive("books.example", thin.toByteArray()).sha256());
        peer.activate("books.example", 2);
    }

    @Test
    void missingDoesNotRevealAnotherSitesBlobs() throws Exception {
        receive("maps.example", bundle("maps.example", MAPS, 1));
        Manifest books = BundleReader.peekManifest(new ByteArrayInputStream(bundle("books.example", BOOKS, 1)));
        assertEquals(
                ThinBundle.digests(books),
                new TreeSet<>(peer.missing("books.example", ThinBundle.digests(books))),
                "same content pushed by maps.example does not count for books.example");
    }

    @Test
    void aBundleSignedWithAnotherKeyIsRefusedAndNothingIsStaged() throws Exception {
        PeerException e =
                assertThrows(PeerException.class, () -> receive("books.example", bundle("books.example", MAPS, 1)));
        assertEquals(400, e.status());
        assertEquals("bundle-signature", e.reason());
        assertEquals(List.of(), peer.holdings("books.example").versions());
    }

    @Test
    void strangersAndUnknownVersionsAre404() throws Exception {
        assertEquals(
                404,
                assertThrows(PeerException.class, () -> peer.holdings("evil.example"))
                        .status());
        PeerException notStaged = assertThrows(PeerException.class, () -> peer.activate("books.example", 9));
        assertEquals("not-staged", notStaged.reason());
        assertEquals(404, notStaged.status());
    }

    @Test
    void aSiteOverItsStorageQuotaIsRefused() throws Exception {
        peer = open(new SiteQuota(100, 1_000, 1.0));
        PeerException e =
                assertThrows(PeerException.class, () -> receive("books.example", bundle("books.example", BOOKS, 1)));
        assertEquals(413, e.status());
        assertEquals("quota", e.reason());
        assertEquals(List.of(), peer.holdings("books.example").versions());
    }

    @Test
    void blobsOfTheSharedLayoutAreMovedIntoTheSitesOwnStoreAtStartUp() throws Exception {
        // what a peer of an earlier release left: blobs in the shared store, manifest and active version
        BlobStore shared = BlobStore.openUnsynced(dir.resolve("legacy"));
        Manifest v1 = BundleReader.builder(BOOKS.getPublic())
                .build()
                .read(new ByteArrayInputStream(bundle("books.example", BOOKS, 1)), shared);
        Path state = dir.resolve("legacy-state/sites/books.example");
        Files.createDirectories(state.resolve("manifests"));
        Files.write(state.resolve("manifests/1.json"), v1.bytes());
        Files.writeString(state.resolve("active"), "1");
        assertAllStored(v1, shared);

        PeerSites upgraded = PeerSites.open(
                dir.resolve("legacy-state"),
                BlobStore.openUnsynced(dir.resolve("legacy")),
                List.of(new Enrollment("books.example", BOOKS.getPublic(), SiteQuota.DEFAULT)));
        ServedSite served = upgraded.find("books.example").orElseThrow();
        assertEquals(1, served.version());
        assertAllStored(v1, served.store());
        for (var file : v1.files()) {
            assertFalse(shared.contains(file.blob()), "the shared copy of " + file.path() + " is gone");
        }
    }

    /** Checks every blob of a manifest is in a store. */
    private static void assertAllStored(Manifest manifest, BlobStore store) {
        for (var file : manifest.files()) {
            assertTrue(store.contains(file.blob()), file.path() + " in " + store.root());
        }
    }

    @Test
    void bytesKeptElsewhereForASiteCountTowardItsQuota() throws Exception {
        peer = open(new SiteQuota(64 << 10, 1_000, 1.0));
        byte[] bundle = bundle("books.example", BOOKS, 1);
        peer.countOtherBytesOnDisk(host -> host.equals("books.example") ? (64 << 10) - 10 : 0);
        PeerException e = assertThrows(PeerException.class, () -> receive("books.example", bundle));
        assertEquals(413, e.status());
        assertTrue(e.getMessage().contains("captured requests"), e.getMessage());
        assertEquals(0, peer.storedBytes("books.example"));
        assertEquals((64 << 10) - 10, peer.diskBytes("books.example"), "nothing of the refused bundle stays");

        peer.countOtherBytesOnDisk(host -> 0);
        receive("books.example", bundle);
        assertTrue(peer.storedBytes("books.example") > 0);
        assertTrue(peer.diskBytes("books.example") > peer.storedBytes("books.example"), "with the manifest");
    }

    @Test
    void retiringStopsServingAndANewerVersionServesAgain() throws Exception {
        receive("books.example", bundle("books.example", BOOKS, 1));
        peer.activate("books.example", 1);
        peer.retire("books.example");
        assertTrue(peer.find("books.example").isEmpty());
        assertFalse(peer.holdings("books.example").activeVersion().isPresent());
        Files.writeString(site.resolve("about.html"), "<p>Closed on Mondays</p>");
        receive("books.example", bundle("books.example", BOOKS, 2));
        peer.activate("books.example", 2);
        assertEquals(2, peer.find("books.example").orElseThrow().version());
    }

    @Test
    void aRetiredSiteIsForwardedForItsGracePeriodOnlyAndNotWhileServed() throws Exception {
        receive("books.example", bundle("books.example", BOOKS, 1));
        assertTrue(peer.forwarding("books.example").isEmpty(), "never served: nothing to forward");
        peer.activate("books.example", 1);
        assertTrue(peer.forwarding("books.example").isEmpty(), "served from the bundle, not forwarded");
        peer.retire("books.example");
        assertEquals(1, peer.forwarding("BOOKS.example").orElseThrow().version(), "forwarded after retirement");
        assertTrue(peer.forwarding("maps.example").isEmpty());

        peer.forwardRetiredFor(Duration.ZERO);
        assertTrue(peer.forwarding("books.example").isEmpty(), "a grace of 0: 421 at once");
        peer.forwardRetiredFor(Duration.ofHours(1));
        peer.activate("books.example", 1);
        peer.retire("books.example");
        peer.retire("books.example");
        assertTrue(peer.forwarding("books.example").isPresent(), "retiring twice keeps the first retirement's grace");
        assertThrows(IllegalArgumentException.class, () -> peer.forwardRetiredFor(Duration.ofSeconds(-1)));
    }

    @Test
    void routesMayReachOnlyTheOriginsTheOperatorAllowed() throws Exception {
        Files.writeString(site.resolve("sorry.html"), "<p>Sorry</p>");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(site))
                .signingKey(BOOKS.getPrivate())
                .version(1)
                .dynamicRoute(new org.xenoservice.bundle.DynamicRoute(
                        "/search",
                        org.xenoservice.bundle.DynamicRoute.Policy.PROXY,
                        java.util.Map.of("origin", "http://10.0.0.5:8080")))
                .build(out);
        receive("books.example", out.toByteArray());
        PeerException refused = assertThrows(PeerException.class, () -> peer.activate("books.example", 1));
        assertEquals(403, refused.status());
        assertEquals("origin-not-allowed", refused.reason());
        assertTrue(refused.getMessage().contains("allowed-origins"), refused.getMessage());

        PeerSites allowing = PeerSites.open(
                dir.resolve("state"),
                BlobStore.openUnsynced(dir.resolve("store")),
                List.of(new Enrollment(
                        "books.example",
                        BOOKS.getPublic(),
                        SiteQuota.DEFAULT,
                        List.of(java.net.URI.create("http://10.0.0.5:8080")))));
        assertEquals(1, allowing.activate("books.example", 1).version());
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        receive("books.example", bundle("books.example", BOOKS, 1));
        peer.activate("books.example", 1);
        Files.writeString(site.resolve("index.html"), "<h1>Spring catalogue</h1>");
        receive("books.example", bundle("books.example", BOOKS, 2));

        PeerSites restarted = open(SiteQuota.DEFAULT);
        assertEquals(1, restarted.find("books.example").orElseThrow().version());
        assertEquals(List.of(1L, 2L), restarted.holdings("books.example").versions());
        restarted.activate("books.example", 2);
        assertEquals(
                2, open(SiteQuota.DEFAULT).find("books.example").orElseThrow().version());
    }
}
