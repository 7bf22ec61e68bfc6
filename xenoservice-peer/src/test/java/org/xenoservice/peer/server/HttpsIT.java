package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.client.PeerCallException;
import org.xenoservice.client.PeerClient;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.TlsEngine;
import org.xenoservice.protocol.CertificateRequest;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.testing.TestCa;

/**
 * A real {@link PeerServer} serving two tenants over HTTPS by SNI, with certificates from a test CA
 * that signs the peer's own requests; clients trust that CA only and check host names. On the JDK's
 * TLS here, and on BoringSSL in {@link BoringSslHttpsIT}, which runs every test again.
 */
class HttpsIT {
    private static final KeyPair BOOKS = SiteKeys.generate();
    private static final KeyPair MAPS = SiteKeys.generate();
    private static final KeyPair STRANGER = SiteKeys.generate();
    private static final TestCa CA = new TestCa("HTTPS IT CA");
    private static final String PAGE = "<h1>Antiquarian books</h1>";

    @TempDir
    Path dir;

    PeerServer peer;
    PeerClient books;
    PeerClient maps;

    @BeforeEach
    void start() throws IOException {
        peer = peer(dir.resolve("store"));
        books = client(peer, "books.example", BOOKS);
        maps = client(peer, "maps.example", MAPS);
        books.push(bundle("books.example", BOOKS, PAGE.repeat(20)), true, PeerClient.ProgressListener.NONE);
        maps.push(bundle("maps.example", MAPS, "<h1>Old maps</h1>"), true, PeerClient.ProgressListener.NONE);
    }

    @AfterEach
    void stop() {
        books.close();
        maps.close();
        peer.close();
    }

    /** The engine the peer is asked to handshake with, and which it must use. */
    TlsEngine engine() {
        return TlsEngine.JDK;
    }

    private PeerServer peer(Path store) throws IOException {
        PeerServer server = PeerServer.builder()
                .tlsEngine(engine())
                .servingPort(0)
                .controlPort(0)
                .httpsPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(store)
                .enroll(new Enrollment("books.example", BOOKS.getPublic(), SiteQuota.DEFAULT))
                .enroll(new Enrollment("maps.example", MAPS.getPublic(), SiteQuota.DEFAULT))
                .build();
        server.start();
        return server;
    }

    private static PeerClient client(PeerServer server, String site, KeyPair keys) {
        return PeerClient.builder(URI.create("http://127.0.0.1:" + server.controlPort()), site, keys.getPrivate())
                .build();
    }

    private Path bundle(String site, KeyPair keys, String index) throws IOException {
        Path source = Files.createDirectories(dir.resolve("source-" + site));
        Files.writeString(source.resolve("index.html"), index);
        Path out = dir.resolve(site + ".xsb");
        BundleBuilder.forSite(site)
                .source(DirectorySource.of(source))
                .signingKey(keys.getPrivate())
                .version(1)
                .build(out);
        return out;
    }

    private int https() {
        return peer.httpsPort().getAsInt();
    }

    /** Asks the peer for a request, has the CA sign it and installs the chain. */
    private static ServedCertificate certify(PeerClient client, String... names) throws IOException {
        CertificateRequest request = client.certificateRequest(List.of(names));
        return client.installCertificate(CA.sign(request.pem()));
    }

    private static String serial(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }

    @Test
    void aCertificateFromThePeersOwnRequestServesThePageOverHttps() throws IOException {
        ServedCertificate served = certify(books, "books.example", "www.books.example");
        assertEquals(served, books.status().certificate().orElseThrow());
        try (SSLSocket tls = TlsClient.connect(CA.clientContext(), https(), "books.example", "http/1.1")) {
            assertEquals(served.serialNumber(), serial(TlsClient.leaf(tls)));
            assertTrue(List.of("TLSv1.3", "TLSv1.2").contains(tls.getSession().getProtocol()));
            TlsClient.Response response = TlsClient.get(tls, "books.example", "/");
            assertEquals("HTTP/1.1 200 OK", response.statusLine());
            assertEquals(PAGE.repeat(20), new String(response.body(), StandardCharsets.UTF_8));
        }
        try (SSLSocket tls = TlsClient.connect(CA.clientContext(), https(), "www.books.example")) {
            assertEquals(served.serialNumber(), serial(TlsClient.leaf(tls)));
        }
    }

    @Test
    void theHttpsPortHandshakesWithTheEngineAskedFor() {
        assertEquals(Optional.of(engine()), peer.httpsEngine());
    }

