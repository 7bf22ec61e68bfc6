package org.xenoservice.samples.bookstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.acme.TestCertificateAuthority;
import org.xenoservice.key.SiteKeys;

/** The shop's HTTPS listener: the same shop as on the plain port, with its certificate, checked by the client. */
class BookstoreHttpsIT {
    @TempDir
    Path dir;

    @Test
    void servesTheShopOverHttpsWithItsCertificate() throws Exception {
        TestCertificateAuthority ca = TestCertificateAuthority.create("bookstore test CA");
        KeyPair key = TestCertificateAuthority.newKey();
        X509Certificate leaf = ca.issueServer(key, List.of("localhost"), List.of("127.0.0.1"));
        Catalogue catalogue = Catalogue.load();
        Path site = dir.resolve("site");
        SiteGenerator.write(catalogue, site);
        try (OrderBook orders = OrderBook.open(dir.resolve("orders"));
                XenoService xeno = XenoService.start(BookstoreApp.configure(
                                XenoConfig.builder()
                                        .site("books.example")
                                        .siteKey(SiteKeys.generate().getPrivate())
                                        .staticDirectory(site)
                                        .httpOnly(true)
                                        .stateDirectory(dir.resolve("xeno"))
                                        .backChannel(URI.create("http://127.0.0.1:9")),
                                orders,
                                catalogue)
                        .build());
                BookstoreApp shop = BookstoreApp.start(BookstoreApp.Options.builder()
                        .xeno(xeno)
                        .siteDirectory(site)
                        .orders(orders)
                        .catalogue(catalogue)
                        .port(0)
                        .https(0, serverContext(key, leaf, ca.certificate()))
                        .build())) {
            URI https = URI.create("https://127.0.0.1:" + shop.httpsPort().getAsInt() + "/");
            HttpResponse<String> secure = client(trusting(ca.certificate()))
                    .send(HttpRequest.newBuilder(https).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, secure.statusCode());
            assertTrue(secure.body().contains("action=\"/search\""));
            HttpResponse<String> plain = client(SSLContext.getDefault())
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + shop.port() + "/"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(secure.body(), plain.body(), "both listeners serve the same shop");
            TestCertificateAuthority stranger = TestCertificateAuthority.create("another CA");
            assertThrows(
                    SSLHandshakeException.class,
                    () -> client(trusting(stranger.certificate()))
                            .send(HttpRequest.newBuilder(https).build(), HttpResponse.BodyHandlers.ofString()),
                    "a client that does not trust the shop's CA refuses it");
        }
    }

    private static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder()
                .sslContext(tls)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private static SSLContext serverContext(KeyPair key, X509Certificate leaf, X509Certificate root) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("shop", key.getPrivate(), "pw".toCharArray(), new Certificate[] {leaf, root});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "pw".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static SSLContext trusting(X509Certificate root) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("root", root);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
