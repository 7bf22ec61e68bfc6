package org.xenoservice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;
import org.xenoservice.dynamic.JournalException;
import org.xenoservice.protocol.CapturedRequest;

class CaptureIntakeTest {
    private static final String SHOP = "shop.example";
    private static final List<DynamicRoute> ROUTES = List.of(
            new DynamicRoute(
                    "/order", Policy.CAPTURE, Map.of("intake", "http://127.0.0.1:1/intake", "page", "/t.html")),
            new DynamicRoute("/order/admin", Policy.PROXY, Map.of("origin", "http://127.0.0.1:1")),
            new DynamicRoute("/sold-out", Policy.DEGRADE, Map.of("page", "/sorry.html")));
    private static final Instant CAPTURED = Instant.parse("2030-01-02T03:04:05.123456789Z");

    @TempDir
    Path dir;

    private final List<CapturedRequest> applied = new CopyOnWriteArrayList<>();
    private volatile CaptureHandler behaviour = applied::add;
    private CaptureIntake intake;

    @BeforeEach
    void open() throws IOException {
        intake = reopen();
    }

    @AfterEach
    void close() throws IOException {
        intake.close();
    }

    private CaptureIntake reopen() throws IOException {
        return CaptureIntake.open(dir.resolve("ledger"), SHOP, ROUTES, request -> behaviour.apply(request));
    }

