package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.backchannel.BackChannelGuard;
import org.xenoservice.backchannel.PeerVerdict;
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.dynamic.JournalEntry;
import org.xenoservice.intake.CaptureIntake;
import org.xenoservice.intake.IntakeResponse;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.CapturedRequest;

/**
 * Capture end to end through crashes: a peer host running as its own JVM ({@code peer serve} of
 * the runnable jar) captures orders while the origin's intake (a {@link CaptureIntake} on a small
 * Undertow server in this JVM) refuses them, is killed with SIGKILL ({@link Process#destroyForcibly()}
 * on Linux), mid-request and mid-delivery, and restarted on the same store. Every order answered
 * {@code 202} reaches the origin's handler exactly once; an order whose connection the kill cut may
 * or may not arrive, but never twice.
 */
class CaptureCrashIT {
    private static final Path JAR = Path.of("target", "xenoservice.jar");
    private static final String SHOP = "shop.example";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile(
            "peer serving \\S+ on http://127\\.0\\.0\\.1:(\\d+), control on (http://127\\.0\\.0\\.1:\\d+)");
    private static final int ORDERS = 20;
    /** The order whose delivery the second kill interrupts, after the origin applied it. */
    private static final String KILLED_MID_DELIVERY = "order-5";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Map<String, AtomicInteger> appliedTimes = new ConcurrentHashMap<>();
    private final AtomicBoolean refusing = new AtomicBoolean(true);
    private final CountDownLatch midDelivery = new CountDownLatch(1);
    private final CountDownLatch peerKilled = new CountDownLatch(1);
    private final List<Process> peers = new ArrayList<>();
    private CaptureIntake intake;
    private BackChannelGuard guard;
    private Undertow origin;
    private Path config;
    private int servingPort;
    private int starts;

    @BeforeEach
    void startOrigin() throws IOException {
        intake = CaptureIntake.open(
                dir.resolve("origin/ledger"),
                SHOP,
                List.of(new org.xenoservice.bundle.DynamicRoute(
                        "/order",
                        org.xenoservice.bundle.DynamicRoute.Policy.CAPTURE,
                        Map.of("intake", "http://127.0.0.1:1/intake", "page", "/thanks.html"))),
                request -> {
                    appliedTimes
                            .computeIfAbsent(request.idempotencyKey(), key -> new AtomicInteger())
                            .incrementAndGet();
                    if (request.idempotencyKey().equals(KILLED_MID_DELIVERY) && midDelivery.getCount() > 0) {
                        midDelivery.countDown();
                        assertTrue(peerKilled.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the peer was killed");
                    }
                });
        origin = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(new BlockingHandler(exchange -> {
                    byte[] body = exchange.getInputStream().readNBytes(CapturedRequest.MAX_BODY_BYTES + 1);
                    if (refusing.get()) {
                        exchange.setStatusCode(503);
                        return;
                    }
                    HeaderMap headers = exchange.getRequestHeaders();
                    PeerVerdict verdict = guard().verify(
                                    exchange.getRequestMethod().toString(),
                                    exchange.getRequestURI(),
                                    name -> headers.get(name) == null ? List.of() : List.copyOf(headers.get(name)),
                                    body);
                    IntakeResponse answer =
                            intake.accept(verdict, exchange.getRequestMethod().toString(), body);
                    exchange.setStatusCode(answer.status());
                    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, answer.contentType());
                    exchange.getOutputStream().write(answer.body());
                }))
                .build();
        origin.start();
    }

    @AfterEach
    void stopAll() throws IOException {
        peerKilled.countDown();
        for (Process peer : peers) {
            peer.destroyForcibly();
        }
        origin.stop();
        intake.close();
    }

    @Test
    void ordersAnswered202ReachTheOriginExactlyOnceThroughKillMinus9() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the shaded jar was built at " + JAR.toAbsolutePath());
        String control = configureAndStartPeer();
        pushShopWithCaptureRoute(control);

        Set<String> acknowledged = new TreeSet<>();
        for (int i = 1; i <= ORDERS; i++) {
            assertEquals(202, order("order-" + i).statusCode());
            acknowledged.add("order-" + i);
        }

