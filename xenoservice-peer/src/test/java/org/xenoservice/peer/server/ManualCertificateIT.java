package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.client.PeerCallException;
import org.xenoservice.client.PeerClient;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.testing.TestCa;

/** A certificate the peer's operator installed, and a peer that serves no HTTPS, over the wire. */
class ManualCertificateIT {
    private static final KeyPair OWNER = SiteKeys.generate();
    private static final TestCa CA = new TestCa("Operator CA");

    @TempDir
    Path dir;

    private PeerServer.Builder peer() {
        return PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("store"))
                .enroll(new Enrollment("books.example", OWNER.getPublic(), SiteQuota.DEFAULT));
    }

    private Path[] manual(Duration from, Duration until) throws IOException {
        KeyPair keys = TestCa.ecKeys();
        Instant now = Instant.now();
        X509Certificate leaf = CA.leaf(keys.getPublic(), List.of("books.example"), now.plus(from), now.plus(until));
        Path chain = Files.writeString(dir.resolve("books.crt"), CA.chainPem(leaf));
        Path key = Files.writeString(dir.resolve("books.key"), TestCa.pem(keys.getPrivate()));
        return new Path[] {chain, key};
    }

    @Test
    void theOperatorsCertificateIsServedAndTheOwnerCannotReplaceIt() throws IOException {
        Path[] files = manual(Duration.ofHours(-1), Duration.ofDays(30));
        try (PeerServer server = peer().httpsPort(0)
                .manualCertificate("books.example", files[0], files[1])
                .build()) {
            server.start();
            String expected;
            try (SSLSocket tls =
                    TlsClient.connect(CA.clientContext(), server.httpsPort().getAsInt(), "books.example")) {
                expected = TlsClient.leaf(tls).getSerialNumber().toString(16);
            }
            try (PeerClient owner = PeerClient.builder(
                            URI.create("http://127.0.0.1:" + server.controlPort()), "books.example", OWNER.getPrivate())
                    .build()) {
                assertEquals(
                        expected, owner.status().certificate().orElseThrow().serialNumber());
                PeerCallException e =
                        assertThrows(PeerCallException.class, () -> owner.certificateRequest(List.of("books.example")));
                assertEquals(409, e.status());
                assertEquals("operator-managed", e.reason());
                assertTrue(e.getMessage().contains("managed by the peer's operator"), e.getMessage());
            }
        }
    }

    @Test
    void anExpiredOperatorsCertificateStopsTheStart() throws IOException {
        Path[] files = manual(Duration.ofDays(-30), Duration.ofSeconds(-1));
        try (PeerServer server = peer().httpsPort(0)
                .manualCertificate("books.example", files[0], files[1])
                .build()) {
            IOException e = assertThrows(IOException.class, server::start);
            assertTrue(e.getMessage().contains("expired"), e.getMessage());
            assertTrue(e.getMessage().contains(files[0].toString()), e.getMessage());
        }
    }

    @Test
    void aPeerWithoutHttpsRefusesCertificateCalls() throws IOException {
        try (PeerServer server = peer().build()) {
            server.start();
            assertTrue(server.httpsPort().isEmpty());
            try (PeerClient owner = PeerClient.builder(
                            URI.create("http://127.0.0.1:" + server.controlPort()), "books.example", OWNER.getPrivate())
                    .build()) {
                PeerCallException e =
                        assertThrows(PeerCallException.class, () -> owner.certificateRequest(List.of("books.example")));
                assertEquals(409, e.status());
                assertEquals("https-off", e.reason());
                assertTrue(owner.status().certificate().isEmpty());
            }
        }
    }
}
