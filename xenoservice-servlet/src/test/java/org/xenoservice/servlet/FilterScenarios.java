package org.xenoservice.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.bundle.SourceFile;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.overload.RecentCounts;
import org.xenoservice.overload.Signal;
import org.xenoservice.overload.SignalReading;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.testing.AdapterRequests;

/**
 * The filter's scenarios, written once and run in every container ({@link TomcatFilterIT},
 * {@link UndertowFilterIT}). Apps live at {@code /shop} unless a test says otherwise, so every
 * scenario runs under a non-root context path.
 */
abstract class FilterScenarios {
    private static final String SITE = "books.example";
    private static final String TOKEN = "0123456789abcdef-token";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private Path docBase;
    private final KeyPair keys = SiteKeys.generate();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ContainerFixture container;
    private URI server;

    /** A fresh, unstarted container of the kind under test. */
    abstract ContainerFixture container();

    @BeforeEach
    void webApp() throws IOException {
        docBase = tmp.resolve("webapp");
        write("index.html", "<h1>Antiquarian books</h1>\n");
        write("css/site.css", "body { font-family: serif }\n");
        write("docs/a/b/deep.txt", "deep\n");
        write(".well-known/security.txt", "Contact: mailto:owner@books.example\n");
        write("WEB-INF/web.xml", "<web-app/>\n");
        write("WEB-INF/classes/secret.properties", "password=hunter2\n");
        write("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n");
        write(".git/config", "[core]\n");
    }

    @AfterEach
    void stop() throws Exception {
        if (container != null) {
            container.stop();
        }
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    // ---- recording ----

    @Test
    void recordsEverySyncRequestWhenItEnds() throws Exception {
        XenoService xeno = service();
        startWithService("/shop", xeno);

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = get("/shop/hello");
            assertEquals(200, response.statusCode());
            assertEquals("hello\n", response.body());
        }

        await(
                "three requests started and ended",
                () -> xeno.status().requestsStarted() == 3 && xeno.status().inFlight() == 0);
        assertEquals(3L * "hello\n".length(), RecentCounts.of(xeno.recorder()).bytes(), "the body bytes sent");
    }

    @Test
    void recordsTheSameAsEveryAdapterForTheSameRequests() throws Exception {
        XenoService xeno = service(AdapterRequests.DYNAMIC_PREFIX, AdapterRequests.DYNAMIC_POLICY);
        startWithService("/shop", xeno);

        RecentCounts expected = AdapterRequests.send(server.resolve("/shop"));

        await("every request ended", () -> xeno.status().inFlight() == 0);
        RecentCounts recorded = RecentCounts.of(xeno.recorder()).withoutQueued();
        if (container.countsUndeclaredBufferedBytes()) {
            assertEquals(expected, recorded);
        } else {
            assertEquals(
                    expected.withBytes(expected.bytes() - AdapterRequests.UNDECLARED_BUFFERED_BYTES),
                    recorded,
                    "every body but what the app left buffered without a length when the chain returned");
        }
    }

    @Test
    void recordsAnAsyncRequestOnlyWhenItCompletes() throws Exception {
        XenoService xeno = service();
        TestApp app = startWithService("/shop", xeno);

        CompletableFuture<HttpResponse<String>> response =
                http.sendAsync(request("/shop/async").build(), HttpResponse.BodyHandlers.ofString());
        AsyncContext async = app.pending.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(async, "the async servlet never ran");
        assertEquals("/async", app.dispatchesReturned.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS));

        assertEquals(1, xeno.status().requestsStarted());
        assertEquals(1, xeno.status().inFlight(), "an async request is in flight until it completes");

