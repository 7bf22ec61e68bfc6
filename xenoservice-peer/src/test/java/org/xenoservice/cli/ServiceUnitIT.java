package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
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
import java.util.concurrent.CompletableFuture;
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
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.dynamic.JournalEntry;

/**
 * The peer host run the way its systemd unit runs it: {@code ExecStart} and the environment
 * ({@code Environment=} under the example {@code EnvironmentFile}) are read from
 * {@code dist/xenoservice-peer.service}, the installed paths moved to temporary folders, and the
 * peer started as a process of its own; {@code ExecReload} reloads it and {@code KillSignal} stops
 * it. It checks health, a reload under load (a good configuration applied, bad ones refused with the
 * file and key, the old one kept, no request lost), and a graceful stop (a slow request in flight
 * finishes, the captured request stays in the journal, exit code 0), with text and JSON logs.
 */
class ServiceUnitIT {
    private static final Path UNIT = Path.of("dist", "xenoservice-peer.service");
    private static final Path ENVIRONMENT = Path.of("dist", "xenoservice-peer.env");
    private static final Path JAR = Path.of("target", "xenoservice.jar");
    private static final String BOOKS = "books.example";
    private static final String SHOP = "shop.example";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile(
            "peer serving \\S+ on http://127\\.0\\.0\\.1:(\\d+), control on (http://127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch slowMayAnswer = new CountDownLatch(1);
    private Undertow origin;
    private Process peer;
    private Path output;
    private String control;
    private int servingPort;
    private SystemdUnit unit;
    private Map<String, String> environment;

    @BeforeEach
    void startOriginAndConfigure() throws IOException {
        origin = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(new BlockingHandler(exchange -> {
                    exchange.getInputStream().readAllBytes();
                    if (exchange.getRequestPath().startsWith("/intake")) {
                        exchange.setStatusCode(503); // the origin's intake is down: captures wait in the journal
                        return;
                    }
                    slowArrived.countDown();
                    assertTrue(slowMayAnswer.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
                    exchange.getOutputStream().write("slow done".getBytes(StandardCharsets.UTF_8));
                }))
                .build();
        origin.start();
        for (String site : List.of(BOOKS, SHOP)) {
            XenoCliTest.run(
                            "keys",
                            "generate",
                            "--out",
                            dir.resolve("keys/" + site).toString())
                    .succeeded();
        }
        Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("cache"));
        writeConfig(site(BOOKS));
        unit = SystemdUnit.read(UNIT);
    }

    @AfterEach
    void stopAll() {
        slowMayAnswer.countDown();
        if (peer != null) {
            peer.destroyForcibly();
        }
        origin.stop();
    }

    @Test
    void reloadsUnderLoadAppliesGoodConfigKeepsOldOnBadAndReportsHealth() throws Exception {
        start("text");
        assertEquals(200, get(control + "/healthz").statusCode());
        HttpResponse<String> ready = get(control + "/readyz");
        assertEquals(200, ready.statusCode());
        assertTrue(ready.body().contains("\"sites\":1"), ready.body());
        pushBooks("--dynamic", "/other=degrade,page=/index.html");

        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread load = new Thread(() -> load(loading, served, failure), "reload-load");
        load.start();
        awaitTrue(() -> served.get() > 20, "the load is served");

        writeConfig(site(BOOKS), site(SHOP));
        reload();
        awaitLog("site added: " + SHOP);
        awaitTrue(() -> get(control + "/readyz").body().contains("\"sites\":2"), "two sites ready");

        writeConfig(site(BOOKS), site(SHOP), "max-connections = lots");
        reload();
        awaitLog("max-connections");
        assertTrue(
                log().contains("reload refused, still serving the previous configuration: "
                        + dir.resolve("etc/peer.properties")),
                this::log);

        writeConfig(site(BOOKS), "site.gone.example.key = " + dir.resolve("keys/gone.pub"));
        reload();
        awaitLog(dir.resolve("keys/gone.pub").toString());
        assertTrue(get(control + "/readyz").body().contains("\"sites\":2"), "the old configuration is kept");

        writeConfig(1, site(BOOKS), site(SHOP));
        reload();
        awaitLog("serving-port changed from 0 to 1; it takes effect at the next restart");

        int before = served.get();
        awaitTrue(() -> served.get() > before + 20, "the load is still served after the reloads");
        loading.set(false);
        load.join(DEADLINE.toMillis());
        assertEquals(null, failure.get(), "a request failed during the reloads");
        assertEquals(0, stop(), "exit code after SIGTERM");
        assertTrue(log().contains("peer: stopped"), this::log);
    }

    @Test
    void stopsOnSigtermAfterTheRequestInFlightWithCapturesJournalledAndJsonLogs() throws Exception {
        start("json");
        pushBooks(
                "--dynamic", "/slow=proxy,origin=http://127.0.0.1:" + originPort(),
                "--dynamic", "/order=capture,intake=http://127.0.0.1:" + originPort() + "/intake,page=/index.html");
        HttpResponse<String> order = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servingPort + "/order"))
                        .header("Host", BOOKS)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Idempotency-Key", "order-1")
                        .POST(HttpRequest.BodyPublishers.ofString("book=1"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, order.statusCode(), order.body());

        CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servingPort + "/slow/page"))
                        .header("Host", BOOKS)
                        .timeout(DEADLINE)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(slowArrived.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the slow request reached the origin");
        kill(unit.value("KillSignal"));
        awaitLog("peer: stopping");
        slowMayAnswer.countDown();

        HttpResponse<String> answer = slow.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, answer.statusCode());
        assertEquals("slow done", answer.body());
        assertTrue(peer.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the peer stops");
        assertEquals(0, peer.exitValue(), this::log);
        assertTrue(log().contains("every request in flight finished"), this::log);
        assertTrue(log().contains("they stay in the journal"), this::log);
        try (CaptureJournal journal = CaptureJournal.open(dir.resolve("state/capture/" + BOOKS))) {
            List<String> pending = new ArrayList<>();
            for (JournalEntry entry : journal.pending()) {
                pending.add(entry.request().idempotencyKey());
            }
            assertEquals(List.of("order-1"), pending);
        }
        ObjectMapper json = new ObjectMapper();
        for (String line : log().lines().toList()) {
            JsonNode event = json.readTree(line);
            for (String field : List.of("timestamp", "level", "logger", "message")) {
                assertTrue(event.hasNonNull(field), () -> field + " missing in " + line);
            }
        }
    }

    // --- the unit's commands --------------------------------------------------------------------

    /** Starts ExecStart with the unit's environment and the example environment file, logs in {@code format}. */
    private void start(String format) throws IOException, InterruptedException {
        Path environmentFile = dir.resolve("etc/xenoservice-peer.env");
        Files.writeString(
                environmentFile,
                Files.readString(ENVIRONMENT) + "\nXENO_LOG_FORMAT=" + format + "\nXENO_SHUTDOWN_TIMEOUT=20\n");
        environment = unit.environment(environmentFile);
        List<String> command = new ArrayList<>();
        for (String word : unit.command("ExecStart", environment)) {
            command.add(installed(word));
        }
        output = dir.resolve("peer.log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().putAll(environment);
        peer = builder.start();
        Matcher matcher = LISTENING.matcher("");
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!matcher.reset(log()).find()) {
            assertTrue(peer.isAlive(), () -> "the peer exited: " + command + "\n" + log());
            assertTrue(System.nanoTime() < deadline, () -> "the peer did not start: " + log());
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        servingPort = Integer.parseInt(matcher.group(1));
        control = matcher.group(2);
    }

    /** An installed path of the unit, moved to this test's folders. */
    private String installed(String word) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return word.replace("/usr/bin/java", java)
                .replace(
                        "/opt/xenoservice/xenoservice.jar", JAR.toAbsolutePath().toString())
                .replace("/etc/xenoservice-peer", dir.resolve("etc").toString())
                .replace("/var/lib/xenoservice-peer", dir.resolve("state").toString())
                .replace("/var/cache/xenoservice-peer", dir.resolve("cache").toString());
    }

    private void reload() throws IOException, InterruptedException {
        Map<String, String> withPid = new java.util.HashMap<>(environment);
        withPid.put("MAINPID", Long.toString(peer.pid()));
        Process reload = new ProcessBuilder(unit.command("ExecReload", withPid))
                .redirectErrorStream(true)
                .start();
        assertTrue(reload.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, reload.exitValue(), () -> "ExecReload: " + new String(readAll(reload), StandardCharsets.UTF_8));
    }

    private int stop() throws IOException, InterruptedException {
        kill(unit.value("KillSignal"));
        assertTrue(peer.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the peer stops");
        return peer.exitValue();
    }

    private void kill(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("/bin/kill", "-s", signal.replaceFirst("^SIG", ""), Long.toString(peer.pid()))
                .start();
        assertTrue(kill.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }

    // --- fixtures ------------------------------------------------------------------------------

    private String site(String site) {
        return "site." + site + ".key = " + dir.resolve("keys/" + site + "/site.pub") + "\nsite." + site
                + ".allowed-origins = http://127.0.0.1:" + originPort();
    }

    private void writeConfig(String... lines) throws IOException {
        writeConfig(0, lines);
    }

    private void writeConfig(int servingPort, String... lines) throws IOException {
        Files.writeString(
                dir.resolve("etc/peer.properties"),
                "bind-address = 127.0.0.1\nserving-port = " + servingPort + "\ncontrol-port = 0\n"
                        + String.join("\n", lines) + "\n");
    }

    private void pushBooks(String... dynamic) throws IOException {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>Books</h1>");
        Path bundle = dir.resolve("books.xsb");
        String key = dir.resolve("keys/" + BOOKS + "/site.key").toString();
        List<String> build = new ArrayList<>(List.of(
                "bundle",
                "build",
                site.toString(),
                "--site",
                BOOKS,
                "--key",
                key,
                "--version",
                "1",
                "--out",
                bundle.toString()));
        build.addAll(List.of(dynamic));
        XenoCliTest.run(build.toArray(String[]::new)).succeeded();
        XenoCliTest.run("peer", "push", "--control", control, "--key", key, "--bundle", bundle.toString(), "--activate")
                .succeeded();
    }

    private void load(AtomicBoolean loading, AtomicInteger served, AtomicReference<String> failure) {
        HttpRequest page = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servingPort + "/"))
                .header("Host", BOOKS)
                .timeout(Duration.ofSeconds(10))
                .build();
        while (loading.get()) {
            try {
                HttpResponse<String> answer = http.send(page, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200 || !answer.body().contains("Books")) {
                    failure.compareAndSet(null, answer.statusCode() + " " + answer.body());
                }
                served.incrementAndGet();
            } catch (IOException e) {
                failure.compareAndSet(null, e.toString());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private HttpResponse<String> get(String url) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("GET " + url, e);
        }
    }

    private int originPort() {
        return ((InetSocketAddress) origin.getListenerInfo().get(0).getAddress()).getPort();
    }

    private String log() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void awaitLog(String text) {
        awaitTrue(() -> log().contains(text), "the log says " + text);
    }

    private static byte[] readAll(Process process) {
        try {
            return process.getInputStream().readAllBytes();
        } catch (IOException e) {
            return e.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Polls until the condition holds, failing after the deadline. */
    private void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> what + ": not within " + DEADLINE + "\n" + log());
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }
}
