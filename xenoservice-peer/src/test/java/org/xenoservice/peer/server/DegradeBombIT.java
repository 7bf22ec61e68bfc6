package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.ControlSignature;

/**
 * A tenant's degrade page stored as a gzip of about 1.3 MB that decodes to 200 MiB, served by a
 * real peer (the runnable jar, in a JVM with a 96 MiB heap) to three clients at once: each gets the
 * whole page, streamed, and the peer keeps serving both tenants. Built in memory, one such answer
 * alone would not fit in the heap.
 */
class DegradeBombIT {
    private static final Path JAR = Path.of("target", "xenoservice.jar");
    private static final Pattern LISTENING = Pattern.compile(
            "peer serving .+? on http://127\\.0\\.0\\.1:(\\d+), control on (http://127\\.0\\.0\\.1:\\d+)");
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final long PAGE_BYTES = 200L << 20;
    private static final KeyPair BOOKS = SiteKeys.generate();
    private static final KeyPair MAPS = SiteKeys.generate();

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process peer;
    private int servingPort;
    private String control;

    @AfterEach
    void stopPeer() {
        if (peer != null) {
            peer.destroyForcibly();
        }
    }

    @Test
    void aDegradePageThatDecodesTo200MiBIsStreamedWithinABoundedHeap() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the shaded jar was built at " + JAR.toAbsolutePath());
        startPeer();
        Path books = Files.createDirectories(dir.resolve("books"));
        Files.writeString(books.resolve("index.html"), "<h1>Books</h1>");
        Files.writeString(books.resolve("sorry.html"), "<p>Sorry</p>");
        ByteArrayOutputStream built = new ByteArrayOutputStream();
        BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(books))
                .signingKey(BOOKS.getPrivate())
                .version(1)
                .dynamicRoute(new DynamicRoute("/order", DynamicRoute.Policy.DEGRADE, Map.of("page", "/sorry.html")))
                .build(built);
        String pageSha256 = CraftedBundles.repeatedSha256(PAGE_BYTES);
        byte[] bomb = CraftedBundles.replaceGzipBlob(
                built.toByteArray(),
                BOOKS.getPrivate(),
                "/sorry.html",
                pageSha256,
                PAGE_BYTES,
                CraftedBundles.gzipBomb(PAGE_BYTES, 1_100_000));
        pushAndActivate(BOOKS, "books.example", bomb);
        Path maps = Files.createDirectories(dir.resolve("maps"));
        Files.writeString(maps.resolve("index.html"), "<h1>Maps</h1>");
        ByteArrayOutputStream mapsBundle = new ByteArrayOutputStream();
        BundleBuilder.forSite("maps.example")
                .source(DirectorySource.of(maps))
                .signingKey(MAPS.getPrivate())
                .version(1)
                .build(mapsBundle);
        pushAndActivate(MAPS, "maps.example", mapsBundle.toByteArray());

        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> pages = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pages.add(clients.submit(() -> fetchDegradePage()));
            }
            for (Future<String> page : pages) {
                assertEquals(pageSha256, page.get(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the whole page");
            }
        } finally {
            clients.shutdownNow();
        }
        assertTrue(peer.isAlive(), "the peer survived");
        assertEquals(200, get("books.example", "/").statusCode());
        assertEquals(200, get("maps.example", "/").statusCode(), "and still serves the other tenant");
    }

    /** Reads the degrade page as it streams; returns its SHA-256. */
    private String fetchDegradePage() throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servingPort + "/order"))
                        .header("Host", "books.example")
                        .timeout(DEADLINE)
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(503, response.statusCode());
        assertEquals(
                PAGE_BYTES,
                response.headers().firstValueAsLong("Content-Length").orElse(-1));
        MessageDigest sha256 = CraftedBundles.sha256();
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = body.read(buffer)) >= 0; ) {
                sha256.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private HttpResponse<String> get(String host, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + servingPort + path))
                        .header("Host", host)
                        .timeout(DEADLINE)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void pushAndActivate(KeyPair keys, String site, byte[] bundle) throws IOException, InterruptedException {
        HttpResponse<String> staged = call(keys, site, "PUT", "bundle", bundle);
        assertEquals(200, staged.statusCode(), staged.body());
        HttpResponse<String> active =
                call(keys, site, "POST", "activate", "{\"version\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, active.statusCode(), active.body());
    }

    private HttpResponse<String> call(KeyPair keys, String site, String method, String call, byte[] body)
            throws IOException, InterruptedException {
        String path = "/xeno/v1/sites/" + site + "/" + call;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(control + path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(DEADLINE);
        ControlSignature.sign(keys.getPrivate(), site, method, path, ControlSignature.sha256(body), Instant.now())
                .forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts {@code peer serve} from the runnable jar in a JVM with a 96 MiB heap. */
    private void startPeer() throws IOException {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        SiteKeys.writePublicKey(keys.resolve("books.pub"), BOOKS.getPublic());
        SiteKeys.writePublicKey(keys.resolve("maps.pub"), MAPS.getPublic());
        Path config = Files.writeString(dir.resolve("peer.properties"), """
                store-directory = store
                site.books.example.key = keys/books.pub
                site.maps.example.key = keys/maps.pub
                """);
        Path out = dir.resolve("peer.out");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m",
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
        peer = builder.start();
        Matcher matcher = LISTENING.matcher("");
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!matcher.reset(Files.readString(out)).find()) {
            assertTrue(peer.isAlive(), () -> "peer serve exited: " + read(out));
            assertTrue(System.nanoTime() < deadline, () -> "peer serve did not start: " + read(out));
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        servingPort = Integer.parseInt(matcher.group(1));
        control = matcher.group(2);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
