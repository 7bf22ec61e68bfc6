package org.xenoservice.benchmarks.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.acme.TestCertificateAuthority;

/**
 * The testbed clients' TLS against a real HTTPS server on loopback: the site's name goes to the
 * address given, the chain is checked against the trusted roots only and the host name against the
 * certificate, and a failure is described as a TLS failure.
 */
class ClientTlsIT {
    private static final String SITE = "www.books.example";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private TestCertificateAuthority ca;
    private HttpsServer server;

    @BeforeEach
    void startServer() throws Exception {
        ca = TestCertificateAuthority.create("testbed test CA");
        KeyPair key = TestCertificateAuthority.newKey();
        X509Certificate leaf = ca.issueServer(key, List.of(SITE), List.of());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("site", key.getPrivate(), "pw".toCharArray(), new Certificate[] {leaf, ca.certificate()});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "pw".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestHeaders().getFirst("Host").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void reachesTheAddressUnderTheSiteNameWithTheCertificateChecked() throws Exception {
        ClientTls tls = ClientTls.trusting(pem(ca.certificate()));
        for (boolean resume : new boolean[] {true, false}) {
            try (CloseableHttpClient http = ClientTls.httpClient(tls, 2, TIMEOUT, TIMEOUT, resume)) {
                String host = http.execute(target(SITE), new HttpGet("/"), response -> {
                    assertEquals(200, response.getCode());
                    return new String(response.getEntity().getContent().readAllBytes(), StandardCharsets.UTF_8);
                });
                assertTrue(host.startsWith(SITE), "the Host header names the site: " + host);
            }
        }
        assertTrue(tls.freshSessions() > 0, "the client that never resumes made fresh sessions");
    }

    @Test
    void refusesACertificateForAnotherName() throws Exception {
        try (CloseableHttpClient http =
                ClientTls.httpClient(ClientTls.trusting(pem(ca.certificate())), 2, TIMEOUT, TIMEOUT, true)) {
            IOException failure = assertThrows(
                    IOException.class, () -> http.execute(target("shop.example"), new HttpGet("/"), r -> 0));
            assertTrue(ClientTls.describe(failure).startsWith(ClientTls.FAILURE_PREFIX), ClientTls.describe(failure));
        }
    }

    @Test
    void refusesAChainFromARootItDoesNotTrust() throws Exception {
        TestCertificateAuthority stranger = TestCertificateAuthority.create("another CA");
        try (CloseableHttpClient http =
                ClientTls.httpClient(ClientTls.trusting(pem(stranger.certificate())), 2, TIMEOUT, TIMEOUT, false)) {
            IOException failure =
                    assertThrows(IOException.class, () -> http.execute(target(SITE), new HttpGet("/"), r -> 0));
            assertTrue(ClientTls.describe(failure).startsWith(ClientTls.FAILURE_PREFIX), ClientTls.describe(failure));
        }
    }

    @Test
    void theFloodClientChecksTheNameToo() throws Exception {
        try (CloseableHttpAsyncClient http =
                ClientTls.asyncClient(ClientTls.trusting(pem(ca.certificate())), 4, TIMEOUT)) {
            http.start();
            SimpleHttpResponse ok = http.execute(
                            target(SITE),
                            SimpleRequestProducer.create(
                                    SimpleRequestBuilder.get().setPath("/").build()),
                            SimpleResponseConsumer.create(),
                            null,
                            null,
                            null)
                    .get(10, TimeUnit.SECONDS);
            assertEquals(200, ok.getCode());
            Exception failure = assertThrows(
                    Exception.class,
                    () -> http.execute(
                                    target("shop.example"),
                                    SimpleRequestProducer.create(SimpleRequestBuilder.get()
                                            .setPath("/")
                                            .build()),
                                    SimpleResponseConsumer.create(),
                                    null,
                                    null,
                                    null)
                            .get(10, TimeUnit.SECONDS));
            assertTrue(ClientTls.describe(failure).startsWith(ClientTls.FAILURE_PREFIX), ClientTls.describe(failure));
        }
    }

    private HttpHost target(String name) {
        return new HttpHost(
                "https",
                InetAddress.getLoopbackAddress(),
                name,
                server.getAddress().getPort());
    }

    private Path pem(X509Certificate root) throws IOException {
        Path file = Files.createTempFile(dir, "roots", ".pem");
        Files.writeString(file, TestCertificateAuthority.pem(root));
        return file;
    }
}
