package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The customers' client against a real HTTPS server on loopback whose certificate, from a
 * {@link LocalCa}, names {@code books.demo.example}: it connects to the address it is given, sends
 * the site's name by SNI and in {@code Host}, and trusts the server only when the certificate chains
 * up to the one root it trusts and names the site; every refusal is counted as a TLS failure.
 */
class ShopClientIT {
    private static final String SITE = "books.demo.example";

    private final LocalCa ca = LocalCa.create("ShopClientIT CA");
    private final AtomicReference<String> host = new AtomicReference<>();
    private Undertow server;
    private int port;

    @BeforeEach
    void startServer() {
        KeyPair key = LocalCa.newKey();
        String chain = LocalCa.pem("CERTIFICATE", encoded(ca, key));
        server = Undertow.builder()
                .addHttpsListener(0, "127.0.0.1", DemoHttps.serverContext(key, chain))
                .setHandler(exchange -> {
                    host.set(exchange.getRequestHeaders().getFirst(Headers.HOST));
                    exchange.setStatusCode(204);
                })
                .build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    @Test
    void reachesTheGivenAddressForTheSitesNameWithTheCertificateVerified() throws Exception {
        try (ShopClient client = ShopClient.https(SITE, port, ca.certificate(), 2)) {
            assertEquals(204, client.get(loopback(), "/index.html"));
            assertEquals(SITE + ":" + port, host.get());
            assertEquals(0, client.tlsFailures());
        }
    }

    @Test
    void refusesACertificateForAnotherNameAndCountsIt() throws Exception {
        try (ShopClient client = ShopClient.https("shop.demo.example", port, ca.certificate(), 2)) {
            assertThrows(SSLException.class, () -> client.get(loopback(), "/"));
            assertEquals(1, client.tlsFailures());
        }
    }

    @Test
    void refusesACertificateFromAnotherRootAndCountsIt() throws Exception {
        LocalCa stranger = LocalCa.create("another CA");
        try (ShopClient client = ShopClient.https(SITE, port, stranger.certificate(), 2)) {
            assertThrows(SSLException.class, () -> client.get(loopback(), "/"));
            assertThrows(SSLException.class, () -> client.postForm(loopback(), "/order", "k1", "book=1"));
            assertEquals(2, client.tlsFailures());
        }
    }

    private static InetAddress loopback() throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    }

    private static byte[] encoded(LocalCa ca, KeyPair key) {
        try {
            return ca.issueServer(key, SITE).getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
