package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HttpString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoResponse;
import org.xenoservice.XenoService;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.CaptureLimits;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.replicate.PeerSpec;

/**
 * Hostile clients of the {@code capture} policy against a real {@link PeerServer} and a real origin
 * ({@link XenoService}'s intake on Undertow): requests that could never be delivered are refused at
 * once and never block later orders (also from a journal written before the rules), an idempotency
 * key belongs to the request that sent it first, and a flood of captures stays within the site's
 * capture rate and storage quota.
 */
class CaptureAttackIT {
    private static final String SHOP = "shop.example";
    private static final KeyPair KEYS = SiteKeys.generate();
    private static final String THANKS = "<h1>Thank you</h1>";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String METRICS_TOKEN = "capture-attack-metrics-token";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<CapturedRequest> applied = new CopyOnWriteArrayList<>();
    private volatile XenoService xeno;
    private Undertow origin;
    private PeerServer peer;

    @BeforeEach
    void startOrigin() throws IOException {
        origin = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(new BlockingHandler(exchange -> {
                    String query = exchange.getQueryString();
                    XenoResponse answer = xeno.serveXenoPath(
                            exchange.getRequestMethod().toString(),
                            exchange.getRequestPath(),
                            exchange.getRequestURI() + (query.isEmpty() ? "" : "?" + query),
                            name -> {
                                io.undertow.util.HeaderValues values =
                                        exchange.getRequestHeaders().get(name);
                                return values == null ? List.of() : List.copyOf(values);
                            },
                            exchange.getInputStream());
                    exchange.setStatusCode(answer.status());
                    exchange.getResponseHeaders().put(new HttpString("Content-Type"), answer.contentType());
                    exchange.getOutputStream().write(answer.body());
                }))
                .build();
        origin.start();
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>Shop</h1>");
        Files.writeString(site.resolve("thanks.html"), THANKS);
        xeno = XenoService.start(XenoConfig.builder()
                .site(SHOP)
                .siteKey(KEYS.getPrivate())
                .staticDirectory(site)
                .httpOnly(true)
                .stateDirectory(dir.resolve("origin"))
                // the peer's identity, made ahead in its store as PeerServer will load it, pinned as an operator would
                .peer(PeerSpec.of(
                        "p1",
                        URI.create("http://127.0.0.1:9"),
                        List.of(InetAddress.getLoopbackAddress()),
                        identity().publicKey()))
                .dynamicRoute(orderRoute())
                .captureHandler(applied::add)
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
        if (origin != null) {
            origin.stop();
        }
        xeno.close();
    }

    @Test
    void aControlCharacterInContentTypeIsRefusedWith400AndLaterOrdersArrive() throws Exception {
        startPeer(CaptureLimits.DEFAULT, SiteQuota.DEFAULT);
        String answer = raw("POST /order HTTP/1.1\r\nHost: " + SHOP + "\r\nContent-Type: text/plain\u0001x\r\n"
                + "Idempotency-Key: poisoned\r\nContent-Length: 5\r\nConnection: close\r\n\r\nqty=1");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("control character"), answer);
        assertEquals(202, post("/order", "qty=2", "good").statusCode());
        awaitTrue(() -> applied.size() == 1 && peer.capturesPending(SHOP) == 0);
        assertEquals("good", applied.get(0).idempotencyKey());
    }

    @Test
    void aPercentEncodedPathIsNormalizedAndDelivered() throws Exception {
        startPeer(CaptureLimits.DEFAULT, SiteQuota.DEFAULT);
        assertEquals(202, post("/%6frder?book=1", "qty=1", "encoded").statusCode());
        assertEquals(202, post("/order", "qty=2", "after").statusCode());
        awaitTrue(() -> applied.size() == 2);
        assertEquals("/order?book=1", applied.get(0).path());
        assertEquals("after", applied.get(1).idempotencyKey());
    }

    @Test
    void aPathParameterIsRefusedWith400AndNeverJournalled() throws Exception {
        startPeer(CaptureLimits.DEFAULT, SiteQuota.DEFAULT);
        HttpResponse<String> answer = post("/order;x=1", "qty=1", "parameter");
        assertEquals(400, answer.statusCode());
        assertTrue(answer.body().contains("path parameters"), answer.body());
        assertEquals(202, post("/order", "qty=2", "after").statusCode());
        awaitTrue(() -> applied.size() == 1 && peer.capturesPending(SHOP) == 0);
        assertEquals("after", applied.get(0).idempotencyKey());
    }

