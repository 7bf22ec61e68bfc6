package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.SiteQuota;

/**
 * A real {@link PeerServer} on loopback: bundles pushed over its control port are served on its
 * serving port; quotas keep tenants apart; state survives a restart; TLS works on both ports.
 */
class PeerServerIT {
    private static final KeyPair BOOKS = SiteKeys.generate();
    private static final KeyPair MAPS = SiteKeys.generate();
    private static final String METRICS_TOKEN = "operator-scraper-token";

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private PeerServer peer;

    @BeforeEach
    void writeSite() throws IOException {
        Path site = Files.createDirectories(dir.resolve("site/books"));
        Files.writeString(dir.resolve("site/index.html"), "<h1>Antiquarian books</h1>".repeat(40));
        Files.writeString(site.resolve("index.html"), "<ul><li>Gulliver's Travels, 1726</li></ul>");
    }

    @AfterEach
    void stop() {
        if (peer != null) {
            peer.close();
        }
    }

    private PeerServer start(SiteQuota booksQuota) throws IOException {
        peer = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("peer"))
                .enroll(
                        new Enrollment("books.example", BOOKS.getPublic(), booksQuota),
                        new Enrollment("maps.example", MAPS.getPublic(), SiteQuota.DEFAULT))
                .metricsToken(METRICS_TOKEN)
                .build();
        peer.start();
        return peer;
    }

    private byte[] bundle(String host, KeyPair keys, long version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleBuilder.forSite(host)
                .source(DirectorySource.of(dir.resolve("site")))
                .signingKey(keys.getPrivate())
                .version(version)
                .build(out);
        return out.toByteArray();
    }

    private HttpResponse<String> control(
            String scheme, HttpClient client, KeyPair keys, String site, String method, String call, byte[] body)
            throws IOException, InterruptedException {
        String path = "/xeno/v1/sites/" + site + "/" + call;
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(scheme + "://127.0.0.1:" + peer.controlPort() + path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30));
        ControlSignature.sign(keys.getPrivate(), site, method, path, ControlSignature.sha256(body), Instant.now())
                .forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> control(KeyPair keys, String site, String method, String call, byte[] body)
            throws IOException, InterruptedException {
        return control("http", http, keys, site, method, call, body);
    }

    /** A GET on the serving port for {@code host}, over a raw socket (the JDK client will not set Host). */
    private String get(String host, String path) throws IOException {
        try (java.net.Socket socket =
                new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), peer.servingPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host
                                    + "\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void pushAndActivate(KeyPair keys, String site, long version) throws Exception {
        HttpResponse<String> staged = control(keys, site, "PUT", "bundle", bundle(site, keys, version));
        assertEquals(200, staged.statusCode(), staged.body());
        HttpResponse<String> active = control(
                keys, site, "POST", "activate", ("{\"version\":" + version + "}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, active.statusCode(), active.body());
    }

    @Test
    void aPushedBundleIsServedForItsHostName() throws Exception {
        start(SiteQuota.DEFAULT);
        assertTrue(get("books.example", "/").startsWith("HTTP/1.1 421"), "nothing served before activation");
        pushAndActivate(BOOKS, "books.example", 1);
        String page = get("books.example", "/books/");
        assertTrue(page.startsWith("HTTP/1.1 200"), page);
        assertTrue(page.contains("Gulliver's Travels, 1726"), page);
        HttpResponse<String> status = control(BOOKS, "books.example", "GET", "status", new byte[0]);
        assertTrue(status.body().contains("\"activeVersion\":1"), status.body());
        assertTrue(status.body().contains("\"requests\":1"), status.body());
        HttpResponse<String> metrics = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peer.controlPort() + "/metrics"))
                        .header("Authorization", "Bearer " + METRICS_TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(metrics.body().contains("xeno_peer_requests_total{site=\"books.example\"} 1"), metrics.body());
    }

    @Test
    void controlCallsAreRefusedWithJsonErrors() throws Exception {
        start(SiteQuota.DEFAULT);
        HttpResponse<String> unsigned = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + peer.controlPort() + "/xeno/v1/sites/books.example/status"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unsigned.statusCode());
        assertTrue(unsigned.body().contains("\"error\":\"unsigned\""), unsigned.body());
        assertEquals(
                403,
                control(MAPS, "books.example", "GET", "status", new byte[0]).statusCode(),
                "another site's key");
        HttpResponse<String> stranger = control(SiteKeys.generate(), "evil.example", "GET", "status", new byte[0]);
        assertEquals(403, stranger.statusCode());
        pushAndActivate(BOOKS, "books.example", 2);
        HttpResponse<String> rollback =
                control(BOOKS, "books.example", "PUT", "bundle", bundle("books.example", BOOKS, 1));
        assertEquals(409, rollback.statusCode(), rollback.body());
    }

    @Test
    void aSiteOverItsRateGets429WhileAnotherIsServed() throws Exception {
        start(new SiteQuota(1L << 30, 5, 1.0));
        pushAndActivate(BOOKS, "books.example", 1);
        pushAndActivate(MAPS, "maps.example", 1);
        int limited = 0;
        for (int i = 0; i < 30; i++) {
            if (get("books.example", "/").startsWith("HTTP/1.1 429")) {
                limited++;
            }
            assertTrue(get("maps.example", "/").startsWith("HTTP/1.1 200"), "maps.example is not limited");
        }
        assertTrue(limited >= 20, "books.example was limited " + limited + " times of 30");
        assertTrue(peer.accounting().snapshot("books.example").rejected() >= 20);
    }

    @Test
    void activationIsAtomicForConcurrentReaders() throws Exception {
        start(SiteQuota.DEFAULT);
        java.util.Set<String> bodies = new java.util.HashSet<>();
        for (int version = 1; version <= 6; version++) {
            String page = ("<h1>Catalogue, edition " + version + "</h1>").repeat(200);
            Files.writeString(dir.resolve("site/index.html"), page);
            bodies.add(page);
            HttpResponse<String> staged =
                    control(BOOKS, "books.example", "PUT", "bundle", bundle("books.example", BOOKS, version));
            assertEquals(200, staged.statusCode(), staged.body());
        }
        control(BOOKS, "books.example", "POST", "activate", "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
        java.util.concurrent.atomic.AtomicBoolean activating = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(2);
        java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int r = 0; r < 2; r++) {
            done.add(readers.submit(() -> {
                while (activating.get()) {
                    String response = get("books.example", "/");
                    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
                    assertTrue(
                            response.startsWith("HTTP/1.1 200") && bodies.contains(body),
                            "a whole version, never a mix");
                    checked.incrementAndGet();
                }
                return null;
            }));
        }
        for (int version = 2; version <= 6; version++) {
            assertEquals(
                    200,
                    control(
                                    BOOKS,
                                    "books.example",
                                    "POST",
                                    "activate",
                                    ("{\"version\":" + version + "}").getBytes(StandardCharsets.UTF_8))
                            .statusCode());
        }
        activating.set(false);
        for (java.util.concurrent.Future<?> reader : done) {
            reader.get(30, TimeUnit.SECONDS);
        }
        readers.shutdown();
        assertTrue(checked.get() > 0);
        assertTrue(get("books.example", "/").contains("edition 6"));
    }

    @Test
    void stateSurvivesARestart() throws Exception {
        start(SiteQuota.DEFAULT);
        pushAndActivate(BOOKS, "books.example", 1);
        peer.close();
        start(SiteQuota.DEFAULT);
        assertTrue(get("books.example", "/").startsWith("HTTP/1.1 200"), "served after the restart");
    }

    @Test
    void bothPortsSpeakTlsWithAKeyStore() throws Exception {
        Path keyStore = TestCertificates.selfSignedKeyStore(dir.resolve("peer.p12"), "changeit");
        peer = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("peer"))
                .enroll(new Enrollment("books.example", BOOKS.getPublic(), SiteQuota.DEFAULT))
                .tls(keyStore, "changeit".toCharArray())
                .build();
        peer.start();

        KeyStore trust = TestCertificates.trustStoreFor(keyStore, "changeit");
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(context).build();

        HttpResponse<String> staged =
                control("https", https, BOOKS, "books.example", "PUT", "bundle", bundle("books.example", BOOKS, 1));
        assertEquals(200, staged.statusCode(), staged.body());
        HttpResponse<String> served = https.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + peer.servingPort() + "/"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(421, served.statusCode(), "TLS works; the host 127.0.0.1 is not a site");
    }
}
