package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.admission.AdmissionControl;
import org.xenoservice.admission.Outcome;
import org.xenoservice.admission.Traffic;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.CapturedRequest;

/** The origin journals direct requests of capture routes it has no room for: {@link XenoService#journalCapture}. */
class JournalCaptureTest {
    @TempDir
    Path dir;

    private final List<XenoService> started = new CopyOnWriteArrayList<>();
    private final List<String> applied = new CopyOnWriteArrayList<>();

    @BeforeEach
    void writeSite() throws IOException {
        Files.createDirectories(dir.resolve("site"));
        Files.writeString(dir.resolve("site/thanks.html"), "<p>thank you</p>");
    }

    @AfterEach
    void stop() {
        started.forEach(XenoService::close);
    }

    private XenoConfig.Builder base() {
        return XenoConfig.builder()
                .site("books.example")
                .siteKey(SiteKeys.generate().getPrivate())
                .staticDirectory(dir.resolve("site"))
                .stateDirectory(dir.resolve("state"))
                .backChannel(URI.create("http://10.0.0.5:8080"))
                .dynamicRoute("/order", "capture,page=/thanks.html")
                .dynamicRoute("/order/admin", "degrade,page=/thanks.html");
    }

    private XenoService start(XenoConfig.Builder config) throws IOException {
        XenoService xeno = XenoService.start(config.build());
        started.add(xeno);
        return xeno;
    }

    private XenoService withHandler() throws IOException {
        return start(base().captureHandler(request ->
                applied.add(request.idempotencyKey() + " " + request.method() + " " + request.path())));
    }

    private static Optional<CaptureAnswer> post(
            XenoService xeno, String target, Map<String, String> headers, String body) {
        Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(headers);
        return xeno.journalCapture(
                "POST", target, name -> Optional.ofNullable(byName.get(name)), body.getBytes(StandardCharsets.UTF_8));
    }

    private static CaptureAnswer order(XenoService xeno, String key, String body) {
        return post(xeno, "/order?book=1", Map.of("Idempotency-Key", key, "Content-Type", "text/plain"), body)
                .orElseThrow();
    }

    /** Overloads the origin and admits direct requests until the admission control refuses one. */
    private static List<Long> takeEveryDirectSlot(XenoService xeno) throws InterruptedException {
        xeno.detector().forceOverloaded();
        await(xeno::overloaded, "the detector says OVERLOADED");
        List<Long> held = new ArrayList<>();
        for (long permit = xeno.admit(Traffic.DIRECT);
                permit != AdmissionControl.REJECTED;
                permit = xeno.admit(Traffic.DIRECT)) {
            held.add(permit);
        }
        return held;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void tellsTheAdapterWhichPathsItJournals() throws IOException {
        XenoService xeno = withHandler();
        assertEquals(
                "/order", xeno.captureRoute("/order").map(DynamicRoute::prefix).orElseThrow());
        assertEquals(
                "/order",
                xeno.captureRoute("/order/7").map(DynamicRoute::prefix).orElseThrow());
        assertEquals(Optional.empty(), xeno.captureRoute("/orders"));
        assertEquals(Optional.empty(), xeno.captureRoute("/order/admin"), "the longest prefix decides");
        assertEquals(Optional.empty(), xeno.captureRoute("/thanks.html"));
    }

    @Test
    void withoutACaptureHandlerNothingIsJournalled() throws IOException {
        XenoService xeno = start(base());
        assertEquals(Optional.empty(), xeno.captureRoute("/order"));
        assertEquals(Optional.empty(), post(xeno, "/order", Map.of(), "x"));
    }

    @Test
    void journalsAnOrderUnderFireAndAppliesItOnceTheOriginHasRoom() throws Exception {
        XenoService xeno = withHandler();
        List<Long> held = takeEveryDirectSlot(xeno);

        CaptureAnswer answer = order(xeno, "order-1", "qty=1");

        assertEquals(202, answer.status());
        assertTrue(answer.journaled());
        assertEquals(Optional.of("/thanks.html"), answer.page());
        assertEquals("no-store", answer.headers().get("Cache-Control"));
        assertEquals(202, order(xeno, "order-1", "qty=1").status(), "a retry gets the same answer");
        XenoStatus.OriginDefence journal = xeno.status().originDefence();
        assertEquals(1, journal.journaled());
        assertEquals(1, journal.journalPending());
        assertTrue(applied.isEmpty(), "not applied while the application's direct slots are all taken");

        xeno.release(held.get(0), Outcome.SUCCEEDED); // one slot free: room, though still OVERLOADED
        await(() -> xeno.status().originDefence().journalApplied() == 1, "applied");

        assertEquals(List.of("order-1 POST /order?book=1"), applied);
        assertEquals(0, xeno.status().originDefence().journalPending());
        String metrics = new String(StatusDocuments.prometheus(xeno.status()), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("xeno_origin_journal_applied_total{site=\"books.example\"} 1"), metrics);
    }

    @Test
    void aRequestWithoutAKeyGetsOne() throws Exception {
        XenoService xeno = withHandler();
        assertEquals(202, post(xeno, "/order", Map.of(), "qty=1").orElseThrow().status());
        await(() -> applied.size() == 1, "applied");
        assertTrue(applied.get(0).matches("[0-9a-f-]{36} POST /order"), applied::toString);
    }

    @Test
    void refusesABadIdempotencyKey() throws IOException {
        XenoService xeno = withHandler();
        CaptureAnswer answer = order(xeno, "two words", "qty=1");
        assertEquals(400, answer.status());
        assertEquals(Optional.empty(), answer.page());
        String text = new String(answer.text().body(), StandardCharsets.UTF_8);
        assertTrue(text.startsWith("400 Bad Request: idempotencyKey must be"), text);
        assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, "one line: " + text);
        assertEquals(0, xeno.status().originDefence().journaled());
    }

