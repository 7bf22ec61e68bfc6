package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.client.PeerCallException;
import org.xenoservice.client.PeerClient;
import org.xenoservice.client.PushResult;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.PeerConfig;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.protocol.SiteStatus;
import org.xenoservice.protocol.StagedBundle;

/** {@link PeerClient} against a real {@link PeerServer} on loopback, over HTTP and HTTPS. */
class PeerClientIT {
    private static final KeyPair OWNER = SiteKeys.generate();
    private static final KeyPair STRANGER = SiteKeys.generate();
    private static final String SITE = "books.example";

    @TempDir
    Path dir;

    PeerServer peer;
    PeerClient client;
    Path site;

    @BeforeEach
    void start() throws IOException {
        peer = peer(dir.resolve("peer"), PeerConfig.DEFAULT_MAX_UPLOAD_BYTES, new SiteQuota(10L << 20, 100, 0.5));
        client = PeerClient.builder(url(peer), SITE, OWNER.getPrivate()).build();
        site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>Antiquarian books</h1>".repeat(40));
        Files.writeString(site.resolve("about.html"), "<p>Since 1921</p>".repeat(30));
        Files.write(site.resolve("cover.jpg"), new byte[20_000]);
    }

    @AfterEach
    void stop() {
        client.close();
        peer.close();
    }

    private static PeerServer peer(Path store, long maxUploadBytes, SiteQuota quota) throws IOException {
        PeerServer server = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(store)
                .maxUploadBytes(maxUploadBytes)
                .enroll(new Enrollment(SITE, OWNER.getPublic(), quota))
                .build();
        server.start();
        return server;
    }

    private static URI url(PeerServer server) {
        return URI.create("http://127.0.0.1:" + server.controlPort());
    }

    private Path bundle(long version) throws IOException {
        Path out = dir.resolve("bundles/v" + version + ".xsb");
        Files.createDirectories(out.getParent());
        BundleBuilder.forSite(SITE)
                .source(DirectorySource.of(site))
                .signingKey(OWNER.getPrivate())
                .version(version)
                .build(out);
        return out;
    }

    @Test
    void firstPushSendsEveryBlobAndTheNextOnlyTheChangedOne() throws IOException {
        Path v1 = bundle(1);
        PushResult first = client.push(v1, true, PeerClient.ProgressListener.NONE);
        assertEquals(new PushResult(SITE, 1, first.manifestSha256(), 3, 0, first.bytesSent(), true), first);
        SiteStatus status = client.status();
        assertEquals(OptionalLong.of(1), status.activeVersion());
        assertEquals(first.manifestSha256(), status.activeManifestSha256().orElseThrow());

        Files.writeString(site.resolve("about.html"), "<p>Since 1921, in the same street</p>");
        Path v2 = bundle(2);
        PushResult second = client.push(v2, true, PeerClient.ProgressListener.NONE);
        assertEquals(1, second.blobsSent());
        assertEquals(2, second.blobsSkipped());
        assertTrue(second.bytesSent() < first.bytesSent() / 2, second + " vs " + first);
        assertEquals(OptionalLong.of(2), client.status().activeVersion());
        try (Stream<Path> left = Files.list(v2.getParent())) {
            assertEquals(
                    Set.of("v1.xsb", "v2.xsb"),
                    left.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
                    "the thin temporary bundle is deleted");
        }
    }

    @Test
    void stagedVersionIsServedOnlyOnceActivatedAndNoLongerOnceRetired() throws IOException {
        PushResult pushed = client.push(bundle(1), false, PeerClient.ProgressListener.NONE);
        assertEquals(false, pushed.activated());
        SiteStatus staged = client.status();
        assertEquals(OptionalLong.empty(), staged.activeVersion());
        assertEquals(List.of(1L), staged.versions());
        assertEquals(new SiteQuota(10L << 20, 100, 0.5), staged.quota());
        assertTrue(staged.storedBytes() > 0, staged.toString());

        client.activate(1);
        assertEquals(OptionalLong.of(1), client.status().activeVersion());
        assertTrue(peer.sites().find(SITE).isPresent());

        client.retire();
        assertEquals(OptionalLong.empty(), client.status().activeVersion());
        assertTrue(peer.sites().find(SITE).isEmpty());
    }

