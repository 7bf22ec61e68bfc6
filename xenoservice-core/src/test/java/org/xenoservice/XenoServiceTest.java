package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.dns.AddressSet;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.dns.DnsUpdater;
import org.xenoservice.dns.TsigKey;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.overload.OverloadConfig;
import org.xenoservice.overload.OverloadDetector;
import org.xenoservice.overload.RecentCounts;
import org.xenoservice.overload.RequestRecorder;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.replicate.DnsSettings;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.replicate.ReplicationPhase;

class XenoServiceTest {
    private static final String TOKEN = "test-admin-token-0123456789";
    private static final KeyPair PEER = SiteKeys.generate();

    @TempDir
    Path dir;

    private final List<XenoService> started = new CopyOnWriteArrayList<>();
    private final List<String> applied = new CopyOnWriteArrayList<>();

    @BeforeEach
    void writeSite() throws IOException {
        Files.createDirectories(dir.resolve("site"));
        Files.writeString(dir.resolve("site/index.html"), "<h1>books</h1>");
        Files.writeString(dir.resolve("site/thanks.html"), "<p>thank you</p>");
    }

    @AfterEach
    void stop() {
        started.forEach(XenoService::close);
    }

    @Test
    void theWithdrawalRuleReadsTheDetectorFromTheStart() {
        OverloadConfig settings = OverloadConfig.builder()
                .minSurgeRatePerSecond(40)
                .surgeExitFactor(0.5)
                .build();
        OverloadDetector detector = OverloadDetector.builder(RequestRecorder.create())
                .config(settings)
                .build();

        double calm = XenoService.calmRequestsPerSecond(detector, settings);

        assertEquals(Math.max(40, detector.snapshot().surgeThresholdPerSecond()) * 0.5, calm, 1e-9);
        assertTrue(calm >= 20, "never below the minimum surge rate times the exit factor: " + calm);
    }

    @Test
    void statusNeedsTheAdminToken() throws IOException {
        XenoService xeno = start(base().adminToken(TOKEN));
        assertEquals(
                401, serve(xeno, "GET", XenoService.STATUS_PATH, Map.of(), "").status());
        assertEquals(
                401,
                serve(xeno, "GET", XenoService.STATUS_PATH, Map.of("Authorization", "Bearer wrong-token"), "")
                        .status());
        assertEquals(
                401,
                serve(xeno, "GET", XenoService.METRICS_PATH, Map.of("Authorization", TOKEN), "")
                        .status(),
                "the token without the Bearer scheme is refused");
        XenoResponse ok = serve(xeno, "GET", XenoService.STATUS_PATH, admin(), "");
        assertEquals(200, ok.status());
        JsonNode json = new ObjectMapper().readTree(ok.body());
        assertEquals("books.example", json.path("site").asText());
        assertEquals(
                ReplicationPhase.CALM.name(),
                json.path("replication").path("phase").asText());
        assertEquals("NORMAL", json.path("overload").path("state").asText());
    }

    @Test
    void adminPathsAreOffWithoutAToken() throws IOException {
        XenoService xeno = start(base());
        XenoResponse answer =
                serve(xeno, "GET", XenoService.STATUS_PATH, Map.of("Authorization", "Bearer anything"), "");
        assertEquals(404, answer.status());
        assertTrue(new String(answer.body(), StandardCharsets.UTF_8).contains("admin token"));
    }

    @Test
    void metricsArePrometheusText() throws IOException {
        XenoService xeno = start(base().adminToken(TOKEN));
        xeno.tracker().end(xeno.tracker().begin("GET", "/index.html"), 200, 10);
        String text = new String(
                serve(xeno, "GET", XenoService.METRICS_PATH, admin(), "").body(), StandardCharsets.UTF_8);
        assertTrue(text.contains("# TYPE xeno_requests_total counter"), text);
        assertTrue(text.contains("xeno_requests_total{site=\"books.example\"} 1"), text);
        assertTrue(text.contains("xeno_replication_phase{site=\"books.example\",phase=\"CALM\"} 1"), text);
        for (String line : text.lines().toList()) {
            assertTrue(line.startsWith("#") || line.matches("[a-z_]+\\{[^}]*\\} -?[0-9.E]+"), "not a sample: " + line);
        }
    }

