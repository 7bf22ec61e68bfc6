package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.SiteQuota;

/**
 * The {@code capture} policy on a real {@link PeerServer}: orders posted to the serving port are
 * answered 202 with the thank-you page and reach a real intake server on loopback, in order and
 * once, through intake failures and a peer restart.
 */
class CaptureIT {
    private static final String SHOP = "shop.example";
    private static final KeyPair KEYS = SiteKeys.generate();
    private static final String THANKS = "<h1>Thank you, your order is on its way</h1>";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> forwardedAs = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private Undertow intake;
    private PeerServer peer;

    @BeforeEach
    void startIntake() {
        intake = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(new BlockingHandler(exchange -> {
                    String body = new String(exchange.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        exchange.setStatusCode(500);
                        return;
                    }
                    if (body.contains("malformed")) {
                        exchange.setStatusCode(400);
                        return;
                    }
                    received.add(exchange.getRequestHeaders().getFirst("Idempotency-Key") + " " + body);
                    Instant capturedAt =
                            Instant.parse(exchange.getRequestHeaders().getFirst("X-Xeno-Captured-At"));
                    forwardedAs.add(exchange.getRequestHeaders().getFirst("X-Xeno-Method") + " "
                            + exchange.getRequestHeaders().getFirst("X-Forwarded-Host")
                            + exchange.getRequestHeaders().getFirst("X-Xeno-Path") + " "
                            + (capturedAt.isAfter(Instant.now()) ? "captured in the future" : "captured before"));
                    exchange.setStatusCode(204);
                }))
                .build();
        intake.start();
    }

    @AfterEach
    void stop() {
        if (peer != null) {
            peer.close();
        }
        intake.stop();
    }

    @Test
    void capturedOrdersAreAnswered202AndDeliveredInOrderOnceThroughIntakeFailures() throws Exception {
        startPeerWithShop();
        failuresLeft.set(2);
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> answer = post("/order", "order=" + i, "key-" + i);
            assertEquals(202, answer.statusCode());
            assertEquals(THANKS, answer.body());
            assertEquals(
                    "no-store", answer.headers().firstValue("Cache-Control").orElseThrow());
        }
        awaitTrue(this::allDelivered);
        assertEquals(List.of("key-1 order=1", "key-2 order=2", "key-3 order=3"), received);
    }

    @Test
    void forwardedOrdersCarryTheOriginalMethodPathSiteAndCaptureTime() throws Exception {
        startPeerWithShop();
        assertEquals(202, post("/order?book=gulliver", "order=1", "key-1").statusCode());
        awaitTrue(this::allDelivered);
        assertEquals(List.of("POST " + SHOP + "/order?book=gulliver captured before"), forwardedAs);
    }

    @Test
    void aRequestTheIntakeRefusesAsMalformedIsSetAsideAndTheNextOnesStillArrive() throws Exception {
        startPeerWithShop();
        assertEquals(202, post("/order", "order=1", "key-1").statusCode());
        assertEquals(202, post("/order", "order=malformed", "key-bad").statusCode());
        assertEquals(202, post("/order", "order=2", "key-2").statusCode());
        awaitTrue(() -> received.size() == 2 && peer.capturesPending(SHOP) == 0);
        assertEquals(List.of("key-1 order=1", "key-2 order=2"), received);
        assertEquals(1, peer.capturesSetAside(SHOP));
    }

    @Test
    void sameIdempotencyKeyTwiceIsDeliveredOnce() throws Exception {
        startPeerWithShop();
        assertEquals(202, post("/order", "order=1", "same").statusCode());
        assertEquals(202, post("/order", "order=1", "same").statusCode());
        assertEquals(422, post("/order", "order=1 again", "same").statusCode(), "the first request owns the key");
        assertEquals(202, post("/order", "order=2", "other").statusCode());
        awaitTrue(() -> received.size() >= 2 && allDelivered());
        assertEquals(List.of("same order=1", "other order=2"), received);
    }

    @Test
    void requestWithoutKeyGetsOne() throws Exception {
        startPeerWithShop();
        assertEquals(202, post("/order", "order=1", null).statusCode());
        awaitTrue(() -> received.size() == 1);
        assertTrue(received.get(0).matches("[0-9a-f-]{36} order=1"), received.get(0));
    }

    @Test
    void capturedOrdersSurviveAPeerRestart() throws Exception {
        startPeerWithShop();
        failuresLeft.set(Integer.MAX_VALUE);
        assertEquals(202, post("/order", "order=1", "before-restart").statusCode());
        peer.close();
        assertTrue(Files.exists(dir.resolve("peer/capture/" + SHOP + "/" + CaptureJournal.FILE_NAME)));
        assertTrue(received.isEmpty());
        failuresLeft.set(0);
        peer = build();
        peer.start();
        awaitTrue(() -> received.size() == 1);
        assertEquals(List.of("before-restart order=1"), received);
    }

    @Test
    void bodyOverOneMebibyteIs413() throws Exception {
        startPeerWithShop();
        HttpResponse<String> answer = post("/order", "x".repeat((1 << 20) + 1), "big");
        assertEquals(413, answer.statusCode());
        assertEquals(0, peer.capturesPending(SHOP));
    }

    // --- helpers ------------------------------------------------------------------------------

    private PeerServer build() {
        return PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("peer"))
                .enroll(new Enrollment(
                        SHOP,
                        KEYS.getPublic(),
                        SiteQuota.DEFAULT,
                        java.util.List.of(URI.create("http://127.0.0.1:"
                                + ((InetSocketAddress)
                                                intake.getListenerInfo().get(0).getAddress())
                                        .getPort()))))
                .build();
    }

    private void startPeerWithShop() throws Exception {
        peer = build();
        peer.start();
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>Shop</h1>");
        Files.writeString(site.resolve("thanks.html"), THANKS);
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        BundleBuilder.forSite(SHOP)
                .source(DirectorySource.of(site))
                .signingKey(KEYS.getPrivate())
                .version(1)
                .dynamicRoute(new DynamicRoute(
                        "/order",
                        Policy.CAPTURE,
                        Map.of(
                                "intake",
                                "http://127.0.0.1:"
                                        + ((InetSocketAddress) intake.getListenerInfo()
                                                        .get(0)
                                                        .getAddress())
                                                .getPort() + "/intake",
                                "page",
                                "/thanks.html")))
                .build(bundle);
        assertEquals(200, control("PUT", "bundle", bundle.toByteArray()).statusCode());
        assertEquals(
                200,
                control("POST", "activate", "{\"version\":1}".getBytes(StandardCharsets.UTF_8))
                        .statusCode());
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

    private HttpResponse<String> post(String path, String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + peer.servingPort() + path))
                .header("Host", SHOP)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Something was delivered and nothing is pending. */
    private boolean allDelivered() {
        return !received.isEmpty() && peer.capturesPending(SHOP) == 0;
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