    @Test
    void http2IsNegotiatedByAlpnAndServesThePage() throws IOException {
        certify(books, "books.example");
        try (SSLSocket tls = TlsClient.connect(CA.clientContext(), https(), "books.example", "h2", "http/1.1")) {
            assertEquals("h2", tls.getApplicationProtocol());
            TlsClient.Response response = TlsClient.getHttp2(tls, "books.example", "/");
            assertEquals("88", response.statusLine(), ":status 200");
            assertEquals(PAGE.repeat(20), new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void tls11IsRefusedAndTls12Accepted() throws IOException {
        certify(books, "books.example");
        assertEquals(22, TlsClient.helloAnswer(https(), 0x0303, "books.example"), "a TLS 1.2 hello gets a ServerHello");
        // Undertow closes a connection whose BoringSSL handshake failed before the alert is sent: a close
        int tls11 = TlsClient.helloAnswer(https(), 0x0302, "books.example");
        assertTrue(
                tls11 == 21 || (engine() == TlsEngine.BORINGSSL && tls11 == -1),
                "a TLS 1.1 hello gets an alert (BoringSSL: a close), never a ServerHello; got " + tls11);
    }

    @Test
    void aTenantsNameNeverGetsAnotherTenantsCertificate() throws IOException {
        ServedCertificate bookCertificate = certify(books, "books.example");
        SSLHandshakeException none = assertThrows(
                SSLHandshakeException.class, () -> TlsClient.connect(CA.clientContext(), https(), "maps.example"));
        assertTrue(none.getMessage().contains("alert"), "the server refused: " + none.getMessage());

        ServedCertificate mapCertificate = certify(maps, "maps.example");
        try (SSLSocket tls = TlsClient.connect(CA.clientContext(), https(), "maps.example")) {
            X509Certificate leaf = TlsClient.leaf(tls);
            assertEquals(mapCertificate.serialNumber(), serial(leaf));
            assertFalse(bookCertificate.serialNumber().equals(serial(leaf)));
        }
        try (SSLSocket tls = TlsClient.connect(CA.clientContext(), https(), "books.example")) {
            assertEquals(bookCertificate.serialNumber(), serial(TlsClient.leaf(tls)));
        }
    }

    @Test
    void unknownOrMissingServerNamesFailTheHandshake() throws IOException {
        certify(books, "books.example");
        for (String name : List.of("unknown.example", "www.books.example", "example")) {
            SSLHandshakeException e = assertThrows(
                    SSLHandshakeException.class, () -> TlsClient.connect(CA.clientContext(), https(), name));
            assertTrue(e.getMessage().contains("alert"), name + ": " + e.getMessage());
        }
        assertThrows(IOException.class, () -> TlsClient.connectWithoutSni(CA.clientContext(), https()));
        int answer = TlsClient.helloAnswer(https(), 0x0303, null);
        assertTrue(answer == 21 || answer == -1, "no ServerHello, so no certificate, without SNI; got " + answer);
        assertEquals(21, TlsClient.helloAnswer(https(), 0x0303, "maps.example"), "an unrecognized_name alert");
    }

    @Test
    void aSecondCertificateIsServedFromTheNextHandshakeWithoutARestart() throws IOException {
        ServedCertificate first = certify(books, "books.example");
        try (SSLSocket tls = TlsClient.connect(CA.clientContext(), https(), "books.example")) {
            assertEquals(first.serialNumber(), serial(TlsClient.leaf(tls)));
        }
        ServedCertificate second = certify(books, "books.example", "www.books.example");
        assertFalse(first.serialNumber().equals(second.serialNumber()));
        try (SSLSocket tls = TlsClient.connect(CA.clientContext(), https(), "www.books.example")) {
            assertEquals(second.serialNumber(), serial(TlsClient.leaf(tls)));
        }
    }

    @Test
    void aRestartKeepsTheKeyAndTheCertificate() throws IOException {
        ServedCertificate served = certify(books, "books.example");
        books.close();
        maps.close();
        peer.close();
        peer = peer(dir.resolve("store"));
        books = client(peer, "books.example", BOOKS);
        maps = client(peer, "maps.example", MAPS);
        assertEquals(served, books.status().certificate().orElseThrow());
        try (SSLSocket tls = TlsClient.connect(CA.clientContext(), https(), "books.example")) {
            assertEquals(served.serialNumber(), serial(TlsClient.leaf(tls)));
            assertEquals(
                    "HTTP/1.1 200 OK", TlsClient.get(tls, "books.example", "/").statusLine());
        }
        Path key = dir.resolve("store/tls/books.example/key.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    }

    @Test
    void hostileCertificatesAreRefusedOverTheWire() throws IOException {
        CertificateRequest request = books.certificateRequest(List.of("books.example"));
        PeerCallException foreign =
                assertThrows(PeerCallException.class, () -> books.certificateRequest(List.of("maps.example")));
        assertEquals(403, foreign.status());
        assertEquals("name-not-owned", foreign.reason());

        String otherKey = CA.chainPem(CA.leaf(
                TestCa.ecKeys().getPublic(),
                List.of("books.example"),
                Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(9))));
        assertEquals(
                409,
                assertThrows(PeerCallException.class, () -> books.installCertificate(otherKey))
                        .status());
        String expired = CA.chainPem(CA.leaf(
                TestCa.csrKey(request.pem()),
                List.of("books.example"),
                Instant.now().minus(Duration.ofDays(9)),
                Instant.now().minusSeconds(1)));
        assertEquals(
                "certificate-expired",
                assertThrows(PeerCallException.class, () -> books.installCertificate(expired))
                        .reason());
        PeerCallException mapsKey =
                assertThrows(PeerCallException.class, () -> maps.installCertificate(CA.sign(request.pem())));
        assertEquals("unknown-key", mapsKey.reason());
        assertTrue(books.status().certificate().isEmpty());
    }

    @Test
    void controlCallsSignedWithAnotherKeyAreRefused() throws IOException {
        try (PeerClient stranger = client(peer, "books.example", STRANGER)) {
            PeerCallException e =
                    assertThrows(PeerCallException.class, () -> stranger.certificateRequest(List.of("books.example")));
            assertEquals(403, e.status());
            assertEquals(
                    403,
                    assertThrows(PeerCallException.class, () -> stranger.installCertificate("x"))
                            .status());
        }
    }
}