    @Test
    void adminPathsTakeOnlyGetAndHead() throws IOException {
        XenoService xeno = start(base().adminToken(TOKEN));
        XenoResponse answer = serve(xeno, "POST", XenoService.STATUS_PATH, admin(), "x");
        assertEquals(405, answer.status());
        assertEquals("GET, HEAD", answer.headers().get("Allow"));
    }

    @Test
    void unknownOwnPathsAre404() throws IOException {
        XenoService xeno = start(base().adminToken(TOKEN));
        assertEquals(404, serve(xeno, "GET", "/_xeno/../status", admin(), "").status());
        assertEquals(404, serve(xeno, "GET", "/_xeno/statusx", admin(), "").status());
    }

    @Test
    void intakeAppliesEachCapturedOrderOnce() throws IOException {
        XenoService xeno = start(withPeer()
                .backChannel(java.net.URI.create("http://10.0.0.5:8080"))
                .dynamicRoute("/order", "capture,page=/thanks.html")
                .captureHandler(request -> applied.add(request.idempotencyKey())));
        Map<String, String> headers = Map.of(
                "Idempotency-Key",
                "order-1",
                "X-Forwarded-Host",
                "books.example",
                "X-Xeno-Path",
                "/order",
                "Content-Type",
                "application/x-www-form-urlencoded");
        assertEquals(
                401,
                serve(xeno, "POST", XenoService.INTAKE_PATH, headers, "book=1").status(),
                "unsigned");
        assertTrue(applied.isEmpty());
        assertEquals(200, deliver(xeno, headers, "book=1").status());
        XenoResponse again = deliver(xeno, headers, "book=1");
        assertEquals(200, again.status());
        assertTrue(new String(again.body(), StandardCharsets.UTF_8).contains("duplicate"));
        assertEquals(List.of("order-1"), applied);
        assertEquals(1, xeno.status().intake().orElseThrow().applied());
        assertEquals(1, xeno.status().intake().orElseThrow().duplicates());
        assertEquals(2, xeno.status().backChannel().verified());
        assertEquals(1, xeno.status().backChannel().refused().get("unsigned"));
    }

    @Test
    void intakeWithoutAHandlerAsksPeersToKeepTheirCaptures() throws IOException {
        XenoService xeno = start(withPeer()
                .backChannel(java.net.URI.create("http://10.0.0.5:8080"))
                .dynamicRoute("/order", "capture,page=/thanks.html"));
        XenoResponse answer = deliver(xeno, Map.of("Idempotency-Key", "k"), "x");
        assertEquals(503, answer.status());
        assertEquals("60", answer.headers().get("Retry-After"));
        XenoService plain = start(withPeer().stateDirectory(dir.resolve("other")));
        assertEquals(404, deliver(plain, Map.of("Idempotency-Key", "k"), "x").status());
    }

    @Test
    void intakeRefusesABodyOverTheLimit() throws IOException {
        XenoService xeno = start(withPeer()
                .backChannel(java.net.URI.create("http://10.0.0.5:8080"))
                .dynamicRoute("/order", "capture,page=/thanks.html")
                .captureHandler(request -> applied.add(request.idempotencyKey())));
        String body = "x".repeat(CapturedRequest.MAX_BODY_BYTES + 1);
        XenoResponse answer = deliver(
                xeno,
                Map.of("Idempotency-Key", "big", "X-Forwarded-Host", "books.example", "X-Xeno-Path", "/order"),
                body);
        assertEquals(413, answer.status());
        assertTrue(applied.isEmpty());
    }

