package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.server.handlers.BlockingHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.PeerAccounting;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.peer.ServedSite;
import org.xenoservice.peer.SiteLookup;
import org.xenoservice.protocol.SiteQuota;

/**
 * A retired site is not a dead end: while the peer forwards it ({@link SiteLookup#forwarding}), a
 * client that still holds the peer's address gets the origin's answers, static pages included,
 * through the signed back-channel path, and the requests are counted; a site that names no
 * back-channel, a stranger, and a site past its grace get 421. A real peer (Undertow with
 * {@link SiteHandler}) and a real origin back-channel, on loopback port 0.
 */
class RetiredForwardingIT {
    private static final String SHOP = "shop.example";
    private static final String NO_ROUTES = "brochure.example";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private static Undertow origin;
    private static final AtomicInteger ORIGIN_REQUESTS = new AtomicInteger();
    private static TestSites shop;
    private static TestSites brochure;

    /** What the lookup answers: the site served, or forwarded after retirement, or neither. */
    private final AtomicReference<String> state = new AtomicReference<>("forwarding");

    private Undertow server;
    private SiteHandler handler;
    private PeerAccounting accounting;
    private int port;
    private HttpClient client;

    @BeforeAll
    static void startOriginAndBuildSites() throws IOException {
        origin = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(new BlockingHandler(exchange -> {
                    ORIGIN_REQUESTS.incrementAndGet();
                    byte[] body = exchange.getInputStream().readAllBytes();
                    String answer = "origin answered " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                            + " signed=" + exchange.getRequestHeaders().contains("X-Xeno-Signature") + " body="
                            + new String(body, StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_TYPE, "text/plain");
                    exchange.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
                }))
                .build();
        origin.start();
        String originUrl = "http://127.0.0.1:"
                + ((InetSocketAddress) origin.getListenerInfo().get(0).getAddress()).getPort();
        shop = TestSites.build(
                SHOP,
                dir.resolve("shop"),
                Map.of("index.html", TestSites.html("Shop, as the peer holds it", 3)),
                List.of(new DynamicRoute("/search", Policy.PROXY, Map.of("origin", originUrl))));
        brochure = TestSites.build(
                NO_ROUTES, dir.resolve("brochure"), Map.of("index.html", TestSites.html("Brochure", 3)));
    }

    @AfterAll
    static void stopOrigin() {
        origin.stop();
    }

    @BeforeEach
    void startPeer() {
        Map<String, ServedSite> sites = Map.of(SHOP, shop.site(), NO_ROUTES, brochure.site());
        SiteLookup lookup = new SiteLookup() {
            @Override
            public Optional<ServedSite> find(String host) {
                return state.get().equals("serving") ? Optional.ofNullable(sites.get(host)) : Optional.empty();
            }

            @Override
            public Optional<ServedSite> forwarding(String host) {
                return state.get().equals("forwarding") ? Optional.ofNullable(sites.get(host)) : Optional.empty();
            }
        };
        accounting = new PeerAccounting(
                List.of(new org.xenoservice.peer.Enrollment(
                        SHOP, SiteKeys.generate().getPublic(), SiteQuota.DEFAULT, List.of())),
                System::nanoTime);
        handler = SiteHandler.builder(lookup)
                .identity(PeerIdentity.of(SiteKeys.generate()))
                .hooks(accounting)
                .build();
        server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(handler)
                .build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
    }

    @AfterEach
    void stopPeer() {
        server.stop();
        handler.close();
    }

    @Test
    void aStaticPageOfARetiredSiteIsTheOriginsAnswerThroughTheSignedBackChannel() throws Exception {
        int before = ORIGIN_REQUESTS.get();
        HttpResponse<String> page = send(SHOP, "GET", "/index.html?from=cache", null);
        assertEquals(200, page.statusCode());
        assertEquals("origin answered GET /index.html signed=true body=", page.body());
        assertEquals(before + 1, ORIGIN_REQUESTS.get());
        assertEquals(1, accounting.snapshot(SHOP).forwarded());
        // counted when the exchange completes, which may come just after the client has its answer
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (accounting.snapshot(SHOP).requests() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, accounting.snapshot(SHOP).requests(), "forwarded requests count as the site's requests");
        assertTrue(accounting
                .prometheus(Map.of())
                .contains("xeno_peer_forwarded_requests_total{site=\"shop.example\"} 1"));
    }

    @Test
    void aProxyRouteAndAPostAreForwardedToo() throws Exception {
        HttpResponse<String> search = send(SHOP, "GET", "/search?q=moby", null);
        assertEquals(200, search.statusCode());
        assertTrue(search.body().startsWith("origin answered GET /search signed=true"), search.body());
        HttpResponse<String> posted = send(SHOP, "POST", "/contact", "name=Ann");
        assertEquals(200, posted.statusCode());
        assertEquals("origin answered POST /contact signed=true body=name=Ann", posted.body());
    }

    @Test
    void theServedSiteIsServedFromTheBundleNotForwarded() throws Exception {
        state.set("serving");
        int before = ORIGIN_REQUESTS.get();
        HttpResponse<String> page = send(SHOP, "GET", "/index.html", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Shop, as the peer holds it"));
        assertEquals(before, ORIGIN_REQUESTS.get());
    }

    @Test
    void noBackChannelAStrangerOrAGracePastGet421() throws Exception {
        assertEquals(421, send(NO_ROUTES, "GET", "/index.html", null).statusCode(), "no route names the origin");
        assertEquals(421, send("stranger.example", "GET", "/", null).statusCode());
        state.set("retired for good");
        assertEquals(421, send(SHOP, "GET", "/index.html", null).statusCode());
    }

    @Test
    void hostilePathsOfARetiredSiteAreRefusedBeforeTheOrigin() throws Exception {
        int before = ORIGIN_REQUESTS.get();
        assertEquals(400, send(SHOP, "GET", "/a/../../etc/passwd", null).statusCode());
        assertEquals(405, send(SHOP, "TRACE", "/index.html", null).statusCode());
        assertEquals(before, ORIGIN_REQUESTS.get(), "nothing hostile reached the origin");
    }

    private HttpResponse<String> send(String host, String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Host", host)
                .timeout(TIMEOUT)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
