package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.CertificateRequest;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.testing.TestCa;

/** A peer's per-site TLS keys and certificates: requests, installs, every refusal, restarts and SNI lookups. */
class SiteCertificatesTest {
    private static final TestCa CA = new TestCa("Unit Test CA");
    private static final TestCa OTHER_CA = new TestCa("Other CA");
    private static final List<Enrollment> SITES = List.of(
            new Enrollment("books.example", SiteKeys.generate().getPublic(), SiteQuota.DEFAULT),
            new Enrollment("maps.example", SiteKeys.generate().getPublic(), SiteQuota.DEFAULT));

    @TempDir
    Path dir;

    SiteCertificates certificates;

    @BeforeEach
    void open() throws IOException {
        certificates = reopen();
    }

    private SiteCertificates reopen() throws IOException {
        return SiteCertificates.open(dir.resolve("tls"), SITES, List.of(), Clock.systemUTC());
    }

    private static PeerException refused(int status, String reason, ThrowingCall call) {
        PeerException e = assertThrows(PeerException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(status, e.status(), e.getMessage());
        assertTrue(e.getMessage().length() > 20, e.getMessage());
        return e;
    }

    @FunctionalInterface
    interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void aRequestSignedAndInstalledIsServedForItsNames() throws Exception {
        CertificateRequest request =
                certificates.request("books.example", List.of("Books.Example", "www.books.example"));
        assertEquals(List.of("books.example", "www.books.example"), request.names());
        assertEquals(request.names(), TestCa.csrNames(request.pem()));
        assertTrue(request.der().length > 100);
        assertEquals(Optional.empty(), certificates.served("books.example"));

        ServedCertificate served = certificates.install("books.example", CA.sign(request.pem()));
        assertEquals(List.of("books.example", "www.books.example"), served.names());
        assertTrue(served.validFor(Instant.now(), Duration.ofDays(80)));
        assertEquals(Optional.of(served), certificates.served("books.example"));
        SiteCertificates.Credential credential =
                certificates.forServerName("WWW.books.example").orElseThrow();
        assertArrayEquals(
                TestCa.csrKey(request.pem()).getEncoded(),
                credential.publicKey().getEncoded());
        assertEquals(Optional.of(credential), certificates.byAlias(credential.alias()));
    }

    @Test
    void aNameTheSiteDoesNotOwnIsRefused() {
        for (String foreign : List.of("maps.example", "example", "evilbooks.example", "books.example.evil")) {
            refused(
                    403,
                    "name-not-owned",
                    () -> certificates.request("books.example", List.of("books.example", foreign)));
        }
        refused(400, "bad-name", () -> certificates.request("books.example", List.of("*.books.example")));
        refused(400, "bad-name", () -> certificates.request("books.example", List.of("books..example")));
        refused(400, "bad-name", () -> certificates.request("books.example", List.of()));
        refused(404, "not-enrolled", () -> certificates.request("stranger.example", List.of("stranger.example")));
    }

    @Test
    void aChainForAnotherKeyIsRefused() throws Exception {
        certificates.request("books.example", List.of("books.example"));
        KeyPair other = TestCa.ecKeys();
        String chain = CA.chainPem(leaf(other, List.of("books.example"), Duration.ofHours(-1), Duration.ofDays(30)));
        refused(409, "unknown-key", () -> certificates.install("books.example", chain));
        assertEquals(Optional.empty(), certificates.served("books.example"));
    }

    @Test
    void anotherSitesRequestCannotBeInstalledHere() throws Exception {
        CertificateRequest maps = certificates.request("maps.example", List.of("maps.example"));
        refused(409, "unknown-key", () -> certificates.install("books.example", CA.sign(maps.pem())));
    }

    @Test
    void expiredAndNotYetValidCertificatesAreRefused() throws Exception {
        CertificateRequest request = certificates.request("books.example", List.of("books.example"));
        KeyPairHolder key = new KeyPairHolder(request);
        refused(
                400,
                "certificate-expired",
                () -> certificates.install(
                        "books.example",
                        CA.chainPem(key.leaf(List.of("books.example"), Duration.ofDays(-30), Duration.ofSeconds(-1)))));
        refused(
                400,
                "certificate-not-yet-valid",
                () -> certificates.install(
                        "books.example",
                        CA.chainPem(key.leaf(List.of("books.example"), Duration.ofHours(2), Duration.ofDays(30)))));
        assertEquals(Optional.empty(), certificates.served("books.example"));
    }

    @Test
    void aLeafThatMissesARequestedNameOrNamesAForeignOneIsRefused() throws Exception {
        CertificateRequest request =
                certificates.request("books.example", List.of("books.example", "www.books.example"));
        KeyPairHolder key = new KeyPairHolder(request);
        refused(
                400,
                "names-not-covered",
                () -> certificates.install(
                        "books.example",
                        CA.chainPem(key.leaf(List.of("books.example"), Duration.ofHours(-1), Duration.ofDays(9)))));
        refused(
                403,
                "name-not-owned",
                () -> certificates.install(
                        "books.example",
                        CA.chainPem(key.leaf(
                                List.of("books.example", "www.books.example", "maps.example"),
                                Duration.ofHours(-1),
                                Duration.ofDays(9)))));
    }

    @Test
    void aChainWhoseSignaturesDoNotLinkIsRefused() throws Exception {
        CertificateRequest request = certificates.request("books.example", List.of("books.example"));
        String signed = CA.sign(request.pem());
        String leafOnly = signed.substring(0, signed.indexOf("-----END CERTIFICATE-----") + 26);
        refused(
                400,
                "chain-broken",
                () -> certificates.install("books.example", leafOnly + TestCa.pem(OTHER_CA.intermediate())));
        refused(400, "chain-broken", () -> certificates.install("books.example", leafOnly + TestCa.pem(CA.root())));
        // leaf last: the first certificate holds no key of the peer's
        refused(
                409,
                "unknown-key",
                () -> certificates.install("books.example", TestCa.pem(CA.intermediate()) + leafOnly));
    }

    @Test
    void garbageAndPrivateKeysInAChainAreRefused() throws Exception {
        CertificateRequest request = certificates.request("books.example", List.of("books.example"));
        String signed = CA.sign(request.pem());
        for (String hostile : List.of(
                "",
                "not pem",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
                signed + TestCa.pem(TestCa.ecKeys().getPrivate()),
                "junk\n" + signed,
                signed + "trailing",
                signed.repeat(5))) {
            refused(400, "bad-chain", () -> certificates.install("books.example", hostile));
        }
        assertEquals(Optional.empty(), certificates.served("books.example"));
    }

    @Test
    void aSecondCertificateReplacesTheFirstLiveAndTheOldAliasStaysReadable() throws Exception {
        certificates.install(
                "books.example",
                CA.sign(certificates
                        .request("books.example", List.of("books.example"))
                        .pem()));
        SiteCertificates.Credential first =
                certificates.forServerName("books.example").orElseThrow();
        certificates.install(
                "books.example",
                CA.sign(certificates
                        .request("books.example", List.of("books.example"))
                        .pem()));
        SiteCertificates.Credential second =
                certificates.forServerName("books.example").orElseThrow();
        assertFalse(first.alias().equals(second.alias()));
        assertFalse(first.served().serialNumber().equals(second.served().serialNumber()));
        assertEquals(Optional.of(first), certificates.byAlias(first.alias()), "a handshake under way finishes");
    }

    @Test
    void aRenewalForTheCurrentKeyIsAccepted() throws Exception {
        certificates.install(
                "books.example",
                CA.sign(certificates
                        .request("books.example", List.of("books.example"))
                        .pem()));
        SiteCertificates.Credential current =
                certificates.forServerName("books.example").orElseThrow();
        X509Certificate renewed = CA.leaf(
                current.publicKey(),
                List.of("books.example"),
                Instant.now().minusSeconds(60),
                Instant.now().plus(Duration.ofDays(60)));
        ServedCertificate served = certificates.install("books.example", CA.chainPem(renewed));
        assertEquals(renewed.getSerialNumber().toString(16), served.serialNumber());
    }

    @Test
    void onlyTheNewestRequestsWaitForTheirChain() throws Exception {
        CertificateRequest oldest = certificates.request("books.example", List.of("books.example"));
        for (int i = 0; i < SiteCertificates.MAX_PENDING; i++) {
            certificates.request("books.example", List.of("books.example"));
        }
        refused(409, "unknown-key", () -> certificates.install("books.example", CA.sign(oldest.pem())));
        try (var pending = Files.list(dir.resolve("tls/books.example/pending"))) {
            assertEquals(3 * SiteCertificates.MAX_PENDING, pending.count());
        }
    }

    @Test
    void aRestartKeepsTheKeyTheChainAndPendingRequests() throws Exception {
        CertificateRequest first = certificates.request("books.example", List.of("books.example"));
        certificates.install("books.example", CA.sign(first.pem()));
        CertificateRequest waiting =
                certificates.request("books.example", List.of("books.example", "www.books.example"));
        ServedCertificate served = certificates.served("books.example").orElseThrow();

        SiteCertificates again = reopen();
        assertEquals(Optional.of(served), again.served("books.example"));
        assertArrayEquals(
                TestCa.csrKey(first.pem()).getEncoded(),
                again.forServerName("books.example").orElseThrow().publicKey().getEncoded());
        Path key = dir.resolve("tls/books.example/key.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
        ServedCertificate next = again.install("books.example", CA.sign(waiting.pem()));
        assertEquals(List.of("books.example", "www.books.example"), next.names());
    }

    @Test
    void anInstallCutShortBeforeTheKeyWasWrittenIsFinishedAtTheNextOpen() throws Exception {
        CertificateRequest request = certificates.request("books.example", List.of("books.example"));
        Files.writeString(dir.resolve("tls/books.example/chain.pem"), CA.sign(request.pem()));

        SiteCertificates again = reopen();
        assertTrue(again.served("books.example").isPresent());
        assertArrayEquals(
                TestCa.csrKey(request.pem()).getEncoded(),
                again.forServerName("books.example").orElseThrow().publicKey().getEncoded());
        assertTrue(Files.exists(dir.resolve("tls/books.example/key.pem")));
        try (var pending = Files.list(dir.resolve("tls/books.example/pending"))) {
            assertEquals(0, pending.count());
        }
    }

    @Test
    void serverNamesFindOnlyTheirOwnSitesCertificate() throws Exception {
        certificates.install(
                "books.example",
                CA.sign(certificates
                        .request("books.example", List.of("books.example"))
                        .pem()));
        assertTrue(certificates.forServerName("books.example").isPresent());
        assertEquals(Optional.empty(), certificates.forServerName("maps.example"), "maps.example holds none");
        assertEquals(Optional.empty(), certificates.forServerName("www.books.example"), "not among the names");
        assertEquals(Optional.empty(), certificates.forServerName("unknown.test"));
        assertEquals(Optional.empty(), certificates.forServerName("example"));
        assertEquals(Optional.empty(), certificates.byAlias("maps.example#1"));
        assertEquals(Optional.empty(), certificates.byAlias("nonsense"));
    }

    @Test
    void theServerContextSpeaksTls12And13Only() {
        SSLEngine engine = certificates.serverContext().createSSLEngine("peer", 443);
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(engine.getEnabledProtocols()));
        assertEquals(
                List.of("TLSv1.3", "TLSv1.2"),
                List.of(certificates.serverContext().getDefaultSSLParameters().getProtocols()));
    }

    private static X509Certificate leaf(KeyPair keys, List<String> names, Duration from, Duration until) {
        Instant now = Instant.now();
        return CA.leaf(keys.getPublic(), names, now.plus(from), now.plus(until));
    }

    /** The key of a request, for leaves with other names or validity. */
    private record KeyPairHolder(CertificateRequest request) {
        X509Certificate leaf(List<String> names, Duration from, Duration until) {
            Instant now = Instant.now();
            return CA.leaf(TestCa.csrKey(request.pem()), names, now.plus(from), now.plus(until));
        }
    }
}