    @Test
    void itsTrackerClassifiesPathsByTheConfiguredDynamicRoutes() throws IOException {
        XenoService xeno = start(base().dynamicRoute("/shop", "degrade,page=/thanks.html")
                .dynamicRoute("/shop/cart", "degrade,page=/index.html"));
        for (String path : new String[] {"/index.html", "/shopping", "/shop", "/shop/1", "/shop/cart/2", "/"}) {
            xeno.tracker().end(xeno.tracker().begin("GET", path), 200, 0);
        }
        RecentCounts counts = RecentCounts.of(xeno.recorder());
        assertEquals(3, counts.dynamicCompletions());
        assertEquals(2, counts.route0());
        assertEquals(1, RecentCounts.route(xeno.recorder(), 1));
        assertTrue(xeno.isXenoPath("/_xeno/status"));
    }

    @Test
    void buildsTheSitesBundleAtStartAndAgainWhenAFileChanges() throws IOException {
        XenoService xeno = start(base());
        long first = await(() -> xeno.replicator().status().bundleVersion().isPresent()
                ? Optional.of(xeno.replicator().status().bundleVersion().getAsLong())
                : Optional.empty());
        Files.writeString(dir.resolve("site/new.html"), "<p>new</p>");
        xeno.replicator().restage();
        long second = await(() -> xeno.replicator().status().bundleVersion().stream()
                .boxed()
                .filter(version -> version > first)
                .findFirst());
        assertTrue(second > first);
        assertTrue(Files.exists(dir.resolve("state/bundles/" + second + ".xsb")));
    }

    @Test
    void answersStaticFilesFromTheCurrentBundleInMemory() throws IOException {
        XenoService xeno = start(base().adminToken(TOKEN));
        long first = await(() ->
                xeno.status().fromMemory().bundleVersion().stream().boxed().findFirst());
        Function<String, Optional<String>> noHeaders = name -> Optional.empty();

        XenoResponse page = xeno.staticFromMemory("GET", "/", noHeaders).orElseThrow();
        assertEquals("<h1>books</h1>", new String(page.body(), StandardCharsets.UTF_8));
        assertEquals(Optional.empty(), xeno.staticFromMemory("POST", "/index.html", noHeaders));
        assertEquals(Optional.empty(), xeno.staticFromMemory("GET", "/search", noHeaders), "the app's own 404");
        JsonNode json = new ObjectMapper()
                .readTree(
                        serve(xeno, "GET", XenoService.STATUS_PATH, admin(), "").body());
        assertEquals(1, json.path("fromMemory").path("served").asLong());
        assertEquals(first, json.path("fromMemory").path("bundleVersion").asLong());
        assertEquals(2, json.path("fromMemory").path("filesHeld").asInt());

        Files.writeString(dir.resolve("site/index.html"), "<h1>new stock</h1>");
        xeno.replicator().restage();
        await(() -> xeno.staticFromMemory("GET", "/index.html", noHeaders)
                .filter(answer -> new String(answer.body(), StandardCharsets.UTF_8).equals("<h1>new stock</h1>"))
                .map(answer -> 1L));
        assertTrue(xeno.status().fromMemory().bundleVersion().orElseThrow() > first);
    }

    @Test
    void holdsNoStaticFilesWhenTheLimitIsZero() throws IOException {
        XenoService xeno = start(base().staticMemoryBytes(0));
        await(() -> xeno.replicator().status().bundleVersion().stream().boxed().findFirst());
        assertEquals(Optional.empty(), xeno.staticFromMemory("GET", "/index.html", name -> Optional.empty()));
        assertEquals(0, xeno.status().fromMemory().limitBytes());
        assertTrue(xeno.status().fromMemory().bundleVersion().isEmpty());
    }