        // orders keep coming while the peer is killed: those answered 202 must arrive, a cut one may
        Set<String> answered = ConcurrentHashMap.newKeySet();
        Set<String> cut = ConcurrentHashMap.newKeySet();
        AtomicReference<Throwable> racerFailed = new AtomicReference<>();
        Thread racer = new Thread(
                () -> {
                    for (int i = 1; ; i++) {
                        String key = "race-" + i;
                        try {
                            HttpResponse<String> answer = order(key);
                            if (answer.statusCode() != 202) {
                                racerFailed.set(new AssertionError(
                                        key + " answered " + answer.statusCode() + ": " + answer.body()));
                                return;
                            }
                            answered.add(key);
                        } catch (IOException e) {
                            cut.add(key);
                            return;
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "order-racer");
        racer.start();
        awaitTrue(() -> answered.size() >= 5 || !racer.isAlive(), "racing orders answered");
        Process first = peers.get(0);
        first.destroyForcibly();
        assertTrue(first.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(137, first.exitValue(), "killed by SIGKILL");
        racer.join(DEADLINE.toMillis());
        assertEquals(null, racerFailed.get());
        assertTrue(answered.size() >= 5, "orders raced the kill: " + answered + " " + cut);
        acknowledged.addAll(answered);
        assertTrue(appliedTimes.isEmpty(), "the origin refused everything so far");

        // the origin accepts again; the restarted peer is killed while the origin applies order-5
        refusing.set(false);
        startPeer();
        assertTrue(midDelivery.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "order-5 reached the origin");
        Process second = peers.get(1);
        second.destroyForcibly();
        assertTrue(second.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        peerKilled.countDown();
        awaitTrue(() -> intake.keyCount() == 5, "order-5 recorded although the peer never heard the answer");

        // a third start delivers the rest, and order-5 again, which the intake knows
        startPeer();
        awaitTrue(() -> appliedTimes.keySet().containsAll(acknowledged), "every acknowledged order applied");
        awaitTrue(() -> intake.duplicateCount() >= 1, "order-5 redelivered and answered duplicate");
        Process third = peers.get(2);
        third.destroy();
        assertTrue(third.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the peer stops on SIGTERM");

        Set<String> sent = new TreeSet<>(acknowledged);
        sent.addAll(cut);
        for (Map.Entry<String, AtomicInteger> applied : appliedTimes.entrySet()) {
            assertEquals(1, applied.getValue().get(), () -> applied.getKey() + " applied more than once");
            assertTrue(sent.contains(applied.getKey()), () -> applied.getKey() + " was never sent");
        }
        assertEquals(appliedTimes.size(), intake.appliedCount());
        // whatever the peer still holds is a redelivery the intake would answer as a duplicate
        try (CaptureJournal journal = CaptureJournal.open(dir.resolve("peer/store/capture/" + SHOP))) {
            for (JournalEntry pending : journal.pending()) {
                assertTrue(appliedTimes.containsKey(pending.request().idempotencyKey()), pending::toString);
            }
        }
    }

    // --- helpers ------------------------------------------------------------------------------

    /** The origin's check of the peer's signature, pinning the identity the peer made on its first start. */
    private synchronized BackChannelGuard guard() throws IOException {
        if (guard == null) {
            guard = BackChannelGuard.create(
                    Map.of("peer", SiteKeys.readPublicKey(dir.resolve("peer/store/identity/peer.pub"))),
                    java.time.Clock.systemUTC());
        }
        return guard;
    }

    private String configureAndStartPeer() throws IOException, InterruptedException {
        XenoCliTest.run("keys", "generate", "--out", dir.resolve("keys").toString())
                .succeeded();
        Files.createDirectories(dir.resolve("peer"));
        config = Files.writeString(
                dir.resolve("peer/peer.properties"),
                String.join(
                        "\n",
                        "store-directory = store",
                        "site." + SHOP + ".key = " + dir.resolve("keys/site.pub"),
                        "site." + SHOP + ".allowed-origins = http://127.0.0.1:" + originPort(),
                        "# orders race kill -9 here as fast as the client sends them: not the capture rate's test",
                        "site." + SHOP + ".capture-requests-per-second = 100000",
                        ""));
        return startPeer();
    }

    /** Starts {@code peer serve} in a child JVM on the same store; returns its control URL. */
    private String startPeer() throws IOException, InterruptedException {
        int start = ++starts;
        Path out = dir.resolve("peer/serve-" + start + ".out");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toAbsolutePath().toString(),
                "peer",
                "serve",
                "--config",
                config.toString(),
                "--port",
                "0",
                "--control-port",
                "0",
                "--bind",
                "127.0.0.1");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process peer = builder.start();
        peers.add(peer);
        Matcher matcher = LISTENING.matcher("");
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!matcher.reset(Files.readString(out)).find()) {
            assertTrue(peer.isAlive(), () -> "peer serve exited: " + read(out));
            assertTrue(System.nanoTime() < deadline, () -> "peer serve did not start: " + read(out));
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        servingPort = Integer.parseInt(matcher.group(1));
        return matcher.group(2);
    }

    private void pushShopWithCaptureRoute(String control) throws IOException {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>Shop</h1>");
        Files.writeString(site.resolve("thanks.html"), "<h1>Thank you</h1>");
        Path bundle = dir.resolve("shop.xsb");
        String key = dir.resolve("keys/site.key").toString();
        XenoCliTest.run(
                        "bundle",
                        "build",
                        site.toString(),
                        "--site",
                        SHOP,
                        "--key",
                        key,
                        "--version",
                        "1",
                        "--out",
                        bundle.toString(),
                        "--dynamic",
                        "/order=capture,intake=http://127.0.0.1:" + originPort() + "/intake,page=/thanks.html")
                .succeeded();
        XenoCliTest.run("peer", "push", "--control", control, "--key", key, "--bundle", bundle.toString(), "--activate")
                .succeeded();
    }

    private HttpResponse<String> order(String key) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servingPort + "/order"))
                .header("Host", SHOP)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Idempotency-Key", key)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("book=" + key))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private int originPort() {
        return ((InetSocketAddress) origin.getListenerInfo().get(0).getAddress()).getPort();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Polls until the condition holds, failing after the deadline. */
    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": not within " + DEADLINE);
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }
}