    @Test
    void aJournalPoisonedBeforeTheRulesMovesAfterARestart() throws Exception {
        try (CaptureJournal journal = CaptureJournal.open(dir.resolve("peer/capture/" + SHOP))) {
            journal.append(captured("legacy-parameter", "/order;x=1", "text/plain"));
            journal.append(captured("legacy-control", "/order", "text/plain\u0001"));
            journal.append(captured("legacy-encoded", "/%6frder", "text/plain"));
            journal.append(captured("legacy-good", "/order", "text/plain"));
        }
        startPeer(CaptureLimits.DEFAULT, SiteQuota.DEFAULT);
        awaitTrue(() -> applied.size() == 2 && peer.capturesPending(SHOP) == 0);
        assertEquals(
                List.of("legacy-encoded", "legacy-good"),
                applied.stream().map(CapturedRequest::idempotencyKey).toList());
        assertEquals(2, peer.capturesSetAside(SHOP));
        assertTrue(metrics().contains("xeno_peer_capture_dead_letters{site=\"" + SHOP + "\"} 2"), metrics());
        peer.close();
        peer = build(CaptureLimits.DEFAULT, SiteQuota.DEFAULT);
        peer.start();
        assertEquals(2, peer.capturesSetAside(SHOP), "dead letters are kept across a restart");
        assertEquals(0, peer.capturesPending(SHOP));
    }

    @Test
    void aSecondClientReusingAKeyWithAnotherBodyGets422AndTheFirstIsAnsweredAgain() throws Exception {
        startPeer(CaptureLimits.DEFAULT, SiteQuota.DEFAULT);
        assertEquals(202, post("/order", "book=gulliver", "shared").statusCode());
        HttpResponse<String> second = post("/order", "book=moby-dick", "shared");
        assertEquals(422, second.statusCode());
        assertTrue(second.body().contains("already used for another request"), second.body());
        HttpResponse<String> again = post("/order", "book=gulliver", "shared");
        assertEquals(202, again.statusCode(), "the owner's retry gets its answer again");
        assertEquals(THANKS, again.body());
        awaitTrue(() -> applied.size() == 1 && peer.capturesPending(SHOP) == 0);
        assertEquals("book=gulliver", new String(applied.get(0).body(), StandardCharsets.UTF_8));
        assertEquals(422, post("/order", "book=moby-dick", "shared").statusCode(), "also once delivered");
    }

    @Test
    void theOriginsIntakeRefusesAnotherRequestUnderAnAppliedKeyWith422() throws Exception {
        assertEquals(200, intake("/order", "book=gulliver", "owned").statusCode());
        HttpResponse<String> reused = intake("/order", "book=moby-dick", "owned");
        assertEquals(422, reused.statusCode());
        assertTrue(reused.body().contains("\"error\":\"key-reused\""), reused.body());
        HttpResponse<String> again = intake("/order", "book=gulliver", "owned");
        assertEquals(200, again.statusCode());
        assertTrue(again.body().contains("duplicate"), again.body());
        assertEquals(1, applied.size());
    }