    @Test
    void anInjectedDnsUpdaterTakesThePlaceOfRfc2136AndIsClosedWithTheService() throws IOException {
        List<String> calls = new CopyOnWriteArrayList<>();
        DnsUpdater memory = new RecordingDns(calls);
        // The settings' server and key are never used: nothing listens on port 9 of "unused.invalid".
        DnsSettings settings = new DnsSettings(
                List.of(new DnsServer("unused.invalid", 9)),
                Optional.empty(),
                TsigKey.of(TsigKey.Algorithm.HMAC_SHA256, "unused", new byte[32]),
                "books.example",
                Duration.ofSeconds(1),
                List.of(),
                false);
        XenoService xeno = start(base().dns(settings).dnsUpdater(memory));
        await(() -> calls.contains("show books.example") ? Optional.of(1L) : Optional.empty());
        assertEquals(0, xeno.replicator().status().dnsFailures(), "the RFC 2136 updater was never built: " + calls);
        xeno.close();
        assertTrue(calls.contains("close"), calls.toString());
    }

    @Test
    void aDnsUpdaterWithoutDnsSettingsIsRefused() {
        DnsUpdater none = new RecordingDns(new CopyOnWriteArrayList<>());
        IllegalStateException refused = assertThrows(
                IllegalStateException.class, () -> base().dnsUpdater(none).build());
        assertTrue(refused.getMessage().contains("dns settings"), refused.getMessage());
    }

    /** An updater that only records what it was asked. */
    private static final class RecordingDns implements DnsUpdater {
        private final List<String> calls;

        RecordingDns(List<String> calls) {
            this.calls = calls;
        }

        @Override
        public AddressSet show(String name) {
            calls.add("show " + name);
            return new AddressSet(name + ".", List.of(), Duration.ZERO);
        }

        @Override
        public void update(String name, Collection<InetAddress> add, Collection<InetAddress> remove, Duration ttl) {
            calls.add("update " + name);
        }

        @Override
        public AddressSet replace(String name, Collection<InetAddress> addresses, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void lowerTtl(String name, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Duration defaultTtl() {
            return Duration.ofSeconds(1);
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    /** The base with one peer, whose key signs the deliveries {@link #deliver} sends. */
    private XenoConfig.Builder withPeer() throws IOException {
        return base().peer(PeerSpec.of(
                "p1",
                java.net.URI.create("http://127.0.0.1:9"),
                List.of(java.net.InetAddress.getByName("192.0.2.1")),
                PEER.getPublic()));
    }

    /** A delivery to the intake signed by {@link #PEER}, as a peer's capture forwarder sends it. */
    private static XenoResponse deliver(XenoService xeno, Map<String, String> headers, String body) throws IOException {
        List<Map.Entry<String, String>> signed = new java.util.ArrayList<>(new TreeMap<>(headers).entrySet());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Map<String, String> all = new TreeMap<>(headers);
        all.putAll(PeerIdentity.of(PEER).sign("POST", XenoService.INTAKE_PATH, signed, ControlSignature.sha256(bytes)));
        return serve(xeno, "POST", XenoService.INTAKE_PATH, all, body);
    }

    private XenoConfig.Builder base() {
        return XenoConfig.builder()
                .site("books.example")
                .siteKey(SiteKeys.generate().getPrivate())
                .staticDirectory(dir.resolve("site"))
                .stateDirectory(dir.resolve("state"));
    }

    private XenoService start(XenoConfig.Builder config) throws IOException {
        XenoService xeno = XenoService.start(config.build());
        started.add(xeno);
        return xeno;
    }

    private static Map<String, String> admin() {
        return Map.of("Authorization", "Bearer " + TOKEN);
    }

    private static XenoResponse serve(
            XenoService xeno, String method, String path, Map<String, String> headers, String body) throws IOException {
        Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byName.putAll(headers);
        InputStream in = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
        return xeno.serveXenoPath(
                method,
                path,
                path,
                name -> Optional.ofNullable(byName.get(name)).map(List::of).orElse(List.of()),
                in);
    }

    private static long await(java.util.function.Supplier<Optional<Long>> value) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            Optional<Long> found = value.get();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out");
    }
}
