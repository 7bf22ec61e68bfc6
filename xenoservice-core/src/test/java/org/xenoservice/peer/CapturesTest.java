package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.SiteQuota;

/**
 * {@link Captures}' bounds on a real {@link PeerSites} and a real intake on loopback (the JDK's
 * HTTP server, answering what the test sets): the rate buckets on an injected clock, the storage
 * quota, and the bound on dead letters.
 */
class CapturesTest {
    private static final String SHOP = "shop.example";
    private static final KeyPair KEYS = SiteKeys.generate();
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final AtomicLong now = new AtomicLong();
    private volatile int intakeStatus = 204;
    private HttpServer intake;
    private PeerSites sites;
    private Captures captures;

    @BeforeEach
    void start() throws Exception {
        intake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        intake.createContext("/intake", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(intakeStatus, -1);
            exchange.close();
        });
        intake.start();
    }

    @AfterEach
    void stop() {
        if (captures != null) {
            captures.close();
        }
        intake.stop(0);
    }

    private void open(CaptureLimits limits, SiteQuota quota, int maxDeadLetters) throws Exception {
        String origin = "http://127.0.0.1:" + intake.getAddress().getPort();
        sites = PeerSites.open(
                dir.resolve("state"),
                BlobStore.openUnsynced(dir.resolve("store")),
                List.of(new Enrollment(SHOP, KEYS.getPublic(), quota, List.of(java.net.URI.create(origin)), limits)));
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("thanks.html"), "<h1>Thanks</h1>");
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        BundleBuilder.forSite(SHOP)
                .source(DirectorySource.of(site))
                .signingKey(KEYS.getPrivate())
                .version(1)
                .dynamicRoute(new DynamicRoute(
                        "/order",
                        DynamicRoute.Policy.CAPTURE,
                        Map.of("intake", origin + "/intake", "page", "/thanks.html")))
                .build(bundle);
        sites.receive(SHOP, new ByteArrayInputStream(bundle.toByteArray()));
        sites.activate(SHOP, 1);
        captures = Captures.builder(
                        dir.resolve("capture"),
                        sites,
                        PeerIdentity.loadOrCreate(dir.resolve("peer"), Clock.systemUTC()))
                .storedBytes(sites::storedBytes)
                .enrollments(sites::enrollment)
                .nanoTime(now::get)
                .maxDeadLetters(maxDeadLetters)
                .open();
    }

    @Test
    void aSiteGetsOneSecondsWorthOfRequestsThenItsRateWithRetryAfter() throws Exception {
        open(new CaptureLimits(2, 1L << 30), SiteQuota.DEFAULT, 10);
        intakeStatus = 503; // keep everything pending
        captures.capture(order("a", 10));
        captures.capture(order("b", 10));
        CaptureRefusedException refused =
                assertThrows(CaptureRefusedException.class, () -> captures.capture(order("c", 10)));
        assertEquals(429, refused.status());
        assertEquals(Duration.ofSeconds(1), refused.retryAfter().orElseThrow());
        assertEquals(1, captures.capture(order("a", 10)), "a client's retry of a taken request is not charged");
        now.addAndGet(Duration.ofMillis(500).toNanos());
        captures.capture(order("c", 10));
        assertThrows(CaptureRefusedException.class, () -> captures.capture(order("d", 10)));
        assertTrue(captures.prometheus()
                .contains("xeno_peer_capture_refused_total{site=\"" + SHOP + "\",reason=\"rate\"} 2"));
    }

    @Test
    void bodyBytesAreLimitedBesideRequests() throws Exception {
        open(new CaptureLimits(1000, 100), SiteQuota.DEFAULT, 10);
        intakeStatus = 503;
        captures.capture(order("big", CapturedRequest.MAX_BODY_BYTES)); // one largest request always fits the burst
        CaptureRefusedException refused =
                assertThrows(CaptureRefusedException.class, () -> captures.capture(order("more", 1000)));
        assertEquals(CaptureRefusedException.Reason.RATE, refused.reason());
        assertEquals(Duration.ofSeconds(10), refused.retryAfter().orElseThrow());
    }

    @Test
    void journalAndStoredBlobsTogetherStayWithinTheStorageQuota() throws Exception {
        long quota = 600_000;
        open(new CaptureLimits(1000, 1L << 30), new SiteQuota(quota, 1000, 1.0), 10);
        intakeStatus = 503;
        captures.capture(order("one", 250_000));
        captures.capture(order("two", 250_000));
        CaptureRefusedException refused =
                assertThrows(CaptureRefusedException.class, () -> captures.capture(order("three", 250_000)));
        assertEquals(503, refused.status());
        assertTrue(refused.retryAfter().isPresent());
        assertTrue(sites.storedBytes(SHOP) > 0);
        assertTrue(sites.storedBytes(SHOP) + captures.bytesOnDisk(SHOP) <= quota);
        assertEquals(Files.size(dir.resolve("capture/" + SHOP + "/capture.journal")), captures.bytesOnDisk(SHOP));
        intakeStatus = 204; // the origin takes the backlog: the room comes back, by compaction
        awaitTrue(() -> captures.pendingCount(SHOP) == 0);
        captures.capture(order("three", 250_000));
    }

    @Test
    void deadLettersAreBoundedByDroppingTheOldest() throws Exception {
        open(CaptureLimits.DEFAULT, SiteQuota.DEFAULT, 2);
        intakeStatus = 422;
        for (String key : List.of("a", "b", "c", "d")) {
            captures.capture(order(key, 10));
        }
        awaitTrue(() -> captures.pendingCount(SHOP) == 0);
        assertEquals(2, captures.deadLetterCount(SHOP));
        String metrics = captures.prometheus();
        assertTrue(metrics.contains("xeno_peer_capture_dead_letters{site=\"" + SHOP + "\"} 2"), metrics);
        assertTrue(metrics.contains("xeno_peer_capture_dead_letters_dropped_total{site=\"" + SHOP + "\"} 2"), metrics);
    }

    @Test
    void retryableRefusalsAreNotDeadLetters() {
        for (int status : new int[] {401, 403, 408, 409, 421, 425, 429}) {
            assertTrue(Captures.retryable(status), Integer.toString(status));
        }
        for (int status : new int[] {400, 404, 405, 410, 413, 415, 422}) {
            assertFalse(Captures.retryable(status), Integer.toString(status));
        }
    }

    private static CapturedRequest order(String key, int bodyBytes) {
        return new CapturedRequest(
                key,
                SHOP,
                "POST",
                "/order",
                List.of(new CapturedRequest.Header("Content-Type", "text/plain")),
                "x".repeat(bodyBytes).getBytes(StandardCharsets.US_ASCII),
                Instant.EPOCH);
    }

    private static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "condition not met within " + DEADLINE);
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
