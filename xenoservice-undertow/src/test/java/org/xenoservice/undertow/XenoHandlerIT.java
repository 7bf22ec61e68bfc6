package org.xenoservice.undertow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.overload.RecentCounts;
import org.xenoservice.testing.AdapterRequests;

/**
 * {@link XenoHandler} in a real Undertow on loopback: what it records for static, dynamic,
 * asynchronous, failing and abandoned requests, and how it answers XenoService's own paths,
 * hostile requests included.
 */
class XenoHandlerIT {
    private static final String SITE = "books.example";
    private static final String TOKEN = "0123456789abcdef-token";
    private static final String INDEX = "<h1>Antiquarian books</h1>";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Path site;
    private XenoService xeno;
    private Undertow server;

    @BeforeEach
    void writeSite() throws IOException {
        site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), INDEX);
        Files.writeString(site.resolve("sorry.html"), "Sorry, out of stock");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        if (xeno != null) {
            xeno.close();
        }
    }

    // --- recording ----------------------------------------------------------------------------

    @Test
    void staticAndDynamicRequestsAreRecordedWithTheirKindRouteAndBytes() throws Exception {
        start(true);
        serve(XenoHandler.builder(xeno)
                .staticDirectory(site)
                .dynamic("/order", exchange -> exchange.getResponseSender().send("ordered"))
                .build());
        assertEquals(INDEX, get("/index.html").body());
        assertEquals("ordered", get("/order/42").body());
        assertEquals(404, get("/orders").statusCode());
        assertEquals(404, get("/missing.html").statusCode());
        awaitTrue(() -> xeno.recorder().inFlight() == 0);

        assertEquals(4, xeno.status().requestsStarted());
        RecentCounts counts = RecentCounts.of(xeno.recorder());
        assertEquals(4, counts.completions());
        assertEquals(3, counts.staticCompletions());
        assertEquals(1, counts.dynamicCompletions());
        assertEquals(1, counts.route0());
        assertEquals(0, counts.errors());
        assertEquals(INDEX.length() + "ordered".length(), counts.bytes()); // the 404s have no body
    }

    @Test
    void recordsTheSameAsEveryAdapterForTheSameRequests() throws Exception {
        start(true);
        serve(XenoHandler.builder(xeno)
                .staticHandler(exchange -> {
                    switch (exchange.getRequestPath()) {
                        case AdapterRequests.HELLO ->
                            exchange.getResponseSender().send(AdapterRequests.HELLO_BODY);
                        case AdapterRequests.STREAM -> stream(exchange, AdapterRequests.STREAM_BODY);
                        case AdapterRequests.FAIL -> throw new IllegalStateException("the shelf collapsed");
                        default -> exchange.setStatusCode(404).endExchange();
                    }
                })
                .dynamic(
                        AdapterRequests.DYNAMIC_PREFIX,
                        exchange -> exchange.getResponseSender().send(AdapterRequests.ORDER_BODY))
                .build());

        RecentCounts expected = AdapterRequests.send(URI.create("http://127.0.0.1:" + port()));

        awaitTrue(() -> xeno.status().inFlight() == 0);
        assertEquals(expected, RecentCounts.of(xeno.recorder()).withoutQueued());
    }

    @Test
    void longestDynamicPrefixWinsAndOthersFallToStatic() throws Exception {
        start(true);
        serve(XenoHandler.builder(xeno)
                .staticDirectory(site)
                .dynamic("/order", exchange -> exchange.getResponseSender().send("order"))
                .dynamic(
                        "/order/gift/", exchange -> exchange.getResponseSender().send("gift"))
                .build());
        assertEquals("order", get("/order").body());
        assertEquals("order", get("/order/gift").body());
        assertEquals("gift", get("/order/gift/1").body());
        assertEquals(INDEX, get("/index.html").body());
    }

    @Test
    void wrappedAppWithoutStaticContentAnswers404() throws Exception {
        start(true);
        serve(XenoHandler.builder(xeno)
                .dynamic("/api/", exchange -> exchange.getResponseSender().send("api"))
                .build());
        assertEquals("api", get("/api/books").body());
        assertEquals(404, get("/index.html").statusCode());
    }

    @Test
    void requestCompletedLaterFromAnotherThreadIsInFlightUntilThen() throws Exception {
        start(true);
        BlockingQueue<HttpServerExchange> held = new LinkedBlockingQueue<>();
        serve(XenoHandler.wrap(
                xeno, exchange -> exchange.dispatch(SameThreadExecutor.INSTANCE, () -> held.add(exchange))));
        CompletableFuture<HttpResponse<String>> answer =
                http.sendAsync(request("/slow").build(), HttpResponse.BodyHandlers.ofString());
        HttpServerExchange exchange = held.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, xeno.status().inFlight());
        assertEquals(0, RecentCounts.of(xeno.recorder()).completions());

        CompletableFuture<Void> late =
                CompletableFuture.runAsync(() -> exchange.getResponseSender().send("late"));
        assertEquals("late", answer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).body());
        late.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        awaitTrue(() -> xeno.status().inFlight() == 0);
        assertEquals(1, RecentCounts.of(xeno.recorder()).completions());
    }

    @Test
    void requestDispatchedToAWorkerIsRecordedWhenTheWorkerFinishes() throws Exception {
        start(true);
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        serve(XenoHandler.wrap(xeno, onWorker(exchange -> {
            working.countDown();
            assertTrue(finish.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
            exchange.getResponseSender().send("done");
        })));
        CompletableFuture<HttpResponse<String>> answer =
                http.sendAsync(request("/work").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(working.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        assertEquals(1, xeno.status().inFlight());

        finish.countDown();
        assertEquals("done", answer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).body());
        awaitTrue(() -> xeno.status().inFlight() == 0);
        assertEquals(1, RecentCounts.of(xeno.recorder()).completions());
    }

    @Test
    void appExceptionReachesUndertowUnchangedWhichAnswers500AndIsRecordedAsError() throws Exception {
        start(true);
        IllegalStateException thrown = new IllegalStateException("the shelf collapsed");
        AtomicReference<Throwable> seenByUndertow = new AtomicReference<>();
        XenoHandler handler = XenoHandler.wrap(xeno, exchange -> {
            exchange.setStatusCode(200);
            throw thrown;
        });
        serve(exchange -> {
            try {
                handler.handleRequest(exchange);
            } catch (Exception e) {
                seenByUndertow.set(e);
                throw e;
            }
        });
        assertEquals(500, get("/books").statusCode());
        assertSame(thrown, seenByUndertow.get());
        awaitTrue(() -> xeno.status().inFlight() == 0);
        assertEquals(1, RecentCounts.of(xeno.recorder()).errors());
    }

    @Test
    void exceptionAfterTheAnswerWasSentIsRecordedAsError() throws Exception {
        start(true);
        serve(XenoHandler.wrap(xeno, exchange -> {
            exchange.getResponseSender().send("sent");
            throw new IllegalStateException("the receipt printer caught fire");
        }));
        assertEquals("sent", get("/receipt").body());
        awaitTrue(() -> xeno.status().inFlight() == 0);
        assertEquals(1, RecentCounts.of(xeno.recorder()).errors());
    }

    @Test
    void exceptionOnAWorkerIsRecordedAsError() throws Exception {
        start(true);
        serve(XenoHandler.wrap(xeno, onWorker(exchange -> {
            throw new IllegalStateException("the till is jammed");
        })));
        assertEquals(500, get("/till").statusCode());
        awaitTrue(() -> xeno.status().inFlight() == 0);
        assertEquals(1, RecentCounts.of(xeno.recorder()).errors());
    }

    @Test
    void requestWhoseConnectionClosedBeforeAnyResponseIsRecordedAsError() throws Exception {
        start(true);
        BlockingQueue<HttpServerExchange> held = new LinkedBlockingQueue<>();
        serve(XenoHandler.wrap(
                xeno, exchange -> exchange.dispatch(SameThreadExecutor.INSTANCE, () -> held.add(exchange))));
        try (Socket socket = connect()) {
            socket.getOutputStream()
                    .write(("GET /abandoned HTTP/1.1\r\nHost: " + SITE + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        }
        HttpServerExchange exchange = held.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, xeno.status().inFlight());
        exchange.getConnection().close(); // what Undertow does when it finds the client gone
        awaitTrue(() -> xeno.status().inFlight() == 0);
        assertEquals(200, exchange.getStatusCode()); // the app's status, never sent
        RecentCounts counts = RecentCounts.of(xeno.recorder());
        assertEquals(1, counts.completions());
        assertEquals(1, counts.errors());
    }

    // --- XenoService's paths --------------------------------------------------------------------

    @Test
    void statusWithTheTokenIsJsonOfTheService() throws Exception {
        start(true);
        serve(XenoHandler.builder(xeno).staticDirectory(site).build());
        get("/index.html");
        HttpResponse<String> status = send(request("/_xeno/status").header("Authorization", "Bearer " + TOKEN));
        assertEquals(200, status.statusCode());
        assertEquals(
                "application/json", status.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-store", status.headers().firstValue("Cache-Control").orElseThrow());
        JsonNode json = new ObjectMapper().readTree(status.body());
        assertEquals(SITE, json.get("site").asText());
        assertTrue(json.get("requestsStarted").asLong() >= 2, status.body()); // the page and this request
        assertTrue(json.has("overload") && json.has("replication"), status.body());
    }

    @Test
    void statusWithAWrongTokenIs401() throws Exception {
        serveApp();
        HttpResponse<String> answer = send(request("/_xeno/status").header("Authorization", "Bearer " + TOKEN + "x"));
        assertEquals(401, answer.statusCode());
        assertTrue(answer.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));
    }

    @Test
    void statusWithoutATokenIs401() throws Exception {
        serveApp();
        assertEquals(401, get("/_xeno/status").statusCode());
        assertEquals(401, get("/_xeno/metrics").statusCode());
    }

    @Test
    void adminPathsAre404WhenNoTokenIsConfigured() throws Exception {
        start(false);
        serve(XenoHandler.wrap(xeno, exchange -> exchange.getResponseSender().send("app")));
        HttpResponse<String> answer = send(request("/_xeno/status").header("Authorization", "Bearer " + TOKEN));
        assertEquals(404, answer.statusCode());
        assertTrue(answer.body().contains("admin endpoints are off"), answer.body());
    }

    @Test
    void metricsArePrometheusTextWithTheRecordedRequests() throws Exception {
        serveApp();
        for (int i = 0; i < 3; i++) {
            get("/page/" + i);
        }
        awaitTrue(() -> xeno.status().inFlight() == 0);
        HttpResponse<String> metrics = send(request("/_xeno/metrics").header("Authorization", "Bearer " + TOKEN));
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        assertTrue(metrics.body().contains("# TYPE xeno_requests_total counter\n"), metrics.body());
        // the three pages and the metrics request itself, which has started when the text is written
        assertTrue(metrics.body().contains("xeno_requests_total{site=\"" + SITE + "\"} 4\n"), metrics.body());
    }

    @Test
    void intakeReachesTheServiceNotTheApp() throws Exception {
        serveApp();
        HttpResponse<String> answer =
                send(request("/_xeno/intake").POST(HttpRequest.BodyPublishers.ofString("order=1")));
        assertEquals(401, answer.statusCode(), "the service refuses a delivery no peer signed");
        assertTrue(answer.body().contains("unsigned"), answer.body());
    }

    @Test
    void xenoPathsAreRecordedAsStaticRequestsThatWaitedForAWorker() throws Exception {
        serveApp();
        assertEquals(401, get("/_xeno/status").statusCode());
        awaitTrue(() -> xeno.status().inFlight() == 0);
        RecentCounts counts = RecentCounts.of(xeno.recorder());
        assertEquals(1, counts.staticCompletions());
        assertEquals(1, counts.queued());
    }

    // --- hostile requests -----------------------------------------------------------------------

    @Test
    void dotDotOutOfTheXenoPrefixIsNotTheStatusPage() throws Exception {
        serveApp();
        for (String path : new String[] {"/_xeno/../status", "/_xeno/%2e%2e/status", "/_xeno/./status"}) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: " + SITE + "\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 404 "), path + ": " + answer);
            assertFalse(answer.contains("requestsStarted"), path + ": " + answer);
        }
    }

    @Test
    void veryLongXenoPathIs404FromTheService() throws Exception {
        serveApp();
        HttpResponse<String> answer = get("/_xeno/" + "a".repeat(60_000));
        assertEquals(404, answer.statusCode());
        assertTrue(answer.body().contains("XenoService's paths are"), answer.body());
    }

    @Test
    void intakeBodyOverTheLimitIs413() throws Exception {
        serveApp();
        // The declared length alone is refused: the answer comes before any byte of the body, which a
        // client still sending it could lose to the connection's reset, so none is sent here.
        String answer = raw("POST /_xeno/intake HTTP/1.1\r\nHost: " + SITE + "\r\nContent-Length: "
                + (XenoService.MAX_XENO_BODY_BYTES + 1) + "\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        awaitTrue(() -> xeno.status().inFlight() == 0);
    }

    @Test
    void chunkedIntakeBodyOverTheLimitIs413() throws Exception {
        serveApp();
        byte[] body = new byte[XenoService.MAX_XENO_BODY_BYTES + 1];
        HttpResponse<String> answer = send(request("/_xeno/intake")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
        assertEquals(413, answer.statusCode());
    }

    @Test
    void intakeBodyAtTheLimitReachesTheService() throws Exception {
        serveApp();
        HttpResponse<String> answer = send(request("/_xeno/intake")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[XenoService.MAX_XENO_BODY_BYTES])));
        assertEquals(401, answer.statusCode(), "read whole, then refused as no peer signed it (not 413)");
        assertTrue(answer.body().contains("unsigned"), answer.body());
    }

    @Test
    void headOfStatusHasTheHeadersAndNoBody() throws Exception {
        serveApp();
        HttpResponse<String> answer = send(request("/_xeno/status")
                .header("Authorization", "Bearer " + TOKEN)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, answer.statusCode());
        assertEquals(
                "application/json", answer.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("", answer.body());
    }

    @Test
    void postToStatusIs405() throws Exception {
        serveApp();
        HttpResponse<String> answer = send(request("/_xeno/status")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, answer.statusCode());
        assertEquals("GET, HEAD", answer.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void postToStatusWithoutTheTokenIs401() throws Exception {
        serveApp();
        assertEquals(
                401,
                send(request("/_xeno/status").POST(HttpRequest.BodyPublishers.ofString("{}")))
                        .statusCode());
    }

    // --- fixture ------------------------------------------------------------------------------

    private void start(boolean withToken) throws IOException {
        XenoConfig.Builder config = XenoConfig.builder()
                .site(SITE)
                .siteKey(SiteKeys.generate().getPrivate())
                .staticDirectory(site)
                .httpOnly(true) // its peers serve plain HTTP only
                .stateDirectory(dir.resolve("state"))
                .dynamicRoute(AdapterRequests.DYNAMIC_PREFIX, AdapterRequests.DYNAMIC_POLICY);
        if (withToken) {
            config.adminToken(TOKEN);
        }
        xeno = XenoService.start(config.build());
    }

    /** A service with the admin token, and an app that answers "app" to everything. */
    private void serveApp() throws IOException {
        start(true);
        serve(XenoHandler.wrap(xeno, exchange -> exchange.getResponseSender().send("app")));
    }

    private void serve(HttpHandler handler) {
        server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(handler)
                .build();
        server.start();
    }

    /** An app that moves to a worker thread, as blocking apps do, and runs {@code body} there. */
    private static HttpHandler onWorker(HttpHandler body) {
        return exchange -> {
            if (exchange.isInIoThread()) {
                exchange.dispatch(body);
                return;
            }
            body.handleRequest(exchange);
        };
    }

    /** Sends {@code body} from a worker in two flushed parts, without a Content-Length: chunked. */
    private static void stream(HttpServerExchange exchange, String body) throws IOException {
        if (exchange.isInIoThread()) {
            exchange.dispatch((HttpHandler) worker -> stream(worker, body));
            return;
        }
        exchange.startBlocking();
        OutputStream out = exchange.getOutputStream();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length / 2);
        out.flush();
        out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
        out.close();
    }

    private int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(20));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port());
        socket.setSoTimeout((int) DEADLINE.toMillis());
        return socket;
    }

    /** Sends bytes as they are (no client normalises the path) and reads the answer to the end. */
    private String raw(String request) throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
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