        TestApp.complete(async, "late\n"); // from the test's thread, not the container's
        assertEquals(
                "late\n", response.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).body());
        await("the async request ended", () -> xeno.status().inFlight() == 0);
    }

    @Test
    void recordsAnAsyncTimeoutOnceAsAnError() throws Exception {
        XenoService xeno = service();
        TestApp app = startWithService("/shop", xeno);

        awaitErrorRecorded(xeno, () -> {
            HttpResponse<String> response = get("/shop/async-timeout");
            assertTrue(response.statusCode() >= 500, "a timed-out request answers 5xx, was " + response.statusCode());
        });
        await("the timed-out requests ended", () -> xeno.status().inFlight() == 0);

        // a second end for a timed-out request would show here as one request too few in flight
        CompletableFuture<HttpResponse<String>> held =
                http.sendAsync(request("/shop/async").build(), HttpResponse.BodyHandlers.ofString());
        AsyncContext async = app.pending.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(async);
        assertEquals(1, xeno.status().inFlight());
        TestApp.complete(async, "done\n");
        assertEquals(200, held.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).statusCode());
        await("every request ended", () -> xeno.status().inFlight() == 0);
    }

    @Test
    void rethrowsTheAppsExceptionUnchangedAndRecordsAnError() throws Exception {
        XenoService xeno = service();
        TestApp app = startWithService("/shop", xeno);

        awaitErrorRecorded(xeno, () -> assertEquals(500, get("/shop/fail").statusCode()));

        assertNotNull(app.thrownByApp.get());
        assertSame(app.thrownByApp.get(), app.thrownThroughFilter.get(), "the filter rethrows the app's exception");
        await("the failed requests ended", () -> xeno.status().inFlight() == 0);
    }

    // ---- the back-channel ----

    @Test
    void verifiesAPeersRequestBeforeTheAppAndHandsItTheBodyAndThePeersName() throws Exception {
        KeyPair peer = SiteKeys.generate();
        XenoService xeno = started(config().peer(PeerSpec.of(
                "p1",
                URI.create("http://127.0.0.1:9"),
                List.of(InetAddress.getByAddress(new byte[] {127, 0, 0, 1})),
                peer.getPublic())));
        startWithService("/shop", xeno);
        String target = "/shop/peer-echo?q=a%20b";
        byte[] body = "book=42".getBytes(StandardCharsets.UTF_8);
        List<Map.Entry<String, String>> headers =
                List.of(Map.entry("Content-Type", "application/x-www-form-urlencoded"));

        HttpRequest.Builder signed = request(target).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(header -> signed.header(header.getKey(), header.getValue()));
        PeerIdentity.of(peer)
                .sign("POST", target, headers, ControlSignature.sha256(body))
                .forEach(signed::header);
        HttpResponse<String> verified = http.send(signed.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, verified.statusCode(), verified.body());
        assertEquals("peer=p1\nq=a b\nbook=42\n", verified.body(), "the peer's name, the query and the form body");

        HttpResponse<String> unsigned = http.send(
                request(target)
                        .header(PeerSignature.PEER_KEY_HEADER, PeerSignature.keyId(peer.getPublic()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, unsigned.statusCode(), unsigned.body());

        HttpRequest.Builder tampered = request(target).POST(HttpRequest.BodyPublishers.ofString("book=43"));
        headers.forEach(header -> tampered.header(header.getKey(), header.getValue()));
        PeerIdentity.of(peer)
                .sign("POST", target, headers, ControlSignature.sha256(body))
                .forEach(tampered::header);
        HttpResponse<String> refused = http.send(tampered.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("body-mismatch"), refused.body());
        assertEquals(1, xeno.status().backChannel().verified());
    }

    // ---- XenoService's own paths ----

    @Test
    void answersStatusAsJsonWithTheAdminToken() throws Exception {
        XenoService xeno = service();
        startWithService("/shop", xeno);
        get("/shop/hello");

        HttpResponse<String> response = getAsAdmin("/shop/_xeno/status");

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode status = new ObjectMapper().readTree(response.body());
        assertEquals(SITE, status.get("site").asText());
        assertEquals(
                2, status.get("requestsStarted").asLong(), "the page, and this request: XenoService's paths count");
    }

    @Test
    void refusesStatusWithAWrongTokenOrNone() throws Exception {
        XenoService xeno = service();
        startWithService("/shop", xeno);

        HttpResponse<String> wrong = http.send(
                request("/shop/_xeno/status")
                        .header("Authorization", "Bearer " + TOKEN + "x")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> none = get("/shop/_xeno/status");

        assertEquals(401, wrong.statusCode());
        assertEquals(401, none.statusCode());
        assertFalse(wrong.body().contains(SITE));
    }

    @Test
    void servesXenoPathsRelativeToTheContextPath() throws Exception {
        XenoService xeno = service();
        startWithService("/shop", xeno);

        HttpResponse<String> metrics = getAsAdmin("/shop/_xeno/metrics");
        HttpResponse<String> outside = getAsAdmin("/_xeno/status");
        HttpResponse<String> unknown = getAsAdmin("/shop/_xeno/nothing");

        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("xeno_requests_total"));
        assertEquals(404, outside.statusCode(), "outside the app's context path nothing is XenoService's");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("/_xeno/status"), unknown.body());
    }

    @Test
    void servesXenoPathsInTheRootContext() throws Exception {
        XenoService xeno = service();
        startWithService("", xeno);

        HttpResponse<String> status = getAsAdmin("/_xeno/status");
        HttpResponse<String> page = get("/hello");

        assertEquals(200, status.statusCode());
        assertEquals(200, page.statusCode());
        await("both were recorded", () -> xeno.status().requestsStarted() == 2);
    }

    @Test
    void refusesAnIntakeBodyOverTheLimit() throws Exception {
        XenoService xeno = service();
        startWithService("/shop", xeno);
        byte[] body = new byte[XenoService.MAX_XENO_BODY_BYTES + 1];

        HttpResponse<String> declared = http.send(
                request("/shop/_xeno/intake")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> chunked = http.send(
                request("/shop/_xeno/intake")
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(413, declared.statusCode());
        assertEquals(413, chunked.statusCode(), "a body without a length is cut off at the limit too");
    }

    // ---- where the service comes from ----

    @Test
    void publishesTheWebAppsResourcesInTheBundleItBuilds() throws Exception {
        Path state = tmp.resolve("state");
        Path config = configFile(state, "");
        start("/shop", new TestApp(new XenoFilter()).initParam(XenoFilter.CONFIG_FILE_PARAM, config.toString()));

        JsonNode[] status = new JsonNode[1];
        await("a bundle was built", () -> {
            status[0] = statusJson("/shop");
            return status[0].get("replication").has("bundleVersion");
        });
        long version = status[0].get("replication").get("bundleVersion").asLong();
        Manifest manifest;
        try (InputStream in = Files.newInputStream(state.resolve("bundles").resolve(version + ".xsb"))) {
            manifest = BundleReader.builder(keys.getPublic()).site(SITE).build().verify(in);
        }

        assertEquals(
                List.of("/.well-known/security.txt", "/css/site.css", "/docs/a/b/deep.txt", "/index.html"),
                manifest.files().stream().map(ManifestFile::path).toList());
        assertEquals(
                Files.size(docBase.resolve("css/site.css")),
                manifest.file("/css/site.css").orElseThrow().size());
    }

    @Test
    void closesTheServiceItStartedWhenDestroyed() throws Exception {
        Path config = configFile(tmp.resolve("state"), "");
        start("/shop", new TestApp(new XenoFilter()).initParam(XenoFilter.CONFIG_FILE_PARAM, config.toString()));
        assertEquals(200, getAsAdmin("/shop/_xeno/status").statusCode());
        assertTrue(detectorThreadsAlive());

        container.stop();
        container = null;

        await("the filter's service stopped its threads", () -> !detectorThreadsAlive());
    }

    @Test
    void failsToStartWithAClearMessageWhenTheConfigFileHasABadProperty() throws Exception {
        Path config = configFile(tmp.resolve("state"), "replication.wave-intervall-ms = 10\n");
        TestApp app = start(
                "/shop", new TestApp(new XenoFilter()).initParam(XenoFilter.CONFIG_FILE_PARAM, config.toString()));

        assertNotServed("/shop/hello");
        assertNotNull(app.initFailure.get(), "the filter's init did not fail");
        String message = app.initFailure.get().getMessage();
        assertTrue(
                message.contains(XenoFilter.CONFIG_FILE_PARAM)
                        && message.contains(config.toString())
                        && message.contains("unknown property replication.wave-intervall-ms"),
                message);
    }

    @Test
    void failsToStartWithoutAServiceOrConfigFile() throws Exception {
        TestApp app = start("/shop", new TestApp(new XenoFilter()));

        assertNotServed("/shop/hello");
        String message = app.initFailure.get().getMessage();
        assertTrue(
                message.contains(XenoFilter.CONFIG_FILE_PARAM) && message.contains(XenoFilter.SERVICE_ATTRIBUTE),
                message);
    }

    @Test
    void failsToStartWithAnUnknownInitParam() throws Exception {
        TestApp app = start("/shop", new TestApp(new XenoFilter()).initParam("config", "xeno.properties"));

        assertNotServed("/shop/hello");
        assertTrue(
                app.initFailure.get().getMessage().contains("unknown init-param config"),
                app.initFailure.get().getMessage());
    }

    @Test
    void failsToStartWhenTheAttributeIsNotAService() throws Exception {
        TestApp app =
                start("/shop", new TestApp(new XenoFilter()).attribute(XenoFilter.SERVICE_ATTRIBUTE, "books.example"));

        assertNotServed("/shop/hello");
        assertTrue(
                app.initFailure.get().getMessage().contains("java.lang.String"),
                app.initFailure.get().getMessage());
    }

    @Test
    void usesTheServiceFromTheContextAttributeAndLeavesItRunning() throws Exception {
        XenoService xeno = service();
        startWithService("/shop", xeno);
        assertEquals(200, get("/shop/hello").statusCode());
        await(
                "the request was recorded in the app's service",
                () -> xeno.status().requestsStarted() == 1);

        container.stop();
        container = null;

        Duration before = xeno.detector().snapshot().inStateFor();
        await(
                "the service's detector still runs",
                () -> xeno.detector().snapshot().inStateFor().compareTo(before) > 0);
    }

    @Test
    void usesTheServiceGivenToItsConstructor() throws Exception {
        XenoService xeno = service();
        start("/shop", new TestApp(new XenoFilter(xeno)));

        assertEquals(200, get("/shop/hello").statusCode());
        await("the request was recorded", () -> xeno.status().requestsStarted() == 1);
    }

    // ---- ServletContextSource ----

    @Test
    void sourceListsTheWebAppsResourcesButNotWebInfMetaInfOrHiddenFiles() throws Exception {
        TestApp app = start("/shop", new TestApp(new XenoFilter(service())));
        ServletContextSource source = new ServletContextSource(app.context.get());

        List<SourceFile> files = source.files();

        assertEquals(
                List.of("/.well-known/security.txt", "/css/site.css", "/docs/a/b/deep.txt", "/index.html"),
                files.stream().map(SourceFile::path).toList());
        SourceFile css = files.get(1);
        assertEquals(Files.size(docBase.resolve("css/site.css")), css.size());
        assertEquals(
                Files.getLastModifiedTime(docBase.resolve("css/site.css"))
                                .toInstant()
                                .toEpochMilli()
                        / 1000,
                css.lastModified().toEpochMilli() / 1000);
        try (InputStream in = source.open(css)) {
            assertEquals("body { font-family: serif }\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertTrue(source.describe().contains("/shop"), source.describe());
    }

    @Test
    void sourceLeavesOutAResourceWhoseNameABundleCannotCarry() throws Exception {
        write("bad\u0001name.txt", "odd\n");
        TestApp app = start("/shop", new TestApp(new XenoFilter(service())));

        List<SourceFile> files = new ServletContextSource(app.context.get()).files();

        assertEquals(
                List.of("/.well-known/security.txt", "/css/site.css", "/docs/a/b/deep.txt", "/index.html"),
                files.stream().map(SourceFile::path).toList());
    }

    @Test
    void sourceFailsToOpenAResourceThatWentAway() throws Exception {
        TestApp app = start("/shop", new TestApp(new XenoFilter(service())));
        SourceFile gone = new SourceFile("/gone.html", 3, Instant.EPOCH);

        assertThrows(FileNotFoundException.class, () -> new ServletContextSource(app.context.get()).open(gone));
    }

    // ---- helpers ----

    private TestApp start(String contextPath, TestApp app) throws Exception {
        container = container();
        server = container.start(contextPath, docBase, app);
        return app;
    }

    /** Starts the test app with {@code xeno} in the context attribute, where the filter finds it. */
    private TestApp startWithService(String contextPath, XenoService xeno) throws Exception {
        return start(contextPath, new TestApp(new XenoFilter()).attribute(XenoFilter.SERVICE_ATTRIBUTE, xeno));
    }

    private XenoService service() throws IOException {
        return started(config());
    }

    /** A service with one dynamic route. */
    private XenoService service(String prefix, String policy) throws IOException {
        return started(config().dynamicRoute(prefix, policy));
    }

    private XenoConfig.Builder config() throws IOException {
        return XenoConfig.builder()
                .site(SITE)
                .siteKey(keys.getPrivate())
                .staticSource(DirectorySource.of(docBase))
                .httpOnly(true) // its peers serve plain HTTP only
                .stateDirectory(Files.createTempDirectory(tmp, "state"))
                .adminToken(TOKEN);
    }

    private XenoService started(XenoConfig.Builder config) throws IOException {
        XenoService xeno = XenoService.start(config.build());
        toClose.add(xeno);
        return xeno;
    }

    private Path configFile(Path state, String extra) throws IOException {
        Path key = tmp.resolve("site.key");
        if (!Files.exists(key)) {
            SiteKeys.writePrivateKey(key, keys.getPrivate());
        }
        Path file = tmp.resolve("xeno.properties");
        Files.writeString(
                file,
                "site = " + SITE + "\nsite-key = " + key + "\nstate-directory = " + state + "\nadmin-token = " + TOKEN
                        + "\n" + extra);
        return file;
    }

    private void write(String path, String content) throws IOException {
        Path file = docBase.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.resolve(path)).timeout(DEADLINE);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> getAsAdmin(String path) throws IOException, InterruptedException {
        return http.send(
                request(path).header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode statusJson(String contextPath) {
        try {
            HttpResponse<String> response = getAsAdmin(contextPath + "/_xeno/status");
            assertEquals(200, response.statusCode(), response.body());
            return new ObjectMapper().readTree(response.body());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private void assertNotServed(String path) throws InterruptedException {
        try {
            HttpResponse<String> response = get(path);
            assertNotEquals(200, response.statusCode(), "a web app whose filter failed must not serve");
        } catch (ConnectException e) {
            // not served at all
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean detectorThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.isAlive() && thread.getName().equals("xeno-detector"));
    }

    /** What a test does once, that can throw. */
    private interface Step {
        void run() throws Exception;
    }

    /**
     * Repeats a failing request until the detector's error rate shows it: the rate is read per
     * 100 ms bucket, so one observation can miss it; repeating cannot, if errors are recorded at all.
     */
    private void awaitErrorRecorded(XenoService xeno, Step failingRequest) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            failingRequest.run();
            long look = System.nanoTime() + Duration.ofMillis(400).toNanos();
            while (System.nanoTime() < look) {
                SignalReading errors = xeno.detector().snapshot().readings().get(Signal.ERROR_RATE);
                if (errors != null && errors.value() > 0) {
                    return;
                }
                LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            }
        }
        fail("no error was recorded within " + DEADLINE);
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + DEADLINE + " waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