    @Test
    void missingNamesOnlyTheBlobsThePeerLacks() throws IOException {
        String unknown = "ab".repeat(32);
        assertEquals(Set.of(unknown), client.missing(Set.of(unknown)));
        assertEquals(Set.of(), client.missing(Set.of()));
    }

    @Test
    void uploadStagesAFullBundle() throws IOException {
        StagedBundle staged = client.upload(bundle(3));
        assertEquals(SITE, staged.site());
        assertEquals(3, staged.version());
        assertEquals(List.of(3L), client.status().versions());
    }

    @Test
    void rollbackIsRefusedWith409() throws IOException {
        client.push(bundle(1), false, PeerClient.ProgressListener.NONE);
        Files.writeString(site.resolve("new.html"), "new");
        client.push(bundle(2), true, PeerClient.ProgressListener.NONE);
        PeerCallException e = assertThrows(PeerCallException.class, () -> client.activate(1));
        assertEquals(409, e.status());
        assertEquals("rollback", e.reason());
        assertTrue(
                e.getMessage().contains(url(peer).toString()) && e.getMessage().contains("push a newer version"),
                e.getMessage());
    }

    @Test
    void olderBundleThanHeldIsRefusedWith409() throws IOException {
        Path v1 = bundle(1);
        client.push(bundle(2), true, PeerClient.ProgressListener.NONE);
        PeerCallException e =
                assertThrows(PeerCallException.class, () -> client.push(v1, true, PeerClient.ProgressListener.NONE));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().contains("version above"), e.getMessage());
    }

    @Test
    void wrongKeyIsRefusedWith403AndSaysWhichKeyToUse() throws IOException {
        try (PeerClient forger =
                PeerClient.builder(url(peer), SITE, STRANGER.getPrivate()).build()) {
            PeerCallException e = assertThrows(PeerCallException.class, forger::status);
            assertEquals(403, e.status());
            assertEquals("bad-signature", e.reason());
            assertTrue(
                    e.getMessage().contains("private key, whose public key the peer's operator enrolled"),
                    e.getMessage());
        }
    }

    @Test
    void siteNotEnrolledIsRefusedWith403() throws IOException {
        try (PeerClient other = PeerClient.builder(url(peer), "maps.example", OWNER.getPrivate())
                .build()) {
            PeerCallException e = assertThrows(PeerCallException.class, other::retire);
            assertEquals(403, e.status());
            assertEquals("stranger", e.reason());
            assertTrue(e.getMessage().contains("not enrolled"), e.getMessage());
        }
    }

    @Test
    void uploadOverThePeersLimitIsRefusedWith413() throws IOException {
        try (PeerServer small = peer(dir.resolve("small"), 1_000, SiteQuota.DEFAULT);
                PeerClient toSmall =
                        PeerClient.builder(url(small), SITE, OWNER.getPrivate()).build()) {
            PeerCallException e = assertThrows(
                    PeerCallException.class, () -> toSmall.push(bundle(1), true, PeerClient.ProgressListener.NONE));
            assertEquals(413, e.status());
            assertEquals("too-large", e.reason());
            assertTrue(e.getMessage().contains("max-upload-bytes"), e.getMessage());
        }
    }

    @Test
    void deadUrlFailsWithAMessageNamingIt() throws IOException {
        URI dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        try (PeerClient nowhere =
                PeerClient.builder(dead, SITE, OWNER.getPrivate()).build()) {
            PeerCallException e = assertThrows(PeerCallException.class, nowhere::status);
            assertEquals(PeerCallException.NO_RESPONSE, e.status());
            assertEquals("unreachable", e.reason());
            assertTrue(
                    e.getMessage().contains(dead.toString()) && e.getMessage().contains("connection refused"),
                    e.getMessage());
        }
    }

    @Test
    void silentPeerTimesOut() throws IOException {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                PeerClient waiting = PeerClient.builder(
                                URI.create("http://127.0.0.1:" + silent.getLocalPort()), SITE, OWNER.getPrivate())
                        .callTimeout(Duration.ofMillis(300))
                        .build()) {
            Thread acceptor = new Thread(
                    () -> {
                        try (Socket accepted = silent.accept()) {
                            accepted.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                        } catch (IOException ignored) {
                            // the test is over
                        }
                    },
                    "silent-peer");
            acceptor.setDaemon(true);
            acceptor.start();
            PeerCallException e = assertThrows(PeerCallException.class, waiting::status);
            assertEquals("timeout", e.reason());
            assertTrue(e.getMessage().contains("did not answer status"), e.getMessage());
        }
    }

    @Test
    void progressIsReportedAndAThrowingListenerIsIgnored() throws IOException {
        List<String> phases = new ArrayList<>();
        PushResult pushed = client.push(bundle(1), true, (phase, done, total) -> {
            if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase)) {
                phases.add(phase);
            }
            throw new IllegalStateException("listener bug");
        });
        assertTrue(pushed.activated());
        assertEquals(List.of("checking", "thinning", "uploading", "activating"), phases);
    }

    @Test
    void bundleForAnotherSiteIsRefusedBeforeAnyCall() throws IOException {
        Path other = dir.resolve("maps.xsb");
        BundleBuilder.forSite("maps.example")
                .source(DirectorySource.of(site))
                .signingKey(OWNER.getPrivate())
                .version(1)
                .build(other);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> client.push(other, true, PeerClient.ProgressListener.NONE));
        assertTrue(e.getMessage().contains("maps.example"), e.getMessage());
    }

    @Test
    void builderRefusesAUrlWithAPathAndABadSite() {
        assertThrows(
                IllegalArgumentException.class,
                () -> PeerClient.builder(URI.create("http://127.0.0.1:1/xeno"), SITE, OWNER.getPrivate()));
        assertThrows(
                IllegalArgumentException.class,
                () -> PeerClient.builder(URI.create("ftp://127.0.0.1:1"), SITE, OWNER.getPrivate()));
        assertThrows(
                IllegalArgumentException.class,
                () -> PeerClient.builder(URI.create("http://127.0.0.1:1"), "books example", OWNER.getPrivate()));
    }

    @Test
    void httpsPeerIsReachedWithItsCertificateTrustedAndRefusedWithout() throws Exception {
        Path keyStore = TestCertificates.selfSignedKeyStore(dir.resolve("peer.p12"), "changeit");
        KeyStore trust = TestCertificates.trustStoreFor(keyStore, "changeit");
        Path trustFile = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(trustFile)) {
            trust.store(out, "trustpw".toCharArray());
        }
        try (PeerServer tls = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("tls"))
                .enroll(new Enrollment(SITE, OWNER.getPublic(), SiteQuota.DEFAULT))
                .tls(keyStore, "changeit".toCharArray())
                .build()) {
            tls.start();
            URI https = URI.create("https://127.0.0.1:" + tls.controlPort());
            try (PeerClient trusting = PeerClient.builder(https, SITE, OWNER.getPrivate())
                    .trustStore(trustFile, "trustpw".toCharArray())
                    .build()) {
                assertEquals(
                        1,
                        trusting.push(bundle(1), true, PeerClient.ProgressListener.NONE)
                                .version());
                assertEquals(OptionalLong.of(1), trusting.status().activeVersion());
            }
            try (PeerClient doubting =
                    PeerClient.builder(https, SITE, OWNER.getPrivate()).build()) {
                PeerCallException e = assertThrows(PeerCallException.class, doubting::status);
                assertEquals("tls", e.reason());
                assertTrue(e.getMessage().contains("trust store"), e.getMessage());
            }
        }
    }
}
