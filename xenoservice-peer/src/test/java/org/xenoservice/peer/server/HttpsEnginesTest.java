package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.ManualCertificate;
import org.xenoservice.peer.SiteCertificates;
import org.xenoservice.peer.TlsEngine;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.testing.TestCa;

/**
 * Which engine each handshake of the HTTPS port lands on: a ClientHello from a real JDK client is
 * fed to the port's engine in memory, with the real BoringSSL, and the engine it hands over to is
 * named by its session's class.
 */
class HttpsEnginesTest {
    private static final TestCa CA = new TestCa("Engines CA");
    private static final String BORINGSSL_SESSION = "io.netty.handler.ssl.";
    private static final String JDK_SESSION = "sun.security.ssl.";

    @TempDir
    Path dir;

    SiteCertificates certificates;

    @BeforeEach
    void certificates() throws IOException {
        KeyPair keys = TestCa.ecKeys();
        Instant now = Instant.now();
        X509Certificate leaf = CA.leaf(
                keys.getPublic(),
                List.of("books.example"),
                now.minus(Duration.ofMinutes(1)),
                now.plus(Duration.ofDays(1)));
        Path chain = Files.writeString(dir.resolve("books.crt"), CA.chainPem(leaf));
        Path key = Files.writeString(dir.resolve("books.key"), TestCa.pem(keys.getPrivate()));
        certificates = SiteCertificates.open(
                dir.resolve("tls"),
                List.of(
                        new Enrollment("books.example", SiteKeys.generate().getPublic(), SiteQuota.DEFAULT),
                        new Enrollment("maps.example", SiteKeys.generate().getPublic(), SiteQuota.DEFAULT)),
                List.of(new ManualCertificate("books.example", chain, key)),
                Clock.systemUTC());
    }

    @Test
    void boringSslLoadsOnThisMachine() {
        assertEquals(Optional.empty(), BoringSslTls.unavailable(), "netty-tcnative's BoringSSL must load here");
    }

    @Test
    void aSiteWithACertificateIsHandshakenByBoringSsl() throws IOException {
        HttpsEngines.Chosen chosen = HttpsEngines.choose(TlsEngine.BORINGSSL, certificates, Optional.empty());
        assertEquals(TlsEngine.BORINGSSL, chosen.engine());
        assertTrue(handOver(chosen, "books.example").startsWith(BORINGSSL_SESSION));
        assertTrue(handOver(chosen, "BOOKS.example").startsWith(BORINGSSL_SESSION));
    }

    @Test
    void unknownNamesSitesWithoutACertificateAndNoNameAreLeftToTheJdksRefusal() throws IOException {
        HttpsEngines.Chosen chosen = HttpsEngines.choose(TlsEngine.AUTO, certificates, Optional.empty());
        for (String name : List.of("maps.example", "www.books.example", "unknown.example")) {
            assertTrue(handOver(chosen, name).startsWith(JDK_SESSION), name);
        }
        assertTrue(handOver(chosen, null).startsWith(JDK_SESSION), "no SNI");
    }

    @Test
    void theJdkEngineIsTheJdksContextAlone() throws IOException {
        HttpsEngines.Chosen chosen = HttpsEngines.choose(TlsEngine.JDK, certificates, Optional.empty());
        assertEquals(TlsEngine.JDK, chosen.engine());
        assertTrue(handOver(chosen, "books.example").startsWith(JDK_SESSION));
    }

    @Test
    void autoFallsBackToTheJdkWhenBoringSslCannotLoad() throws IOException {
        HttpsEngines.Chosen chosen =
                HttpsEngines.choose(TlsEngine.AUTO, certificates, Optional.of("no native library for linux-riscv64"));
        assertEquals(TlsEngine.JDK, chosen.engine());
        assertTrue(handOver(chosen, "books.example").startsWith(JDK_SESSION));
    }

    @Test
    void boringSslAskedForButMissingStopsTheStartSayingWhatToDo() {
        IOException e = assertThrows(
                IOException.class,
                () -> HttpsEngines.choose(
                        TlsEngine.BORINGSSL, certificates, Optional.of("no native library for linux-riscv64")));
        assertTrue(
                e.getMessage().contains("BoringSSL cannot be loaded: no native library for linux-riscv64"),
                e.getMessage());
        assertTrue(e.getMessage().contains("for Windows on x86-64 only"), e.getMessage());
        assertTrue(e.getMessage().contains("auto or jdk"), e.getMessage());
    }

    /**
     * Feeds a JDK client's ClientHello for {@code serverName} (none when null) to an engine of the
     * chosen context and answers the class name of the session of the engine it handed over to.
     */
    private static String handOver(HttpsEngines.Chosen chosen, String serverName) throws IOException {
        SSLEngine client = CA.clientContext().createSSLEngine();
        client.setUseClientMode(true);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        client.setSSLParameters(parameters);
        ByteBuffer hello = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        client.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        SSLEngine server = chosen.context().createSSLEngine();
        server.setUseClientMode(false);
        try {
            server.unwrap(hello, ByteBuffer.allocate(1 << 16));
            Runnable task;
            while ((task = server.getDelegatedTask()) != null) {
                task.run();
            }
        } catch (SSLException refused) {
            // the JDK refuses unknown names at once; the engine it handed over to is what counts here
        }
        return server.getSession().getClass().getName();
    }
}
