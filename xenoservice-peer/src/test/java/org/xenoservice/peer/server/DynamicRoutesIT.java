package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.peer.ServedSite;
import org.xenoservice.peer.SiteLookup;

/**
 * Dynamic routes on the serving port: a real peer (Undertow with {@link SiteHandler}) and, for
 * {@code proxy}, a real origin back-channel, both on loopback port 0.
 */
class DynamicRoutesIT {
    private static final String SHOP = "shop.example";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] SORRY = TestSites.html("Sorry, temporarily out of stock", 3);

    @TempDir
    static Path dir;

    private static Undertow origin;
    private static volatile CountDownLatch slowEntered;
    private static volatile CountDownLatch slowRelease;
    private static TestSites shop;

    private Undertow server;
    private SiteHandler handler;
    private int port;
    private HttpClient client;

    @BeforeAll
    static void startOriginAndBuildSite() throws IOException {
        origin = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setWorkerThreads(8)
                .setHandler(new BlockingHandler(exchange -> {
                    byte[] body = exchange.getInputStream().readAllBytes();
                    if (exchange.getRequestPath().startsWith("/slow/")) {
                        slowEntered.countDown();
                        slowRelease.await(10, TimeUnit.SECONDS);
                    }
                    String answer = exchange.getRequestMethod() + " " + exchange.getRequestURI() + "?"
                            + exchange.getQueryString() + "\n"
                            + "for=" + exchange.getRequestHeaders().get("X-Forwarded-For") + "\n"
                            + "signed=" + exchange.getRequestHeaders().contains("X-Xeno-Signature") + "\n"
                            + "host=" + exchange.getRequestHeaders().getFirst("X-Forwarded-Host") + "\n"
                            + "hop=" + exchange.getRequestHeaders().getFirst("X-Hop") + "\n"
                            + "body=" + new String(body, StandardCharsets.UTF_8);
                    exchange.setStatusCode(
                            exchange.getRequestMethod().toString().equals("POST") ? 201 : 200);
                    exchange.getResponseHeaders()
                            .put(new HttpString("X-Origin"), "yes")
                            .put(new HttpString("Content-Type"), "text/plain");
                    exchange.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                }))
                .build();
        origin.start();
        String originUrl = "http://127.0.0.1:" + port(origin);
        String deadUrl = "http://127.0.0.1:" + unusedPort();
        shop = TestSites.build(
                SHOP,
                dir.resolve("shop"),
                Map.of(
                        "index.html", TestSites.html("Shop", 5),
                        "sorry.html", SORRY,
                        "api/static.txt", "static under a proxied prefix".getBytes(StandardCharsets.UTF_8)),
                List.of(
                        new DynamicRoute("/sorry", Policy.DEGRADE, Map.of("page", "/sorry.html", "retry-after", "30")),
                        new DynamicRoute("/closed", Policy.DEGRADE, Map.of("page", "/sorry.html", "status", "200")),
                        new DynamicRoute("/no-page", Policy.DEGRADE, Map.of()),
                        new DynamicRoute("/bad-status", Policy.DEGRADE, Map.of("page", "/sorry.html", "status", "404")),
                        new DynamicRoute("/missing-page", Policy.DEGRADE, Map.of("page", "/nope.html")),
                        new DynamicRoute("/api/", Policy.PROXY, Map.of("origin", originUrl)),
                        new DynamicRoute(
                                "/api/maintenance", Policy.DEGRADE, Map.of("page", "/sorry.html", "status", "200")),
                        new DynamicRoute(
                                "/slow/",
                                Policy.PROXY,
                                Map.of("origin", originUrl, "max-in-flight", "1", "degrade-page", "/sorry.html")),
                        new DynamicRoute(
                                "/down/",
                                Policy.PROXY,
                                Map.of("origin", deadUrl, "degrade-page", "/sorry.html", "timeout-ms", "2000")),
                        new DynamicRoute("/down-text/", Policy.PROXY, Map.of("origin", deadUrl))));
    }

    @AfterAll
    static void stopOrigin() {
        origin.stop();
    }

    @BeforeEach
    void startPeer() {
        Map<String, ServedSite> active = Map.of(SHOP, shop.site());
        SiteLookup lookup = host -> Optional.ofNullable(active.get(host));
        handler = SiteHandler.builder(lookup)
                .identity(PeerIdentity.of(SiteKeys.generate()))
                .build();
        server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(4)
                .setHandler(handler)
                .build();
        server.start();
        port = port(server);
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(TIMEOUT)
                .build();
    }

    @AfterEach
    void stopPeer() {
        server.stop();
        handler.close();
    }

    // --- degrade ------------------------------------------------------------------------------

    @Test
    void degradeAnswersThePageWith503AndRetryAfter() throws Exception {
        HttpResponse<byte[]> response = send("GET", "/sorry", null);
        assertEquals(503, response.statusCode());
        assertArrayEquals(SORRY, response.body());
        assertEquals("30", header(response, "Retry-After"));
        assertEquals("no-store", header(response, "Cache-Control"));
        assertEquals(
                "text/html; charset=utf-8", header(response, "Content-Type").toLowerCase(Locale.ROOT));
    }

    @Test
    void degradeAnswersAnyMethodBelowThePrefix() throws Exception {
        HttpResponse<byte[]> response = send("POST", "/sorry/checkout", "order=1");
        assertEquals(503, response.statusCode());
        assertArrayEquals(SORRY, response.body());
    }

    @Test
    void degradeCanAnswer200WithoutRetryAfter() throws Exception {
        HttpResponse<byte[]> response = send("GET", "/closed", null);
        assertEquals(200, response.statusCode());
        assertArrayEquals(SORRY, response.body());
        assertTrue(response.headers().firstValue("Retry-After").isEmpty());
    }

    @Test
    void prefixMatchesWholeSegmentsOnly() throws Exception {
        assertEquals(404, send("GET", "/sorryish", null).statusCode());
    }

    @Test
    void degradeWithBadSettingsIs500() throws Exception {
        for (String path : List.of("/no-page", "/bad-status", "/missing-page")) {
            HttpResponse<byte[]> response = send("GET", path, null);
            assertEquals(500, response.statusCode(), path);
            String body = new String(response.body(), StandardCharsets.UTF_8);
            assertEquals(1, body.split("\n").length, body);
        }
    }

    // --- proxy --------------------------------------------------------------------------------

    @Test
    void proxyForwardsGetWithQuery() throws Exception {
        HttpResponse<byte[]> response = send("GET", "/api/books?author=Verne&sort=year", null);
        assertEquals(200, response.statusCode());
        assertEquals("yes", header(response, "X-Origin"));
        String body = new String(response.body(), StandardCharsets.UTF_8);
        assertTrue(body.startsWith("GET /api/books?author=Verne&sort=year\n"), body);
        assertTrue(body.contains("for=[127.0.0.1]\n"), body);
        assertTrue(body.contains("host=" + SHOP + "\n"), body);
        assertTrue(body.contains("signed=true\n"), "signed with the peer's identity: " + body);
    }

    @Test
    void closingTheHandlerStopsTheProxyClientsThreads() throws Exception {
        assertEquals(200, send("GET", "/api/books?q=1", null).statusCode());
        assertTrue(proxyThreads().findAny().isPresent(), "the proxied call ran on the handler's own client threads");
        server.stop();
        handler.close();
        for (Thread thread : proxyThreads().toList()) {
            thread.join(TIMEOUT.toMillis());
        }
        assertEquals(
                List.of(), proxyThreads().map(Thread::getName).toList(), "no proxy client thread outlives the handler");
    }

    private static Stream<Thread> proxyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("xeno-proxy-client") && thread.isAlive());
    }

    @Test
    void proxyForwardsPostBodyAndDropsHopByHopHeaders() throws Exception {
        String payload = "title=Nautilus&qty=2";
        String answer;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.getOutputStream()
                    .write(("POST /api/orders HTTP/1.1\r\nHost: " + SHOP + "\r\nX-Hop: private\r\n"
                                    + "Connection: X-Hop, close\r\nContent-Length: " + payload.length() + "\r\n\r\n"
                                    + payload)
                            .getBytes(StandardCharsets.US_ASCII));
            answer = readResponse(socket.getInputStream());
        }
        assertTrue(answer.startsWith("HTTP/1.1 201 "), answer);
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        assertTrue(body.startsWith("POST /api/orders?\n"), body);
        assertTrue(body.contains("hop=null\n"), body);
        assertTrue(body.endsWith("body=title=Nautilus&qty=2"), body);
    }

    @Test
    void longestPrefixWins() throws Exception {
        HttpResponse<byte[]> response = send("GET", "/api/maintenance", null);
        assertEquals(200, response.statusCode());
        assertArrayEquals(SORRY, response.body());
    }

    @Test
    void proxyOverMaxInFlightDegrades() throws Exception {
        slowEntered = new CountDownLatch(1);
        slowRelease = new CountDownLatch(1);
        CompletableFuture<HttpResponse<byte[]>> first =
                client.sendAsync(request("GET", "/slow/a", null), HttpResponse.BodyHandlers.ofByteArray());
        try {
            assertTrue(slowEntered.await(10, TimeUnit.SECONDS), "the first request reached the origin");
            HttpResponse<byte[]> second = send("GET", "/slow/b", null);
            assertEquals(503, second.statusCode());
            assertArrayEquals(SORRY, second.body());
            assertEquals("60", header(second, "Retry-After"));
        } finally {
            slowRelease.countDown();
        }
        assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void proxyToDownOriginDegrades() throws Exception {
        HttpResponse<byte[]> response = send("GET", "/down/x", null);
        assertEquals(503, response.statusCode());
        assertArrayEquals(SORRY, response.body());
        assertEquals("60", header(response, "Retry-After"));
    }

    @Test
    void proxyToDownOriginWithoutPageIs503Text() throws Exception {
        HttpResponse<byte[]> response = send("POST", "/down-text/x", "a=1");
        assertEquals(503, response.statusCode());
        assertTrue(header(response, "Content-Type").startsWith("text/plain"));
    }

    @Test
    void staticFilesOutsideDynamicPrefixesStillServe() throws Exception {
        assertEquals(200, send("GET", "/", null).statusCode());
        assertEquals(405, send("POST", "/", "x").statusCode());
    }

    // --- helpers ------------------------------------------------------------------------------

    private HttpRequest request(String method, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Host", SHOP)
                .timeout(TIMEOUT)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<byte[]> send(String method, String path, String body) throws Exception {
        return client.send(request(method, path, body), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header"));
    }

    /** Reads one response with a Content-Length from a raw connection. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the headers: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n", -1)) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static int port(Undertow undertow) {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