    /** The headers a peer's forwarder sends for an order, to be changed per test. */
    private static Map<String, String> forwarded(String key) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Idempotency-Key", key);
        headers.put("X-Forwarded-Host", SHOP);
        headers.put("X-Xeno-Path", "/order?book=gulliver");
        headers.put("X-Xeno-Method", "POST");
        headers.put("X-Xeno-Captured-At", CAPTURED.toString());
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        return headers;
    }

    /** Posts order-1 with one header of the forwarded ones changed, or removed when {@code value} is null. */
    private IntakeResponse postWith(String name, String value) {
        Map<String, String> headers = forwarded("order-1");
        if (value == null) {
            headers.remove(name);
        } else {
            headers.put(name, value);
        }
        return post(headers, "qty=1");
    }

    private IntakeResponse post(Map<String, String> headers, String body) {
        return post(intake, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static IntakeResponse post(CaptureIntake intake, Map<String, String> headers, byte[] body) {
        return intake.accept("POST", name -> Optional.ofNullable(headers.get(name)), body);
    }

    private static void assertAnswer(int status, String json, IntakeResponse answer) {
        assertEquals(status, answer.status(), answer::toString);
        assertEquals(IntakeResponse.JSON, answer.contentType());
        assertEquals(json, answer.bodyText());
    }

    private static void assertRefused(int status, String error, IntakeResponse answer) {
        assertEquals(status, answer.status(), answer::toString);
        assertTrue(answer.bodyText().startsWith("{\"error\":\"" + error + "\",\"reason\":\""), answer::toString);
    }

    @Test
    void appliesNewKeyOnceWithEverythingThePeerCaptured() {
        assertAnswer(200, "{\"status\":\"applied\",\"key\":\"order-1\"}", post(forwarded("order-1"), "qty=1"));
        assertEquals(
                List.of(new CapturedRequest(
                        "order-1",
                        SHOP,
                        "POST",
                        "/order?book=gulliver",
                        List.of(new CapturedRequest.Header("Content-Type", "application/x-www-form-urlencoded")),
                        "qty=1".getBytes(StandardCharsets.UTF_8),
                        CAPTURED)),
                applied);
        assertEquals(1, intake.appliedCount());
        assertEquals(1, intake.keyCount());
    }

    @Test
    void answersDuplicateWithoutCallingTheHandler() {
        post(forwarded("order-1"), "qty=1");
        assertAnswer(200, "{\"status\":\"duplicate\",\"key\":\"order-1\"}", post(forwarded("order-1"), "qty=1"));
        assertEquals(1, applied.size());
        assertEquals(1, intake.duplicateCount());
    }

    @Test
    void duplicateIsAcknowledgedEvenWhenThePathIsNoLongerCaptured() throws IOException {
        post(forwarded("order-1"), "qty=1");
        intake.close();
        intake = CaptureIntake.open(
                dir.resolve("ledger"),
                SHOP,
                List.of(new DynamicRoute(
                        "/checkout", Policy.CAPTURE, Map.of("intake", "http://127.0.0.1:1/intake", "page", "/t.html"))),
                applied::add);
        assertAnswer(200, "{\"status\":\"duplicate\",\"key\":\"order-1\"}", post(forwarded("order-1"), "qty=1"));
        assertEquals(1, applied.size());
    }

    @Test
    void aKeyAppliedForOneRequestIsRefusedWith422ForAnotherAlsoAfterARestart() throws IOException {
        assertEquals(200, post(forwarded("order-1"), "qty=1").status());
        IntakeResponse other = post(forwarded("order-1"), "qty=999");
        assertRefused(422, "key-reused", other);
        assertTrue(other.bodyText().contains("the first request owns it"), other::toString);
        Map<String, String> otherPath = forwarded("order-1");
        otherPath.put("X-Xeno-Path", "/order/2");
        assertRefused(422, "key-reused", post(otherPath, "qty=1"));
        intake.close();
        intake = reopen();
        assertRefused(422, "key-reused", post(forwarded("order-1"), "qty=999"));
        assertAnswer(200, "{\"status\":\"duplicate\",\"key\":\"order-1\"}", post(forwarded("order-1"), "qty=1"));
        assertEquals(1, applied.size());
        assertEquals("qty=1", new String(applied.get(0).body(), StandardCharsets.UTF_8));
    }

    @Test
    void unreservedEscapesInThePathAreDecodedBeforeTheRouteIsDecided() {
        assertEquals(200, postWith("X-Xeno-Path", "/%6frder?book=gulliver").status());
        assertEquals("/order?book=gulliver", applied.get(0).path());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/order;x=1", "/order/%3b", "/order/%2f", "/order/a b", "/order/\u00e9"})
    void refusesPathParametersEscapedSeparatorsAndRawNonAsciiWith400(String path) {
        assertRefused(400, "bad-path", postWith("X-Xeno-Path", path));
        assertEquals(List.of(), applied);
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain\u0001", "text/plain\u007f", "text/\u00e9"})
    void refusesAContentTypeWithAControlOrNonAsciiCharacterWith400(String type) {
        assertRefused(400, "bad-request", postWith("Content-Type", type));
        assertEquals(List.of(), applied);
    }

    @Test
    void keysSurviveARestart() throws IOException {
        post(forwarded("order-1"), "qty=1");
        post(forwarded("order-2"), "qty=2");
        intake.close();
        intake = reopen();
        assertEquals(2, intake.keyCount());
        assertAnswer(200, "{\"status\":\"duplicate\",\"key\":\"order-2\"}", post(forwarded("order-2"), "qty=2"));
        assertEquals(2, applied.size());
    }

    @Test
    void sameKeyConcurrentlyIsAppliedExactlyOnceAndTheOtherIsAskedToRetry() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        behaviour = request -> {
            calls.incrementAndGet();
            entered.countDown();
            assertTrue(release.await(10, TimeUnit.SECONDS));
        };
        CompletableFuture<IntakeResponse> first = CompletableFuture.supplyAsync(() -> post(forwarded("k"), "a"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        IntakeResponse second = post(forwarded("k"), "a");
        assertRefused(409, "in-progress", second);
        assertTrue(second.bodyText().contains("retry later"), second::toString);
        release.countDown();
        assertEquals(200, first.get(10, TimeUnit.SECONDS).status());
        assertAnswer(200, "{\"status\":\"duplicate\",\"key\":\"k\"}", post(forwarded("k"), "a"));
        assertEquals(1, calls.get());
    }

    @Test
    void differentKeysAreAppliedConcurrently() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        behaviour = request -> {
            both.countDown();
            assertTrue(both.await(10, TimeUnit.SECONDS), "the second key waits for no lock held by the first");
        };
        CompletableFuture<IntakeResponse> a = CompletableFuture.supplyAsync(() -> post(forwarded("a"), "a"));
        CompletableFuture<IntakeResponse> b = CompletableFuture.supplyAsync(() -> post(forwarded("b"), "b"));
        assertEquals(200, a.get(20, TimeUnit.SECONDS).status());
        assertEquals(200, b.get(20, TimeUnit.SECONDS).status());
    }

    @Test
    void handlerFailureIsA500AndTheRedeliveryAppliesItOnce() {
        behaviour = request -> {
            throw new IllegalStateException("stock database\r\nunavailable");
        };
        IntakeResponse failed = post(forwarded("order-1"), "qty=1");
        assertAnswer(
                500,
                "{\"error\":\"apply-failed\",\"reason\":\"stock database unavailable\",\"key\":\"order-1\"}",
                failed);
        assertEquals(0, intake.keyCount());
        assertEquals(1, intake.failedCount());
        behaviour = applied::add;
        assertAnswer(200, "{\"status\":\"applied\",\"key\":\"order-1\"}", post(forwarded("order-1"), "qty=1"));
        assertAnswer(200, "{\"status\":\"duplicate\",\"key\":\"order-1\"}", post(forwarded("order-1"), "qty=1"));
        assertEquals(1, applied.size());
    }

    @Test
    void handlerInterruptedKeepsTheFlagAndTheKeyUnrecorded() {
        behaviour = request -> {
            throw new InterruptedException("shutting down");
        };
        assertEquals(500, post(forwarded("order-1"), "qty=1").status());
        assertTrue(Thread.interrupted(), "the interrupt is restored for the adapter's thread");
        assertEquals(0, intake.keyCount());
    }

    @Test
    void olderPeersWithoutMethodAndTimeHeadersAreAccepted() {
        Map<String, String> headers = forwarded("order-1");
        headers.remove("X-Xeno-Method");
        headers.remove("X-Xeno-Captured-At");
        headers.remove("Content-Type");
        assertEquals(200, post(headers, "qty=1").status());
        assertEquals("POST", applied.get(0).method());
        assertEquals(List.of(), applied.get(0).headers());
    }

    @Test
    void headerNamesAreLookedUpCaseInsensitivelyBySiteToo() {
        assertEquals(
                200, postWith("x-forwarded-host", SHOP.toUpperCase(Locale.ROOT)).status());
    }

    @Test
    void pathsUnderTheCapturePrefixAndPercentEncodedOnesAreAccepted() {
        assertEquals(200, postWith("X-Xeno-Path", "/order/caf%C3%A9?x=%2E%2E").status());
        assertEquals("/order/caf%C3%A9?x=%2E%2E", applied.get(0).path(), "the handler sees the path as received");
    }

    // --- hostile and wrong input ---------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "post", "DELETE", ""})
    void refusesOtherMethodsThanPost(String method) {
        Map<String, String> headers = forwarded("order-1");
        IntakeResponse answer = intake.accept(method, name -> Optional.ofNullable(headers.get(name)), new byte[0]);
        assertRefused(405, "method-not-allowed", answer);
        assertEquals(List.of(), applied);
        assertEquals(1, intake.refusedCount());
    }

    @Test
    void refusesMissingKey() {
        assertRefused(400, "missing-key", postWith("Idempotency-Key", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "tab\tkey", "nul\0key", "crlf\r\nX-Evil: 1", "caf\u00e9", "\u2028"})
    void refusesKeysWithBadCharacters(String key) {
        assertRefused(400, "bad-key", post(forwarded(key), "qty=1"));
        assertEquals(List.of(), applied);
    }

    @Test
    void refusesOversizeKey() {
        assertRefused(400, "bad-key", post(forwarded("k".repeat(CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS + 1)), ""));
        assertEquals(
                200,
                post(forwarded("k".repeat(CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS)), "")
                        .status());
    }

    @Test
    void refusesMissingSite() {
        assertRefused(400, "missing-header", postWith("X-Forwarded-Host", null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"other.example", "shop.example.evil", "shop.example:8080", "", "evil\nshop.example"})
    void refusesRequestsForAnotherSiteWith421(String site) {
        assertRefused(421, "wrong-site", postWith("X-Forwarded-Host", site));
        assertEquals(List.of(), applied);
    }

    @Test
    void wrongSiteIsRefusedEvenForAKeyAppliedBefore() {
        post(forwarded("order-1"), "qty=1");
        assertRefused(421, "wrong-site", postWith("X-Forwarded-Host", "other.example"));
    }

    @Test
    void refusesMissingPath() {
        assertRefused(400, "missing-header", postWith("X-Xeno-Path", null));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/order/../admin",
                "/order/./x",
                "/order/%2e%2e/admin",
                "/order%2F..%2Fadmin",
                "/order/..",
                "/order\\..\\admin",
                "/order/%00",
                "/order/%0d%0aX: y",
                "order",
                "",
                "/order/%zz",
                "/order/%c3%28",
                "/order/%",
                "http://evil.example/order"
            })
    void refusesTraversalAndMalformedPathsWith400(String path) {
        assertRefused(400, "bad-path", postWith("X-Xeno-Path", path));
        assertEquals(List.of(), applied);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/orders", "/", "/admin", "/order/admin", "/order/admin/delete", "/sold-out", "/Order"})
    void refusesPathsNoCaptureRouteDecidesWith404(String path) {
        IntakeResponse answer = postWith("X-Xeno-Path", path);
        assertRefused(404, "not-captured", answer);
        assertTrue(answer.bodyText().contains("no capture route of shop.example covers " + path), answer::toString);
    }

    @Test
    void refusesBodyOverTheLimitWith413() {
        byte[] body = new byte[CapturedRequest.MAX_BODY_BYTES + 1];
        assertRefused(413, "too-large", post(intake, forwarded("order-1"), body));
        assertEquals(
                200,
                post(intake, forwarded("order-1"), new byte[CapturedRequest.MAX_BODY_BYTES])
                        .status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "2030-01-01", "", "2030-13-01T00:00:00Z"})
    void refusesBadCaptureTime(String at) {
        assertRefused(400, "bad-request", postWith("X-Xeno-Captured-At", at));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "PO ST", "P\r\nOST", "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"})
    void refusesBadOriginalMethod(String method) {
        assertRefused(400, "bad-request", postWith("X-Xeno-Method", method));
    }

    @Test
    void refusesContentTypeWithLineBreak() {
        assertRefused(400, "bad-request", postWith("Content-Type", "text/plain\r\nX-Evil: 1"));
    }

    @Test
    void answers503AfterClose() throws IOException {
        intake.close();
        assertRefused(503, "closed", post(forwarded("order-1"), "qty=1"));
        assertEquals(List.of(), applied);
    }

    @Test
    void closeWaitsForARequestBeingApplied() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        behaviour = request -> {
            if (request.idempotencyKey().equals("k")) {
                entered.countDown();
                assertTrue(release.await(10, TimeUnit.SECONDS));
            }
        };
        CompletableFuture<IntakeResponse> inFlight = CompletableFuture.supplyAsync(() -> post(forwarded("k"), "a"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
            try {
                intake.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // other keys are applied until close begins, and refused from then on
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int probes = 0;
        IntakeResponse probe;
        do {
            assertTrue(System.nanoTime() < deadline, "close did not begin");
            probe = post(forwarded("probe-" + ++probes), "b");
        } while (probe.status() == 200);
        assertRefused(503, "closed", probe);
        assertFalse(closing.isDone(), "close waits for k");
        release.countDown();
        assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).status(), "the key is recorded before the ledger closes");
        closing.get(10, TimeUnit.SECONDS);
        try (CaptureIntake again = reopen()) {
            assertEquals(probes, again.keyCount(), "k and every probe applied before close began");
        }
    }

    @Test
    void refusesASecondIntakeOnTheSameLedger() {
        JournalException e = assertThrows(JournalException.class, this::reopen);
        assertEquals(JournalException.Reason.LOCKED, e.reason());
        assertTrue(e.getMessage().startsWith("intake ledger refused [locked]: "), e.getMessage());
    }

    @Test
    void refusesRoutesWithoutACaptureRoute() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> CaptureIntake.open(dir.resolve("other"), SHOP, List.of(ROUTES.get(2)), applied::add));
        assertTrue(e.getMessage().contains("at least one capture route"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "shop example", "../shop", "shop/x"})
    void refusesSitesThatAreNoHostNames(String site) {
        assertThrows(
                IllegalArgumentException.class,
                () -> CaptureIntake.open(dir.resolve("other"), site, ROUTES, applied::add));
    }

    /** An order as the origin captured it itself, with the same fields as {@link #forwarded}. */
    private static CapturedRequest captured(String key, String target, String body) {
        return new CapturedRequest(
                key,
                SHOP,
                "POST",
                target,
                List.of(new CapturedRequest.Header("Content-Type", "application/x-www-form-urlencoded")),
                body.getBytes(StandardCharsets.UTF_8),
                CAPTURED);
    }

    @Test
    void theOriginsOwnCaptureAndAPeersDeliveryShareOneLedger() {
        assertAnswer(
                200,
                "{\"status\":\"applied\",\"key\":\"order-1\"}",
                intake.applyCaptured(captured("order-1", "/order?book=gulliver", "qty=1")));
        assertAnswer(200, "{\"status\":\"duplicate\",\"key\":\"order-1\"}", post(forwarded("order-1"), "qty=1"));
        assertAnswer(200, "{\"status\":\"applied\",\"key\":\"order-2\"}", post(forwarded("order-2"), "qty=1"));
        assertAnswer(
                200,
                "{\"status\":\"duplicate\",\"key\":\"order-2\"}",
                intake.applyCaptured(captured("order-2", "/%6frder?book=gulliver", "qty=1")));
        assertEquals(2, applied.size());
    }

    @Test
    void theOriginsOwnCaptureIsCheckedAsADeliveryIs() {
        intake.applyCaptured(captured("order-1", "/order", "qty=1"));
        assertRefused(422, "key-reused", intake.applyCaptured(captured("order-1", "/order", "qty=9")));
        assertRefused(400, "bad-path", intake.applyCaptured(captured("k", "/order/../admin", "")));
        assertRefused(404, "not-captured", intake.applyCaptured(captured("k", "/order/admin", "")));
        CapturedRequest other =
                new CapturedRequest("k", "other.example", "POST", "/order", List.of(), new byte[0], CAPTURED);
        assertRefused(421, "wrong-site", intake.applyCaptured(other));
        assertEquals(1, applied.size());
    }
}
