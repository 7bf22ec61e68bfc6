package org.xenoservice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.protocol.CapturedRequest;

class OriginCapturesTest {
    private static final String SHOP = "shop.example";
    private static final DynamicRoute ORDER = new DynamicRoute(
            "/order", Policy.CAPTURE, Map.of("intake", "http://127.0.0.1:1/intake", "page", "/t.html"));
    private static final DynamicRoute GIFT =
            new DynamicRoute("/gift", Policy.CAPTURE, Map.of("intake", "http://127.0.0.1:1/intake", "page", "/t.html"));
    private static final List<DynamicRoute> ROUTES = List.of(
            ORDER, GIFT, new DynamicRoute("/order/admin", Policy.PROXY, Map.of("origin", "http://127.0.0.1:1")));
    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    @TempDir
    Path dir;

    private final List<String> applied = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger failuresToCome = new AtomicInteger();
    private final AtomicBoolean room = new AtomicBoolean(true);
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<AutoCloseable> opened = new ArrayList<>();
    private CaptureIntake intake;

    @BeforeEach
    void openIntake() throws IOException {
        intake = openIntake(ROUTES);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private CaptureIntake openIntake(List<DynamicRoute> routes) throws IOException {
        CaptureIntake opening = CaptureIntake.open(dir.resolve("ledger"), SHOP, routes, request -> {
            attempts.incrementAndGet();
            if (failuresToCome.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throw new IOException("the order database is down");
            }
            applied.add(request.idempotencyKey() + " " + request.path() + " on "
                    + Thread.currentThread().getName());
        });
        opened.add(opening);
        return opening;
    }

    /** Captures whose applier runs only when the test calls {@link OriginCaptures#drain()}, on the test's clock. */
    private OriginCaptures manual() throws IOException {
        return open(builder().withoutApplier());
    }

    private OriginCaptures.Builder builder() {
        return OriginCaptures.builder(dir.resolve("journal"), intake, room::get).nanoTime(now::get);
    }

    private OriginCaptures open(OriginCaptures.Builder builder) throws IOException {
        OriginCaptures captures = builder.open();
        opened.add(captures);
        return captures;
    }

    private static CapturedRequest order(String key, String path, String body) {
        return new CapturedRequest(
                key,
                SHOP,
                "POST",
                path,
                List.of(new CapturedRequest.Header("Content-Type", "application/x-www-form-urlencoded")),
                body.getBytes(StandardCharsets.UTF_8),
                Instant.parse("2030-01-02T03:04:05Z"));
    }

    private static CapturedRequest order(String key) {
        return order(key, "/order?book=gulliver", "qty=1");
    }

    private static String appliedHere(String key) {
        return key + " /order?book=gulliver on " + Thread.currentThread().getName();
    }

    private static OriginCaptureRefusedException refused(
            OriginCaptures captures, CapturedRequest request, OriginCaptureRefusedException.Reason reason) {
        OriginCaptureRefusedException e =
                assertThrows(OriginCaptureRefusedException.class, () -> captures.capture(request));
        assertEquals(reason, e.reason(), e::getMessage);
        assertEquals(reason.status(), e.status());
        return e;
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
    void journalsARequestThenAppliesItOnce() throws Exception {
        OriginCaptures captures = manual();
        assertTrue(captures.capture(order("order-1")));
        assertTrue(applied.isEmpty(), "not applied by capture itself");
        assertEquals(new OriginCaptures.Counts(1, 0, 1, 0), captures.counts());

        captures.drain();
        captures.drain();

        assertEquals(List.of(appliedHere("order-1")), applied);
        assertEquals(new OriginCaptures.Counts(1, 1, 0, 0), captures.counts());
        assertEquals(1, intake.appliedCount());
    }

    @Test
    void aClientsRetryIsNotJournalledAgainBeforeOrAfterItIsApplied() throws Exception {
        OriginCaptures captures = manual();
        assertTrue(captures.capture(order("order-1")));
        assertFalse(captures.capture(order("order-1")), "pending: the same request again");
        captures.drain();
        assertFalse(captures.capture(order("order-1")), "applied: the ledger knows it");
        captures.drain();
        assertEquals(List.of(appliedHere("order-1")), applied);
        assertEquals(new OriginCaptures.Counts(1, 1, 0, 0), captures.counts());
    }

    @Test
    void appliesNothingWhileTheAppHasNoRoom() throws Exception {
        OriginCaptures captures = manual();
        room.set(false);
        captures.capture(order("order-1"));

        long wait = captures.drain();

        assertEquals(OriginCaptures.DEFAULT_ROOM_POLL.toNanos(), wait, "asks again after the room poll");
        assertTrue(applied.isEmpty());
        room.set(true);
        captures.drain();
        assertEquals(List.of(appliedHere("order-1")), applied);
    }

    @Test
    void theApplierThreadAppliesOnceTheAppHasRoom() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        room.set(false);
        OriginCaptures captures = open(OriginCaptures.builder(dir.resolve("journal"), intake, () -> {
                    asked.incrementAndGet();
                    return room.get();
                })
                .roomPoll(Duration.ofMillis(1)));
        captures.capture(order("order-1"));
        captures.capture(order("order-2"));

        await(() -> asked.get() >= 5, "the applier asked for room a few times");
        assertTrue(applied.isEmpty(), "nothing applied without room");
        assertEquals(2, captures.counts().pending());
        room.set(true);
        await(() -> applied.size() == 2, "both are applied");

        assertEquals(
                List.of(
                        "order-1 /order?book=gulliver on " + OriginCaptures.THREAD_NAME,
                        "order-2 /order?book=gulliver on " + OriginCaptures.THREAD_NAME),
                applied,
                "in order, on the applier thread");
        await(() -> captures.counts().pending() == 0, "acknowledged");
        assertEquals(new OriginCaptures.Counts(2, 2, 0, 0), captures.counts());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().equals(OriginCaptures.THREAD_NAME) && thread.isDaemon()));
    }

    @Test
    void appliesWhatWasPendingBeforeARestartOnce() throws Exception {
        room.set(false);
        OriginCaptures before = manual();
        before.capture(order("order-1"));
        before.capture(order("order-2"));
        before.close();
        room.set(true);

        OriginCaptures after = manual();
        assertEquals(new OriginCaptures.Counts(0, 0, 2, 0), after.counts());
        after.drain();
        after.close();
        manual().drain();

        assertEquals(List.of(appliedHere("order-1"), appliedHere("order-2")), applied);
        assertEquals(2, intake.appliedCount());
    }

    @Test
    void aCrashBetweenApplyAndAcknowledgeEndsAsADuplicate() throws Exception {
        room.set(false);
        OriginCaptures before = manual();
        before.capture(order("order-1"));
        // The origin applied it and crashed before the journal's acknowledgement.
        assertEquals(200, intake.applyCaptured(order("order-1")).status());
        before.close();
        room.set(true);

        OriginCaptures after = manual();
        after.drain();

        assertEquals(List.of(appliedHere("order-1")), applied, "the handler ran once");
        assertEquals(1, attempts.get());
        assertEquals(1, intake.duplicateCount());
        assertEquals(new OriginCaptures.Counts(0, 1, 0, 0), after.counts());
    }

    @Test
    void aKeyAPeerDeliveredFirstIsAcknowledgedAsADuplicate() throws Exception {
        OriginCaptures captures = manual();
        room.set(false);
        captures.capture(order("order-1"));
        Map<String, String> forwarded = Map.of(
                "Idempotency-Key", "order-1",
                "X-Forwarded-Host", SHOP,
                "X-Xeno-Path", "/order?book=gulliver",
                "X-Xeno-Method", "POST",
                "Content-Type", "application/x-www-form-urlencoded");
        IntakeResponse delivered = intake.accept(
                "POST",
                name -> forwarded.entrySet().stream()
                        .filter(header -> header.getKey().equalsIgnoreCase(name))
                        .map(Map.Entry::getValue)
                        .findFirst(),
                "qty=1".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, delivered.status(), delivered::toString);
        room.set(true);

        captures.drain();

        assertEquals(1, attempts.get(), "applied once, by the peer's delivery");
        assertEquals(new OriginCaptures.Counts(1, 1, 0, 0), captures.counts());
    }

    @Test
    void refusesBeyondMaxPendingAndKeepsWhatItTook() throws Exception {
        room.set(false);
        OriginCaptures captures = open(builder().withoutApplier().maxPending(3));
        for (int i = 1; i <= 3; i++) {
            captures.capture(order("order-" + i));
        }

        OriginCaptureRefusedException full =
                refused(captures, order("order-4"), OriginCaptureRefusedException.Reason.FULL);

        assertTrue(full.getMessage().contains("3 requests not yet applied"), full::getMessage);
        assertTrue(full.getMessage().contains("maxPending"), full::getMessage);
        assertEquals(OriginCaptures.FULL_RETRY_AFTER, full.retryAfter().orElseThrow());
        assertFalse(captures.capture(order("order-2")), "a retry of one it holds is still answered");
        room.set(true);
        captures.drain();
        assertEquals(3, applied.size());
        assertTrue(captures.capture(order("order-4")), "room again once applied");
        assertEquals(new OriginCaptures.Counts(4, 3, 1, 0), captures.counts());
    }

    @Test
    void refusesBeyondMaxJournalBytesThenStartsAfreshOnceDrained() throws Exception {
        room.set(false);
        OriginCaptures captures = open(builder().withoutApplier().maxJournalBytes(OriginCaptures.MIN_JOURNAL_BYTES));
        String big = "x".repeat(900_000);
        captures.capture(order("big-1", "/order", big));
        captures.capture(order("big-2", "/order", big));

        OriginCaptureRefusedException full =
                refused(captures, order("big-3", "/order", big), OriginCaptureRefusedException.Reason.FULL);

        assertTrue(full.getMessage().contains("maxJournalBytes"), full::getMessage);
        room.set(true);
        captures.drain();
        assertEquals(2, applied.size(), "nothing it took was lost");
        assertTrue(
                Files.size(dir.resolve("journal").resolve(CaptureJournal.FILE_NAME)) < 100,
                "a drained journal over the rotation size starts afresh");
        assertTrue(captures.capture(order("big-3", "/order", big)));
        assertFalse(captures.capture(order("big-1", "/order", big)), "the ledger still knows the applied keys");
        captures.drain();
        assertEquals(3, applied.size());
    }

    @Test
    void refusesATargetThatTraversesOrEscapesTheRules() throws Exception {
        OriginCaptures captures = manual();
        for (String target : List.of("/order/../admin", "/order/%2e%2e/admin", "/order;jsessionid=1", "/order%2Fx")) {
            OriginCaptureRefusedException e =
                    refused(captures, order("k", target, "qty=1"), OriginCaptureRefusedException.Reason.INVALID);
            assertEquals(400, e.status());
        }
        assertEquals(new OriginCaptures.Counts(0, 0, 0, 0), captures.counts());
    }

    @Test
    void refusesAPathNoCaptureRouteDecides() throws Exception {
        OriginCaptures captures = manual();
        refused(captures, order("k", "/orders", "x"), OriginCaptureRefusedException.Reason.NOT_CAPTURED);
        refused(captures, order("k", "/order/admin/1", "x"), OriginCaptureRefusedException.Reason.NOT_CAPTURED);
        assertTrue(captures.capture(order("k", "/%6frder", "x")), "the normal form of /order is captured");
    }

    @Test
    void refusesARequestForAnotherSite() throws IOException {
        OriginCaptures captures = manual();
        CapturedRequest other =
                new CapturedRequest("k", "other.example", "POST", "/order", List.of(), new byte[0], Instant.EPOCH);
        OriginCaptureRefusedException e = refused(captures, other, OriginCaptureRefusedException.Reason.INVALID);
        assertTrue(e.getMessage().contains("other.example"), e::getMessage);
    }

    @Test
    void refusesAKeyReusedForAnotherBodyWhetherPendingOrApplied() throws Exception {
        OriginCaptures captures = manual();
        captures.capture(order("order-1", "/order", "qty=1"));
        OriginCaptureRefusedException pending = refused(
                captures, order("order-1", "/order", "qty=100"), OriginCaptureRefusedException.Reason.KEY_REUSED);
        assertEquals(422, pending.status());
        assertTrue(pending.getMessage().contains("new key"), pending::getMessage);
        captures.drain();
        refused(captures, order("order-1", "/order", "qty=100"), OriginCaptureRefusedException.Reason.KEY_REUSED);
        captures.drain();
        assertEquals(List.of("order-1 /order on " + Thread.currentThread().getName()), applied);
    }

    @Test
    void retriesAFailingHandlerWithCappedBackoffThenAppliesOnce() throws Exception {
        OriginCaptures captures =
                open(builder().withoutApplier().backoff(Duration.ofMillis(100), Duration.ofMillis(300)));
        captures.capture(order("order-1"));
        captures.capture(order("order-2"));
        failuresToCome.set(4);

        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long wait = captures.drain();
            waits.add(wait / MILLI);
            assertEquals(wait, captures.drain(), "no attempt before the backoff is over");
            now.addAndGet(wait);
        }
        captures.drain();

        assertEquals(List.of(100L, 200L, 300L, 300L), waits);
        assertEquals(6, attempts.get(), "4 failures, then each order once");
        assertEquals(List.of(appliedHere("order-1"), appliedHere("order-2")), applied, "in order");
        assertEquals(new OriginCaptures.Counts(2, 2, 0, 0), captures.counts());
    }

    @Test
    void setsAsideWhatTheIntakeRefusesAndAppliesTheRest() throws Exception {
        room.set(false);
        OriginCaptures before = manual();
        before.capture(order("gift-1", "/gift", "card=1"));
        before.capture(order("order-1"));
        before.close();
        // The site no longer captures /gift: the intake refuses that request for what it is (404).
        intake.close();
        intake = openIntake(List.of(ORDER));
        room.set(true);

        OriginCaptures after = manual();
        after.drain();

        assertEquals(List.of(appliedHere("order-1")), applied);
        assertEquals(new OriginCaptures.Counts(0, 1, 0, 1), after.counts());
    }

    @Test
    void anAppHasRoomThatThrowsIsRetriedLater() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        OriginCaptures captures = open(OriginCaptures.builder(dir.resolve("journal"), intake, () -> {
                    if (asked.incrementAndGet() < 3) {
                        throw new IllegalStateException("admission control is starting");
                    }
                    return true;
                })
                .backoff(Duration.ofMillis(1), Duration.ofMillis(2)));
        captures.capture(order("order-1"));
        await(() -> applied.size() == 1, "applied after the supplier recovered");
        assertTrue(asked.get() >= 3);
    }

    @Test
    void closedCapturesRefuseAsUnavailable() throws IOException {
        OriginCaptures captures = manual();
        captures.close();
        OriginCaptureRefusedException e =
                refused(captures, order("order-1"), OriginCaptureRefusedException.Reason.UNAVAILABLE);
        assertEquals(503, e.status());
    }

    @Test
    void theBuilderRefusesBoundsThatCannotWork() {
        OriginCaptures.Builder builder = builder();
        assertThrows(IllegalArgumentException.class, () -> builder.maxPending(0));
        IllegalArgumentException bytes =
                assertThrows(IllegalArgumentException.class, () -> builder.maxJournalBytes(1024));
        assertTrue(bytes.getMessage().contains("was 1024"), bytes::getMessage);
        assertThrows(IllegalArgumentException.class, () -> builder.roomPoll(Duration.ZERO));
        assertThrows(
                IllegalArgumentException.class, () -> builder.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
