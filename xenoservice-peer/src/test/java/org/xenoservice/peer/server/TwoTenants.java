package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
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
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.ConnectionLimits;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.PeerConfig;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.SiteQuota;

/**
 * A real {@link PeerServer} on loopback with two tenants, {@code a.test} and {@code b.test}, each
 * serving a small page ({@code /}), a file of {@value #MID_BYTES} bytes ({@code /mid.bin}) and one
 * of {@value #BIG_BYTES} bytes ({@code /big.bin}; also the degrade page of {@code /busy}), and capturing {@code POST /order} (for an
 * intake nobody listens on: the requests are journalled and wait), pushed and activated over the
 * control port; and
 * clients that speak HTTP/1.1 over raw sockets from a chosen loopback address (127.0.0.x), so that
 * tests can play several client addresses and misbehave byte by byte.
 */
final class TwoTenants implements AutoCloseable {
    static final String A = "a.test";
    static final String B = "b.test";
    static final int MID_BYTES = 256 * 1024;
    static final int BIG_BYTES = 8 * 1024 * 1024;
    /** Where captured orders would go: the discard port, where nothing listens. */
    private static final URI INTAKE = URI.create("http://127.0.0.1:9");

    private final Map<String, KeyPair> signing = new java.util.concurrent.ConcurrentHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final PeerServer peer;

    private TwoTenants(PeerServer peer) {
        this.peer = peer;
    }

    /**
     * Starts a peer with {@code limits}, sharing {@code bandwidth} bytes per second (0: unlimited)
     * a quarter to {@code a.test} and three quarters to {@code b.test}, and serving both sites.
     */
    static TwoTenants start(Path dir, ConnectionLimits limits, long bandwidth) throws Exception {
        KeyPair a = SiteKeys.generate();
        KeyPair b = SiteKeys.generate();
        PeerConfig config = PeerConfig.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("peer"))
                .bandwidthBytesPerSecond(bandwidth)
                .connectionLimits(limits)
                .enroll(
                        new Enrollment(A, a.getPublic(), new SiteQuota(1L << 30, 100_000, 0.25), List.of(INTAKE)),
                        new Enrollment(B, b.getPublic(), new SiteQuota(1L << 30, 100_000, 0.75), List.of(INTAKE)))
                .build();
        PeerServer peer = PeerServer.fromConfig(config);
        peer.start();
        TwoTenants tenants = new TwoTenants(peer);
        tenants.keys(A, a).keys(B, b);
        try {
            tenants.publish(dir, A);
            tenants.publish(dir, B);
        } catch (Exception | AssertionError e) {
            tenants.close();
            throw e;
        }
        return tenants;
    }

    private TwoTenants keys(String site, KeyPair pair) {
        signing.put(site, pair);
        return this;
    }

    PeerServer peer() {
        return peer;
    }

    /** The bytes of {@code path} (/, /mid.bin or /big.bin) of {@code site}. */
    static byte[] content(String site, String path) {
        return switch (path) {
            case "/" -> ("<h1>" + site + "</h1>").repeat(20).getBytes(StandardCharsets.UTF_8);
            case "/mid.bin" -> TestSites.random(site.hashCode(), MID_BYTES);
            case "/big.bin" -> TestSites.random(site.hashCode() + 1L, BIG_BYTES);
            default -> throw new IllegalArgumentException(path);
        };
    }

    private void publish(Path dir, String site) throws Exception {
        Path source = Files.createDirectories(dir.resolve("source-" + site));
        Files.write(source.resolve("index.html"), content(site, "/"));
        Files.write(source.resolve("mid.bin"), content(site, "/mid.bin"));
        Files.write(source.resolve("big.bin"), content(site, "/big.bin"));
        ByteArrayOutputStream bundle = new ByteArrayOutputStream();
        BundleBuilder.forSite(site)
                .source(DirectorySource.of(source))
                .signingKey(signing.get(site).getPrivate())
                .version(1)
                .dynamicRoute(new DynamicRoute(
                        "/order", DynamicRoute.Policy.CAPTURE, Map.of("intake", INTAKE + "/intake", "page", "/")))
                .dynamicRoute(new DynamicRoute("/busy", DynamicRoute.Policy.DEGRADE, Map.of("page", "/big.bin")))
                .build(bundle);
        HttpResponse<String> staged = control(site, "PUT", "bundle", bundle.toByteArray());
        assertEquals(200, staged.statusCode(), staged.body());
        HttpResponse<String> active =
                control(site, "POST", "activate", "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, active.statusCode(), active.body());
    }

    /** A control call signed with {@code site}'s key. */
    HttpResponse<String> control(String site, String method, String call, byte[] body)
            throws IOException, InterruptedException {
        String path = "/xeno/v1/sites/" + site + "/" + call;
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + peer.controlPort() + path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30));
        signedHeaders(site, method, path, body).forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The signature headers of a control call. */
    Map<String, String> signedHeaders(String site, String method, String path, byte[] body) {
        return ControlSignature.sign(
                signing.get(site).getPrivate(), site, method, path, ControlSignature.sha256(body), Instant.now());
    }

    /** A socket to the serving port from 127.0.0.{@code client}. */
    Socket serving(int client) throws IOException {
        return connect(client, peer.servingPort());
    }

    /** A socket to the control port from 127.0.0.{@code client}. */
    Socket control(int client) throws IOException {
        return connect(client, peer.controlPort());
    }

    private static Socket connect(int client, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + client), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        return socket;
    }

    /** A whole answer: status and body (Content-Length framed). */
    @SuppressWarnings("ArrayRecordComponent") // a test's view of one answer, never compared or hashed
    record Answer(int status, byte[] body) {}

    /** GETs {@code path} of {@code host} on a fresh connection from 127.0.0.{@code client}. */
    Answer get(int client, String host, String path) throws IOException {
        try (Socket socket = serving(client)) {
            socket.setSoTimeout(10_000);
            return exchange(socket, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        }
    }

    /** Writes {@code request} and reads one Content-Length-framed answer. */
    static Answer exchange(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before the headers ended: " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(headers.substring(9, 12));
        long length = 0;
        for (String line : headers.split("\r\n", -1)) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).strip());
            }
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new IOException("the body ended after " + body.length + " of " + length + " bytes");
        }
        return new Answer(status, body);
    }

    @Override
    public void close() {
        peer.close();
    }
}