    @Test
    void aFloodOfCapturesIsRefusedWith429BeyondTheSitesCaptureRate() throws Exception {
        startPeer(new CaptureLimits(5, 1L << 20), SiteQuota.DEFAULT);
        long start = System.nanoTime();
        int accepted = 0;
        int limited = 0;
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> answer = post("/order", "x".repeat(64 << 10), "flood-" + i);
            if (answer.statusCode() == 202) {
                accepted++;
            } else {
                assertEquals(429, answer.statusCode(), answer.body());
                assertTrue(answer.headers().firstValue("Retry-After").isPresent());
                limited++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(limited > 0, "accepted " + accepted);
        assertTrue(accepted <= 5 + 5 * seconds + 1, "accepted " + accepted + " in " + seconds + " s");
        assertTrue(metrics()
                .contains("xeno_peer_capture_refused_total{site=\"" + SHOP + "\",reason=\"rate\"} " + limited));
    }

    @Test
    void capturesCountTowardTheSitesStorageQuota() throws Exception {
        long quota = 3L << 20;
        startPeer(new CaptureLimits(1000, 1L << 30), new SiteQuota(quota, 1000, 1.0));
        origin.stop(); // the origin is away: captures pile up in the journal
        origin = null;
        int accepted = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 10 && refused == null; i++) {
            HttpResponse<String> answer = post("/order", "x".repeat(1 << 19), "big-" + i);
            if (answer.statusCode() == 202) {
                accepted++;
            } else {
                refused = answer;
            }
        }
        assertTrue(refused != null, "all 10 half-MiB captures were taken under a 3 MiB quota");
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("storage on this peer is full"), refused.body());
        assertTrue(accepted >= 1, "accepted " + accepted);
        long onDisk = Files.size(dir.resolve("peer/capture/" + SHOP + "/" + CaptureJournal.FILE_NAME));
        assertTrue(peer.sites().storedBytes(SHOP) + onDisk <= quota, onDisk + " bytes of journal");
    }

    // --- helpers ------------------------------------------------------------------------------

    private DynamicRoute orderRoute() {
        int port = ((InetSocketAddress) origin.getListenerInfo().get(0).getAddress()).getPort();
        return new DynamicRoute(
                "/order",
                Policy.CAPTURE,
                Map.of("intake", "http://127.0.0.1:" + port + "/_xeno/intake", "page", "/thanks.html"));
    }

    private PeerServer build(CaptureLimits limits, SiteQuota quota) {
        int port = ((InetSocketAddress) origin.getListenerInfo().get(0).getAddress()).getPort();
        return PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("peer"))
                .metricsToken(METRICS_TOKEN)
                .enroll(new Enrollment(
                        SHOP, KEYS.getPublic(), quota, List.of(URI.create("http://127.0.0.1:" + port)), limits))
                .build();
    }

    private void startPeer(CaptureLimits limits, SiteQuota quota) throws Exception {
        peer = build(limits, quota);
        peer.start();
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        BundleBuilder.forSite(SHOP)
                .source(DirectorySource.of(dir.resolve("site")))
                .signingKey(KEYS.getPrivate())
                .version(1)
                .dynamicRoute(orderRoute())
                .build(bundle);
        assertEquals(200, control("PUT", "bundle", bundle.toByteArray()).statusCode());
        assertEquals(
                200,
                control("POST", "activate", "{\"version\":1}".getBytes(StandardCharsets.UTF_8))
                        .statusCode());
    }

    private static CapturedRequest captured(String key, String path, String type) {
        return new CapturedRequest(
                key,
                SHOP,
                "POST",
                path,
                List.of(new CapturedRequest.Header("Content-Type", type)),
                "qty=1".getBytes(StandardCharsets.UTF_8),
                Instant.now());
    }

    private HttpResponse<String> control(String method, String call, byte[] body) throws Exception {
        String path = "/xeno/v1/sites/" + SHOP + "/" + call;
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + peer.controlPort() + path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30));
        ControlSignature.sign(KEYS.getPrivate(), SHOP, method, path, ControlSignature.sha256(body), Instant.now())
                .forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peer.controlPort() + "/metrics"))
                                .header("Authorization", "Bearer " + METRICS_TOKEN)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private HttpResponse<String> post(String path, String body, String key) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peer.servingPort() + path))
                        .header("Host", SHOP)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Idempotency-Key", key)
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A delivery as a peer makes it, signed by the peer's pinned identity, straight to the origin's intake. */
    private HttpResponse<String> intake(String path, String body, String key) throws IOException, InterruptedException {
        int port = ((InetSocketAddress) origin.getListenerInfo().get(0).getAddress()).getPort();
        URI intake = URI.create("http://127.0.0.1:" + port + "/_xeno/intake");
        List<Map.Entry<String, String>> headers = List.of(
                Map.entry("Idempotency-Key", key),
                Map.entry("X-Forwarded-Host", SHOP),
                Map.entry("X-Xeno-Path", path),
                Map.entry("X-Xeno-Method", "POST"),
                Map.entry("Content-Type", "application/x-www-form-urlencoded"));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder post = HttpRequest.newBuilder(intake)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        headers.forEach(header -> post.header(header.getKey(), header.getValue()));
        identity()
                .sign("POST", PeerSignature.target(intake), headers, ControlSignature.sha256(bytes))
                .forEach(post::header);
        return http.send(post.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The peer's identity in its store: made on first use, then the same one PeerServer loads. */
    private PeerIdentity identity() throws IOException {
        return PeerIdentity.loadOrCreate(dir.resolve("peer"), Clock.systemUTC());
    }

    /** Sends {@code request} as it is (the JDK client refuses control characters) and reads the answer. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), peer.servingPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return StandardCharsets.ISO_8859_1
                    .decode(ByteBuffer.wrap(in.readAllBytes()))
                    .toString();
        }
    }

    /** Polls until the condition holds, failing after the deadline. */
    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + DEADLINE);
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
