package org.xenoservice.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.admission.AdmissionCounts;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.replicate.PeerSpec;

/**
 * {@link XenoHandler} with the origin under fire, in a real Undertow on loopback: while OVERLOADED
 * the site's static files come from memory without the application, direct requests beyond the
 * admission limit get a cheap 503 without the application, and a verified peer's request still gets
 * through while direct traffic holds every slot it may take.
 */
class XenoHandlerUnderFireIT {
    private static final String SITE = "books.example";
    private static final String PAGE = "<h1>Antiquarian books</h1>";
    private static final String THANKS = "<p>Thank you for your order</p>";
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final KeyPair PEER_KEYS = SiteKeys.generate();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final AtomicInteger appCalls = new AtomicInteger();
    private final List<String> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CountDownLatch releaseApp = new CountDownLatch(1);
    private XenoService xeno;
    private Undertow server;

    @BeforeEach
    void start() throws IOException {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), PAGE);
        Files.writeString(site.resolve("thanks.html"), THANKS);
        xeno = XenoService.start(XenoConfig.builder()
                .site(SITE)
                .siteKey(SiteKeys.generate().getPrivate())
                .staticDirectory(site)
                .httpOnly(true)
                .stateDirectory(dir.resolve("state"))
                .dynamicRoute("/search", "proxy,origin=http://127.0.0.1:9")
                .dynamicRoute("/order", "capture,page=/thanks.html,intake=http://127.0.0.1:9/_xeno/intake")
                .captureHandler(request -> applied.add(request.idempotencyKey()))
                .peer(PeerSpec.of(
                        "p1",
                        URI.create("http://127.0.0.1:9"),
                        List.of(InetAddress.getLoopbackAddress()),
                        PEER_KEYS.getPublic()))
                .build());
        HttpHandler app = new BlockingHandler(exchange -> {
            appCalls.incrementAndGet();
            if (exchange.getRequestPath().startsWith("/search")) {
                releaseApp.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            }
            String peer = exchange.getAttachment(XenoHandler.PEER);
            exchange.getResponseSender().send("app" + (peer == null ? "" : " for " + peer));
        });
        server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(XenoHandler.wrap(xeno, app))
                .build();
        server.start();
        await(() -> xeno.status().fromMemory().filesHeld() > 0, "the bundle's files are in memory");
    }

    @AfterEach
    void stop() {
        releaseApp.countDown();
        server.stop();
        xeno.close();
    }

    @Test
    void inCalmTimesTheApplicationAnswersEverything() throws Exception {
        HttpResponse<String> page = get("/index.html");
        assertEquals(200, page.statusCode());
        assertEquals(1, appCalls.get(), "calm: the app serves its own files");
        assertEquals(0, xeno.status().fromMemory().served());
        assertFalse(xeno.status().originDefence().admission().engaged());
    }

    @Test
    void whileOverloadedStaticFilesComeFromMemoryWithoutTheApplication() throws Exception {
        overload();
        HttpResponse<String> page = get("/index.html");
        assertEquals(200, page.statusCode());
        assertEquals(PAGE, page.body());
        String etag = page.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> head = http.send(
                request("/index.html")
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(
                String.valueOf(PAGE.length()),
                head.headers().firstValue("Content-Length").orElseThrow());
        HttpResponse<String> again = http.send(
                request("/index.html").header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode());
        assertEquals(0, appCalls.get(), "the app ran for none of them");
        assertEquals(3, xeno.status().fromMemory().served());
        assertEquals(200, get("/not-in-the-bundle.html").statusCode(), "a path it does not hold: the app answers");
        assertEquals(1, appCalls.get());
    }

    @Test
    void beyondTheLimitDirectRequestsGetA503WithoutTheApplicationAndAPeerStillGetsThrough() throws Exception {
        overload();
        List<CompletableFuture<HttpResponse<String>>> held = holdEveryDirectSlot();
        int directSlots = held.size();

        HttpResponse<String> refused = get("/search?q=one-more");
        assertEquals(503, refused.statusCode());
        assertTrue(
                refused.headers().firstValue("Retry-After").isPresent(),
                refused.headers().map().toString());
        assertEquals(directSlots, appCalls.get(), "the refused request never reached the app");

        String target = "/search?q=from-a-peer";
        HttpRequest.Builder signed = request(target);
        PeerIdentity.of(PEER_KEYS, Clock.systemUTC())
                .sign("GET", target, List.of(), ControlSignature.sha256(new byte[0]))
                .forEach(signed::header);
        CompletableFuture<HttpResponse<String>> peer =
                http.sendAsync(signed.build(), HttpResponse.BodyHandlers.ofString());
        await(() -> appCalls.get() == directSlots + 1, "the peer's request is in the app too");
        AdmissionCounts during = xeno.status().originDefence().admission();
        assertEquals(1, during.peer().inFlight());
        assertEquals(directSlots, during.direct().inFlight());
        assertEquals(1, during.direct().shed());

        releaseApp.countDown();
        assertEquals("app for p1", peer.get(20, TimeUnit.SECONDS).body());
        for (CompletableFuture<HttpResponse<String>> answer : held) {
            assertEquals(200, answer.get(20, TimeUnit.SECONDS).statusCode());
        }
        await(() -> xeno.status().originDefence().admission().inFlight() == 0, "every permit is released");
    }

    @Test
    void anOrderTheApplicationHasNoRoomForIsJournalledAnsweredWithItsPageAndAppliedOnceLater() throws Exception {
        overload();
        List<CompletableFuture<HttpResponse<String>>> held = holdEveryDirectSlot();
        HttpRequest.Builder order = request("/order")
                .header("Idempotency-Key", "order-42")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("book=42"));
        HttpResponse<String> thanks = http.send(order.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, thanks.statusCode(), thanks.body());
        assertEquals(THANKS, thanks.body());
        assertEquals(
                202,
                http.send(order.build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                "a retry");
        assertEquals(1, xeno.status().originDefence().journaled(), "journalled once, the retry recognised");
        assertTrue(applied.isEmpty(), "not applied while the origin is overloaded");

        releaseApp.countDown();
        xeno.detector().release();
        await(() -> applied.size() == 1, "the order is applied once the origin has room");
        for (CompletableFuture<HttpResponse<String>> answer : held) {
            assertEquals(200, answer.get(20, TimeUnit.SECONDS).statusCode());
        }
        assertEquals(List.of("order-42"), applied);
        await(() -> xeno.status().originDefence().journalPending() == 0, "the journal is drained");
        assertEquals(List.of("order-42"), applied, "applied once");
    }

    /** Sends as many direct requests as the limit lets in, which the app holds until released. */
    private List<CompletableFuture<HttpResponse<String>>> holdEveryDirectSlot() {
        AdmissionCounts engaged = xeno.status().originDefence().admission();
        int directSlots = engaged.limit() - engaged.peerReserve();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < directSlots; i++) {
            held.add(http.sendAsync(request("/search?q=" + i).build(), HttpResponse.BodyHandlers.ofString()));
        }
        await(() -> appCalls.get() == directSlots, directSlots + " direct requests are in the app");
        return held;
    }

    private void overload() {
        xeno.detector().forceOverloaded();
        await(xeno::overloaded, "the detector says OVERLOADED");
        assertTrue(xeno.status().originDefence().admission().engaged(), "the admission limit applies");
    }

    private HttpRequest.Builder request(String path) {
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(DEADLINE);
    }

    private HttpResponse<String> get(String path) {
        try {
            return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within " + DEADLINE);
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
