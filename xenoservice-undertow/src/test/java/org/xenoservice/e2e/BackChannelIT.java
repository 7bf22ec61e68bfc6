package org.xenoservice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.client.PeerClient;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.peer.server.PeerServer;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.undertow.XenoHandler;

/**
 * The back-channel between a real peer ({@link PeerServer}) and a real origin ({@link XenoService}
 * behind {@link XenoHandler} on Undertow): the origin trusts a request only when the peer's pinned
 * identity signed it, the intake applies nothing else, a client cannot speak for the peer, and one
 * site's slow origin cannot take the peer's workers from another site.
 */
class BackChannelIT {
    private static final String SITE = "shop.example";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    /** A second pinned peer, whose key must not pass for the first's. */
    private static final KeyPair P2 = SiteKeys.generate();
    /** A key no peer of the origin has. */
    private static final KeyPair STRANGER = SiteKeys.generate();

    @TempDir
    Path dir;

    private final KeyPair siteKeys = SiteKeys.generate();
    private final List<String> applied = new CopyOnWriteArrayList<>();
    private final List<String> appSaw = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private PeerServer peer;
    private XenoService xeno;
    private int originPort;

    @BeforeEach
    void start() throws Exception {
        Path site = dir.resolve("site");
        Files.createDirectories(site);
        Files.writeString(site.resolve("index.html"), "<h1>shop</h1>");
        Files.writeString(site.resolve("thanks.html"), "<p>thank you</p>");
        originPort = freePort();
        URI backChannel = URI.create("http://127.0.0.1:" + originPort);
        peer = PeerServer.builder()
                .bindAddress("127.0.0.1")
                .servingPort(0)
                .controlPort(0)
                .storeDirectory(dir.resolve("peer"))
                .enroll(new Enrollment(SITE, siteKeys.getPublic(), SiteQuota.DEFAULT, List.of(backChannel)))
                .build();
        peer.start();
        closeables.add(peer);
        xeno = XenoService.start(XenoConfig.builder()
                .site(SITE)
                .siteKey(siteKeys.getPrivate())
                .staticDirectory(site)
                .stateDirectory(dir.resolve("origin"))
                .httpOnly(true)
                .backChannel(backChannel)
                .dynamicRoute("/order", "capture,page=/thanks.html")
                .dynamicRoute("/search", "proxy")
                .captureHandler(request -> applied.add(request.idempotencyKey()))
                .peer(PeerSpec.of(
                        "p1",
                        URI.create("http://127.0.0.1:" + peer.controlPort()),
                        List.of(loopback()),
                        peer.identity().publicKey()))
                .peer(PeerSpec.of("p2", URI.create("http://127.0.0.1:9"), List.of(loopback()), P2.getPublic()))
                .build());
        closeables.add(0, xeno);
        HttpHandler search = new BlockingHandler(exchange -> {
            byte[] body = exchange.getInputStream().readAllBytes();
            String seen =
                    "peer=" + exchange.getAttachment(XenoHandler.PEER) + "\nxff=" + all(exchange, "X-Forwarded-For")
                            + "\nreal=" + all(exchange, "X-Real-IP") + "\nforwarded=" + all(exchange, "Forwarded")
                            + "\nbody=" + new String(body, StandardCharsets.UTF_8) + "\n";
            appSaw.add(seen);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send(seen, StandardCharsets.UTF_8);
        });
        Undertow origin = Undertow.builder()
                .addHttpListener(originPort, "127.0.0.1")
                .setHandler(XenoHandler.builder(xeno)
                        .staticDirectory(site)
                        .dynamic("/search", search)
                        .build())
                .build();
        origin.start();
        closeables.add(0, origin::stop);
        activateStagedBundle(SITE, siteKeys);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }

    @Test
    void aProxiedRequestReachesTheAppWithThePeersVerifiedIdentityAndNoClientProvenance() throws Exception {
        Raw answer = Raw.send(
                peer.servingPort(),
                "POST /search?q=a%20b HTTP/1.1\r\nHost: " + SITE + "\r\nX-Forwarded-For: 1.2.3.4\r\n"
                        + "X-Real-IP: 1.2.3.4\r\nForwarded: for=1.2.3.4\r\nX-Xeno-Signature: forged\r\n"
                        + "Content-Type: text/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        assertEquals(200, answer.status, answer.text);
        assertTrue(answer.text.contains("peer=p1\n"), answer.text);
        assertTrue(answer.text.contains("xff=127.0.0.1\n"), "only the peer's own: " + answer.text);
        assertTrue(answer.text.contains("real=\n"), answer.text);
        assertTrue(answer.text.contains("forwarded=\n"), answer.text);
        assertTrue(answer.text.contains("body=hello\n"), "the body survives the check: " + answer.text);
        assertFalse(answer.text.contains("1.2.3.4"), answer.text);
        assertTrue(xeno.status().backChannel().verified() >= 1);
    }

    @Test
    void aRequestClaimingToBeAPeersWithoutItsSignatureNeverReachesTheApp() throws Exception {
        HttpResponse<String> forged = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + originPort + "/search?q=x"))
                        .header(PeerSignature.PEER_KEY_HEADER, peer.identity().publicKeyId())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, forged.statusCode(), forged.body());
        assertTrue(forged.body().contains("unsigned"), forged.body());
        HttpResponse<String> direct = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + originPort + "/search?q=x"))
                        .header("X-Forwarded-For", "1.2.3.4")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, direct.statusCode());
        assertTrue(direct.body().contains("peer=null\n"), "an ordinary request is no peer's: " + direct.body());
        assertEquals(1, appSaw.size(), "the forged one never ran the app");
    }

    @Test
    void aCapturedOrderFromThePinnedPeerIsAppliedOnce() throws Exception {
        Raw answer = Raw.send(
                peer.servingPort(),
                "POST /order HTTP/1.1\r\nHost: " + SITE + "\r\nIdempotency-Key: order-1\r\n"
                        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n"
                        + "Connection: close\r\n\r\nbook=1");
        assertEquals(202, answer.status, answer.text);
        awaitTrue(() -> applied.contains("order-1") && peer.capturesPending(SITE) == 0, "order-1 delivered");
        assertEquals(List.of("order-1"), applied);
        assertTrue(xeno.status().backChannel().verified() >= 1);
    }

    @Test
    void forgedStaleReplayedAndTamperedDeliveriesAreRefusedAndNothingIsApplied() throws Exception {
        assertEquals(401, deliver(Map.of(), "unsigned", "book=1").statusCode());
        assertEquals(
                403,
                deliver(signed(STRANGER, Instant.now(), "stranger", "book=1"), "stranger", "book=1")
                        .statusCode());
        Map<String, String> otherPeersKey = new TreeMap<>(signed(P2, Instant.now(), "p2-as-p1", "book=1"));
        otherPeersKey.put(PeerSignature.PEER_KEY_HEADER, peer.identity().publicKeyId());
        assertEquals(403, deliver(otherPeersKey, "p2-as-p1", "book=1").statusCode());
        assertEquals(
                403,
                deliver(signed(peerKeys(), Instant.now().minusSeconds(600), "stale", "book=1"), "stale", "book=1")
                        .statusCode());
        HttpResponse<String> tampered =
                deliver(signed(peerKeys(), Instant.now(), "tampered", "book=1"), "tampered", "book=9");
        assertEquals(403, tampered.statusCode());
        assertTrue(tampered.body().contains("body-mismatch"), tampered.body());
        assertTrue(applied.isEmpty(), "nothing forged was applied: " + applied);

        Map<String, String> good = signed(peerKeys(), Instant.now(), "order-7", "book=1");
        assertEquals(200, deliver(good, "order-7", "book=1").statusCode());
        HttpResponse<String> replayed = deliver(good, "order-7", "book=1");
        assertEquals(403, replayed.statusCode());
        assertTrue(replayed.body().contains("replayed"), replayed.body());
        assertEquals(List.of("order-7"), applied);
        Map<String, Long> refused = xeno.status().backChannel().refused();
        assertEquals(1L, refused.get("unsigned"));
        assertEquals(1L, refused.get("unknown-peer"));
        assertEquals(1L, refused.get("bad-signature"));
        assertEquals(1L, refused.get("stale"));
        assertEquals(1L, refused.get("body-mismatch"));
        assertEquals(1L, refused.get("replayed"));
    }

    @Test
    void traceAndConnectAreNeverProxied() throws Exception {
        Raw trace = Raw.send(
                peer.servingPort(),
                "TRACE /search HTTP/1.1\r\nHost: " + SITE + "\r\nCookie: secret\r\nConnection: close\r\n\r\n");
        assertEquals(405, trace.status, trace.text);
        Raw connect = Raw.send(
                peer.servingPort(), "CONNECT /search HTTP/1.1\r\nHost: " + SITE + "\r\nConnection: close\r\n\r\n");
        assertEquals(405, connect.status, connect.text);
        Raw tunnel = Raw.send(
                peer.servingPort(),
                "CONNECT " + SITE + ":443 HTTP/1.1\r\nHost: " + SITE + ":443\r\nConnection: close\r\n\r\n");
        assertTrue(tunnel.status == 400 || tunnel.status == 405, "a clean refusal, never 500: " + tunnel.status);
        assertTrue(appSaw.isEmpty(), "the origin saw neither: " + appSaw);
    }

    @Test
    void aSlowOriginOfOneSiteDoesNotBlockAnotherSitesProxiedRequests() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Undertow slow = plainOrigin(exchange -> {
            release.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            exchange.getResponseSender().send("slow");
        });
        Undertow fast = plainOrigin(exchange -> exchange.getResponseSender().send("fast"));
        closeables.add(0, release::countDown);
        PeerServer shared = twoTenantPeer(port(slow), port(fast));
        List<Thread> floods = new ArrayList<>();
        List<Integer> statuses = new CopyOnWriteArrayList<>(); // read while the floods still add
        for (int i = 0; i < 40; i++) {
            Thread flood = new Thread(() -> {
                try {
                    statuses.add(Raw.send(
                                    shared.servingPort(),
                                    "GET /search HTTP/1.1\r\nHost: slow.example\r\nConnection: close\r\n\r\n")
                            .status);
                } catch (IOException e) {
                    statuses.add(-1);
                }
            });
            flood.start();
            floods.add(flood);
        }
        awaitTrue(() -> statuses.stream().filter(s -> s == 503).count() >= 40 - 8, "the slow site's funnel is full");
        Raw other = Raw.send(
                shared.servingPort(), "GET /search HTTP/1.1\r\nHost: fast.example\r\nConnection: close\r\n\r\n");
        assertEquals(200, other.status, other.text);
        assertTrue(other.text.contains("fast"), other.text);
        release.countDown();
        for (Thread flood : floods) {
            flood.join(DEADLINE.toMillis());
        }
        assertEquals(8, statuses.stream().filter(s -> s == 200).count(), "at most 8 in flight per site: " + statuses);
    }

    // --- helpers ------------------------------------------------------------------------------

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    }

    /** The peer's identity, read from its store as an operator would back it up. */
    private KeyPair peerKeys() throws IOException {
        Path identity = dir.resolve("peer").resolve(PeerIdentity.DIRECTORY);
        return new KeyPair(
                SiteKeys.readPublicKey(identity.resolve(PeerIdentity.PUBLIC_KEY_FILE)),
                SiteKeys.readPrivateKey(identity.resolve(PeerIdentity.PRIVATE_KEY_FILE)));
    }

    /** The delivery headers of order {@code key}, signed by {@code keys} at {@code at}. */
    private static Map<String, String> signed(KeyPair keys, Instant at, String key, String body) {
        List<Map.Entry<String, String>> headers = deliveryHeaders(key);
        Map<String, String> all = new TreeMap<>();
        headers.forEach(header -> all.put(header.getKey(), header.getValue()));
        all.putAll(PeerIdentity.of(keys, Clock.fixed(at, ZoneOffset.UTC))
                .sign(
                        "POST",
                        XenoService.INTAKE_PATH,
                        headers,
                        ControlSignature.sha256(body.getBytes(StandardCharsets.UTF_8))));
        return all;
    }

    private static List<Map.Entry<String, String>> deliveryHeaders(String key) {
        return List.of(
                Map.entry("Idempotency-Key", key),
                Map.entry("X-Forwarded-Host", SITE),
                Map.entry("X-Xeno-Path", "/order"),
                Map.entry("X-Xeno-Method", "POST"),
                Map.entry("Content-Type", "application/x-www-form-urlencoded"));
    }

    private HttpResponse<String> deliver(Map<String, String> headers, String key, String body) throws Exception {
        HttpRequest.Builder post = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + originPort + XenoService.INTAKE_PATH))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        Map<String, String> all = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        deliveryHeaders(key).forEach(header -> all.put(header.getKey(), header.getValue()));
        all.putAll(headers);
        all.forEach(post::header);
        return http.send(post.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Activates on the peer the bundle the origin's replicator staged there. */
    private void activateStagedBundle(String site, KeyPair keys) throws Exception {
        try (PeerClient client = PeerClient.builder(
                        URI.create("http://127.0.0.1:" + peer.controlPort()), site, keys.getPrivate())
                .build()) {
            awaitTrue(
                    () -> {
                        try {
                            return !client.status().versions().isEmpty();
                        } catch (IOException e) {
                            return false;
                        }
                    },
                    "the origin staged its bundle on the peer");
            List<Long> versions = client.status().versions();
            client.activate(versions.get(versions.size() - 1));
        }
    }

    /** A peer with two tenants whose {@code /search} is proxied, each to its own origin, asking for 100 in flight. */
    private PeerServer twoTenantPeer(int slowPort, int fastPort) throws Exception {
        KeyPair slowKeys = SiteKeys.generate();
        KeyPair fastKeys = SiteKeys.generate();
        URI slowOrigin = URI.create("http://127.0.0.1:" + slowPort);
        URI fastOrigin = URI.create("http://127.0.0.1:" + fastPort);
        PeerServer shared = PeerServer.builder()
                .bindAddress("127.0.0.1")
                .servingPort(0)
                .controlPort(0)
                .storeDirectory(dir.resolve("shared-peer"))
                .enroll(
                        new Enrollment("slow.example", slowKeys.getPublic(), SiteQuota.DEFAULT, List.of(slowOrigin)),
                        new Enrollment("fast.example", fastKeys.getPublic(), SiteQuota.DEFAULT, List.of(fastOrigin)))
                .build();
        shared.start();
        closeables.add(0, shared);
        push(shared, "slow.example", slowKeys, slowOrigin);
        push(shared, "fast.example", fastKeys, fastOrigin);
        return shared;
    }

    private void push(PeerServer target, String site, KeyPair keys, URI origin) throws Exception {
        Path source = dir.resolve("tenant-" + site);
        Files.createDirectories(source);
        Files.writeString(source.resolve("index.html"), "<h1>" + site + "</h1>");
        Path bundle = dir.resolve(site + ".xsb");
        org.xenoservice.bundle.BundleBuilder.forSite(site)
                .source(org.xenoservice.bundle.DirectorySource.of(source))
                .signingKey(keys.getPrivate())
                .version(1)
                .dynamicRoute(new org.xenoservice.bundle.DynamicRoute(
                        "/search",
                        org.xenoservice.bundle.DynamicRoute.Policy.PROXY,
                        Map.of("origin", origin.toString(), "max-in-flight", "100", "timeout-ms", "60000")))
                .build(bundle);
        try (PeerClient client = PeerClient.builder(
                        URI.create("http://127.0.0.1:" + target.controlPort()), site, keys.getPrivate())
                .build()) {
            client.upload(bundle);
            client.activate(1);
        }
    }

    private Undertow plainOrigin(HttpHandler handler) {
        Undertow server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setWorkerThreads(64)
                .setHandler(new BlockingHandler(handler))
                .build();
        server.start();
        closeables.add(server::stop);
        return server;
    }

    private static int port(Undertow server) {
        return ((java.net.InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    private static String all(io.undertow.server.HttpServerExchange exchange, String name) {
        HeaderValues values = exchange.getRequestHeaders().get(name);
        return values == null ? "" : String.join("|", values);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, loopback())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** One HTTP/1.1 exchange over a raw socket, so that the test sends exactly the bytes a hostile client would. */
    private static final class Raw {
        final int status;
        final String text;

        private Raw(int status, String text) {
            this.status = status;
            this.text = text;
        }

        static Raw send(int port, String request) throws IOException {
            try (Socket socket = new Socket(loopback(), port)) {
                socket.setSoTimeout((int) DEADLINE.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = socket.getInputStream();
                String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                int space = response.indexOf(' ');
                if (space < 0 || response.length() < space + 4) {
                    return new Raw(-1, response);
                }
                int status = Integer.parseInt(response.substring(space + 1, space + 4));
                int bodyStart = response.indexOf("\r\n\r\n");
                return new Raw(status, bodyStart < 0 ? response : response.substring(bodyStart + 4));
            }
        }
    }
}