    @Test
    void refusesABodyOverTheLimit() throws IOException {
        XenoService xeno = withHandler();
        CaptureAnswer answer = order(xeno, "big", "x".repeat(CapturedRequest.MAX_BODY_BYTES + 1));
        assertEquals(413, answer.status());
        assertTrue(answer.text().contentType().startsWith("text/plain"));
        assertEquals(0, xeno.status().originDefence().journaled());
    }

    @Test
    void refusesATargetThatTraverses() throws IOException {
        XenoService xeno = withHandler();
        for (String target : List.of("/order/../admin", "/order/%2e%2e/admin", "/order%2F..%2Fadmin")) {
            CaptureAnswer answer = post(xeno, target, Map.of(), "x").orElseThrow();
            assertEquals(400, answer.status(), target);
            assertTrue(answer.reason().startsWith("the request target cannot be captured"), answer::reason);
        }
        assertEquals(0, xeno.status().originDefence().journaled());
    }

    @Test
    void refusesAKeyReusedForAnotherBody() throws IOException {
        XenoService xeno = withHandler();
        xeno.detector().forceOverloaded();
        order(xeno, "order-1", "qty=1");
        CaptureAnswer answer = order(xeno, "order-1", "qty=100");
        assertEquals(422, answer.status());
        assertTrue(answer.reason().contains("send this one with a new key"), answer::reason);
    }

    @Test
    void leavesAPathNoCaptureRouteDecidesToTheAdapter() throws IOException {
        XenoService xeno = withHandler();
        assertEquals(Optional.empty(), post(xeno, "/orders", Map.of(), "x"));
        assertEquals(Optional.empty(), post(xeno, "/order/admin", Map.of(), "x"));
    }

    @Test
    void appliesWhatItJournalledBeforeARestart() throws Exception {
        XenoService first = withHandler();
        takeEveryDirectSlot(first);
        order(first, "order-1", "qty=1");
        assertTrue(applied.isEmpty(), "no room before the restart");
        first.close();
        started.remove(first);

        XenoService second = withHandler();
        await(() -> applied.size() == 1, "applied after the restart");
        assertEquals(List.of("order-1 POST /order?book=1"), applied);
        await(() -> second.status().originDefence().journalApplied() == 1, "acknowledged");
    }
}
