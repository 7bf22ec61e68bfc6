package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.testing.TestCa;

/** {@code https-port} and manual certificates in a peer's properties file: read, checked, refused. */
class PeerConfigTlsTest {
    private static final TestCa CA = new TestCa("Operator CA");
    private static final KeyPair TLS_KEY = TestCa.ecKeys();
    private static final String STORE = "store-directory = store";
    private static final String BOOKS_KEY = "site.books.example.key = keys/books.pub";
    private static final String MANUAL =
            "site.books.example.tls-certificate = tls/books.crt\nsite.books.example.tls-key = tls/books.key";

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeys() throws IOException {
        SiteKeys.writePublicKey(
                Files.createDirectories(dir.resolve("keys")).resolve("books.pub"),
                SiteKeys.generate().getPublic());
        Files.createDirectories(dir.resolve("tls"));
        Files.writeString(dir.resolve("tls/books.key"), TestCa.pem(TLS_KEY.getPrivate()));
        writeChain(List.of("books.example", "www.books.example"), Duration.ofHours(-1), Duration.ofDays(30));
    }

    private void writeChain(List<String> names, Duration from, Duration until) throws IOException {
        Instant now = Instant.now();
        Files.writeString(
                dir.resolve("tls/books.crt"),
                CA.chainPem(CA.leaf(TLS_KEY.getPublic(), names, now.plus(from), now.plus(until))));
    }

    private Path file(String... lines) throws IOException {
        return Files.writeString(dir.resolve("peer.properties"), String.join("\n", lines) + "\n");
    }

    private PeerConfigException rejected(String property, String... lines) throws IOException {
        Path file = file(lines);
        PeerConfigException e = assertThrows(PeerConfigException.class, () -> PeerConfig.load(file));
        assertEquals(Optional.of(property), e.property(), e.getMessage());
        return e;
    }

    @Test
    void httpsIsOffUnlessAPortIsGiven() throws IOException {
        assertEquals(
                OptionalInt.empty(), PeerConfig.load(file(STORE, BOOKS_KEY)).httpsPort());
        PeerConfig config = PeerConfig.load(file(STORE, BOOKS_KEY, "https-port = 8443"));
        assertEquals(OptionalInt.of(8443), config.httpsPort());
        assertEquals(OptionalInt.of(8443), config.toBuilder().build().httpsPort());
        assertTrue(config.toString().contains("httpsPort=8443"), config.toString());
    }

    @Test
    void badHttpsPortsAreNamed() throws IOException {
        rejected("https-port", STORE, BOOKS_KEY, "https-port = 70000");
        PeerConfigException same = rejected("https-port", STORE, BOOKS_KEY, "https-port = 8080");
        assertTrue(same.getMessage().contains("serving"), same.getMessage());
    }

    @Test
    void aGoodManualCertificateIsReadAndServed() throws IOException {
        PeerConfig config = PeerConfig.load(file(STORE, BOOKS_KEY, "https-port = 0", MANUAL));
        ManualCertificate manual = config.manualCertificates().get(0);
        assertEquals(
                new ManualCertificate("books.example", dir.resolve("tls/books.crt"), dir.resolve("tls/books.key")),
                manual);
        SiteCertificates certificates = SiteCertificates.open(
                dir.resolve("state"), config.enrollments(), config.manualCertificates(), Clock.systemUTC());
        ServedCertificate served = certificates.served("books.example").orElseThrow();
        assertEquals(List.of("books.example", "www.books.example"), served.names());
        assertTrue(certificates.forServerName("www.books.example").isPresent());
        PeerException e = assertThrows(
                PeerException.class, () -> certificates.request("books.example", List.of("books.example")));
        assertEquals(409, e.status());
        assertEquals("operator-managed", e.reason());
        assertTrue(e.getMessage().contains("managed by the peer's operator"), e.getMessage());
    }

    @Test
    void anExpiredManualCertificateIsRefused() throws IOException {
        writeChain(List.of("books.example"), Duration.ofDays(-40), Duration.ofDays(-10));
        PeerConfigException e =
                rejected("site.books.example.tls-certificate", STORE, BOOKS_KEY, "https-port = 0", MANUAL);
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void aNotYetValidManualCertificateIsRefused() throws IOException {
        writeChain(List.of("books.example"), Duration.ofDays(1), Duration.ofDays(10));
        rejected("site.books.example.tls-certificate", STORE, BOOKS_KEY, "https-port = 0", MANUAL);
    }

    @Test
    void aManualCertificateForOtherNamesIsRefused() throws IOException {
        writeChain(List.of("www.books.example"), Duration.ofHours(-1), Duration.ofDays(10));
        PeerConfigException missing =
                rejected("site.books.example.tls-certificate", STORE, BOOKS_KEY, "https-port = 0", MANUAL);
        assertTrue(missing.getMessage().contains("names-not-covered"), missing.getMessage());
        writeChain(List.of("books.example", "maps.example"), Duration.ofHours(-1), Duration.ofDays(10));
        PeerConfigException foreign =
                rejected("site.books.example.tls-certificate", STORE, BOOKS_KEY, "https-port = 0", MANUAL);
        assertTrue(foreign.getMessage().contains("name-not-owned"), foreign.getMessage());
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws IOException {
        Files.writeString(
                dir.resolve("tls/books.key"), TestCa.pem(TestCa.ecKeys().getPrivate()));
        PeerConfigException e =
                rejected("site.books.example.tls-certificate", STORE, BOOKS_KEY, "https-port = 0", MANUAL);
        assertTrue(e.getMessage().contains("key-mismatch"), e.getMessage());
    }

    @Test
    void unreadableOrHalfGivenManualCertificatesAreNamed() throws IOException {
        Files.writeString(dir.resolve("tls/books.key"), "not a key");
        rejected("site.books.example.tls-key", STORE, BOOKS_KEY, "https-port = 0", MANUAL);
        rejected(
                "site.books.example.tls-key",
                STORE,
                BOOKS_KEY,
                "https-port = 0",
                "site.books.example.tls-certificate = tls/books.crt");
        rejected(
                "site.books.example.tls-key",
                STORE,
                BOOKS_KEY,
                "https-port = 0",
                "site.books.example.tls-certificate = tls/books.crt",
                "site.books.example.tls-key = tls/none.key");
    }

    @Test
    void aManualCertificateNeedsHttps() throws IOException {
        PeerConfigException e = rejected("site.<host>.tls-certificate", STORE, BOOKS_KEY, MANUAL);
        assertTrue(e.getMessage().contains("serves no HTTPS"), e.getMessage());
    }
}
