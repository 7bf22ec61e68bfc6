package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.Encoding;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.protocol.ControlCodec;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.protocol.SiteStatus;

/**
 * Two tenants on one real {@link PeerServer}, one of them hostile: what one tenant uploads never
 * reaches the other's clients, refused uploads leave nothing behind, the store is collected, old
 * versions stay retired, and only the operator reads every tenant's figures.
 */
class HostileTenantsIT {
    private static final KeyPair BOOKS = SiteKeys.generate();
    private static final KeyPair MAPS = SiteKeys.generate();
    private static final String METRICS_TOKEN = "operator-scraper-token";
    private static final byte[] COMMON_SCRIPT = TestSites.html("shared library", 1500);

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private PeerServer peer;

    @AfterEach
    void stop() {
        if (peer != null) {
            peer.close();
        }
    }

    private void start(SiteQuota booksQuota) throws IOException {
        peer = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("peer"))
                .enroll(
                        new Enrollment("books.example", BOOKS.getPublic(), booksQuota),
                        new Enrollment("maps.example", MAPS.getPublic(), SiteQuota.DEFAULT))
                .metricsToken(METRICS_TOKEN)
                .build();
        peer.start();
    }

    @Test
    void anotherTenantsGzipOfACommonFileIsNeverServedToASite() throws Exception {
        start(SiteQuota.DEFAULT);
        byte[] honest = bundle("maps.example", MAPS, 1, site("maps", "lib/app.js", COMMON_SCRIPT));
        ManifestFile script = BundleReader.peekManifest(new ByteArrayInputStream(honest))
                .file("/lib/app.js")
                .orElseThrow();
        assertEquals(Encoding.GZIP, script.encoding(), "the common file is stored gzip");
        byte[] bloated = CraftedBundles.gzipWithComment(COMMON_SCRIPT, 5 << 20);
        byte[] hostile = CraftedBundles.replaceGzipBlob(
                bundle("books.example", BOOKS, 1, site("books", "lib/app.js", COMMON_SCRIPT)),
                BOOKS.getPrivate(),
                "/lib/app.js",
                script.sha256(),
                script.size(),
                bloated);
        HttpResponse<String> staged = control(BOOKS, "books.example", "PUT", "bundle", hostile);
        assertEquals(200, staged.statusCode(), "a valid gzip with a comment is a valid bundle: " + staged.body());

        assertEquals(200, control(MAPS, "maps.example", "PUT", "bundle", honest).statusCode());
        activate(MAPS, "maps.example", 1);
        HttpResponse<byte[]> served = serve("maps.example", "/lib/app.js", "gzip");
        assertEquals(200, served.statusCode());
        assertEquals("gzip", served.headers().firstValue("Content-Encoding").orElse(""));
        assertEquals(script.storedSize(), served.body().length, "maps.example's own gzip, not the 5 MiB one");
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(served.body()))) {
            assertArrayEquals(COMMON_SCRIPT, in.readAllBytes());
        }
        // counted when the exchange completes, which may come just after the client has its answer
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (peer.accounting().snapshot("maps.example").bytesSent() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(
                script.storedSize(), peer.accounting().snapshot("maps.example").bytesSent());
        assertTrue(status(MAPS, "maps.example").diskBytes() < 1 << 20, "the bloated copy is not billed to maps");
        assertTrue(status(BOOKS, "books.example").storedBytes() > 5 << 20, "but to the tenant that sent it");
    }

    @Test
    void anUploadWhoseBodyDiffersFromTheSignedDigestIsRefusedAndNothingIsKept() throws Exception {
        start(SiteQuota.DEFAULT);
        byte[] bundle = bundle(
                "books.example",
                BOOKS,
                1,
                site("books", "index.html", "<h1>Books</h1>".getBytes(StandardCharsets.UTF_8)));
        long before = storeBytes();
        byte[] flipped = bundle.clone();
        flipped[flipped.length - 1] ^= 1; // in the tar's end-of-archive padding, which the reader never checks
        HttpResponse<String> refused = send(BOOKS, "books.example", "PUT", "bundle", flipped, bundle);
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("\"error\":\"body-digest\""), refused.body());
        assertEquals(List.of(), status(BOOKS, "books.example").versions());
        assertEquals(before, storeBytes(), "nothing kept of the refused upload");
    }

    @Test
    void refusedUploadsLeaveTheStoreAsItWas() throws Exception {
        start(new SiteQuota(8L << 20, 100, 1.0));
        pushAndActivate(
                BOOKS,
                "books.example",
                1,
                site("books", "index.html", "<h1>Books</h1>".getBytes(StandardCharsets.UTF_8)));
        long before = storeBytes();
        for (int version = 2; version <= 6; version++) {
            byte[] big = TestSites.random(version, 9 << 20);
            HttpResponse<String> refused = control(
                    BOOKS,
                    "books.example",
                    "PUT",
                    "bundle",
                    bundle("books.example", BOOKS, version, site("books", "atlas.bin", big)));
            assertEquals(413, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("\"error\":\"quota\""), refused.body());
        }
        HttpResponse<String> stale = control(
                BOOKS,
                "books.example",
                "PUT",
                "bundle",
                bundle("books.example", BOOKS, 1, site("books", "old.bin", TestSites.random(1, 1 << 20))));
        assertEquals(409, stale.statusCode(), stale.body());
        assertEquals(before, storeBytes(), "five refused 9 MiB pushes and a stale one left nothing behind");
        SiteStatus status = status(BOOKS, "books.example");
        assertEquals(List.of(1L), status.versions());
        assertTrue(status.diskBytes() < 1 << 20, status.toString());
    }

    @Test
    void retiringCollectsTheBlobsOfVersionsThatCanNeverServeAgain() throws Exception {
        start(SiteQuota.DEFAULT);
        byte[] old = TestSites.random(1, 2 << 20);
        byte[] current = TestSites.random(2, 1 << 20);
        pushAndActivate(BOOKS, "books.example", 1, site("books", "old.bin", old));
        Path oldBlob = storedBlob(CraftedBundles.sha256Hex(old));
        assertTrue(Files.exists(oldBlob));
        Files.delete(dir.resolve("books/old.bin"));
        pushAndActivate(BOOKS, "books.example", 2, site("books", "current.bin", current));
        pushAndActivate(MAPS, "maps.example", 1, site("maps", "old.bin", old));
        long diskBefore = status(BOOKS, "books.example").diskBytes();

        assertEquals(
                200,
                control(BOOKS, "books.example", "POST", "retire", new byte[0]).statusCode());
        SiteStatus retired = status(BOOKS, "books.example");
        assertEquals(List.of(2L), retired.versions(), "v1 could only ever be a rollback");
        assertFalse(Files.exists(oldBlob), "v1's blob is collected");
        assertTrue(Files.exists(storedBlob(CraftedBundles.sha256Hex(current))), "v2's stays");
        assertTrue(retired.diskBytes() <= diskBefore - old.length, diskBefore + " → " + retired.diskBytes());
        assertEquals(200, serve("maps.example", "/old.bin", "identity").statusCode(), "maps keeps its own copy");

        Path stray = dir.resolve("peer/blobs/sites/books.example/blobs/ab/" + "ab".repeat(32));
        Files.createDirectories(stray.getParent());
        Files.write(stray, new byte[4096]);
        peer.close();
        start(SiteQuota.DEFAULT);
        assertFalse(Files.exists(stray), "a blob no manifest names is collected at start-up");
        activate(BOOKS, "books.example", 2);
        assertEquals(200, serve("books.example", "/current.bin", "identity").statusCode());
    }

    @Test
    void activatingAnOlderVersionAfterARetirementIsARefusedRollback() throws Exception {
        start(SiteQuota.DEFAULT);
        Path books = site("books", "index.html", "<h1>Edition 1</h1>".getBytes(StandardCharsets.UTF_8));
        assertEquals(
                200,
                control(BOOKS, "books.example", "PUT", "bundle", bundle("books.example", BOOKS, 1, books))
                        .statusCode());
        Files.writeString(books.resolve("index.html"), "<h1>Edition 2</h1>");
        assertEquals(
                200,
                control(BOOKS, "books.example", "PUT", "bundle", bundle("books.example", BOOKS, 2, books))
                        .statusCode());
        activate(BOOKS, "books.example", 2);
        assertEquals(
                200,
                control(BOOKS, "books.example", "POST", "retire", new byte[0]).statusCode());

        HttpResponse<String> rollback = control(BOOKS, "books.example", "POST", "activate", version(1));
        assertEquals(409, rollback.statusCode(), rollback.body());
        assertTrue(rollback.body().contains("\"error\":\"rollback\""), rollback.body());
        assertTrue(rollback.body().contains("newest this peer ever served"), rollback.body());

        peer.close();
        start(SiteQuota.DEFAULT);
        assertEquals(
                409,
                control(BOOKS, "books.example", "POST", "activate", version(1)).statusCode(),
                "also after a restart");
        assertEquals(
                409,
                control(BOOKS, "books.example", "PUT", "bundle", bundle("books.example", BOOKS, 1, books))
                        .statusCode());
        activate(BOOKS, "books.example", 2);
        assertTrue(new String(serve("books.example", "/", "identity").body(), StandardCharsets.UTF_8)
                .contains("Edition 2"));
    }

    @Test
    void metricsAreTheOperatorsAlone() throws Exception {
        start(SiteQuota.DEFAULT);
        pushAndActivate(
                BOOKS,
                "books.example",
                1,
                site("books", "index.html", "<h1>Books</h1>".getBytes(StandardCharsets.UTF_8)));
        assertEquals(401, metrics(null).statusCode(), "no credentials");
        assertEquals(401, metrics("Bearer not-the-operator-token").statusCode(), "a wrong token");
        assertEquals(
                401,
                metrics(ControlSignature.sign(
                                        BOOKS.getPrivate(),
                                        "books.example",
                                        "GET",
                                        "/metrics",
                                        ControlSignature.EMPTY_BODY_SHA256,
                                        Instant.now())
                                .get(ControlSignature.SIGNATURE_HEADER))
                        .statusCode(),
                "a tenant's signature is no operator's token");
        HttpResponse<String> scraped = metrics("Bearer " + METRICS_TOKEN);
        assertEquals(200, scraped.statusCode());
        assertTrue(scraped.body().contains("xeno_peer_requests_total{site=\"maps.example\"}"), scraped.body());

        peer.close();
        peer = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("peer"))
                .enroll(new Enrollment("books.example", BOOKS.getPublic(), SiteQuota.DEFAULT))
                .build();
        peer.start();
        HttpResponse<String> off = metrics("Bearer " + METRICS_TOKEN);
        assertEquals(404, off.statusCode(), "no token configured: no metrics");
        assertTrue(off.body().contains("metrics-token-file"), off.body());
    }

    // --- helpers ------------------------------------------------------------------------------

    /** A site folder {@code name} with one more file; returns the folder. */
    private Path site(String name, String file, byte[] bytes) throws IOException {
        Path folder = dir.resolve(name);
        Path path = folder.resolve(file);
        Files.createDirectories(path.getParent());
        Files.write(path, bytes);
        return folder;
    }

    private static byte[] bundle(String host, KeyPair keys, long version, Path source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleBuilder.forSite(host)
                .source(DirectorySource.of(source))
                .signingKey(keys.getPrivate())
                .version(version)
                .build(out);
        return out.toByteArray();
    }

    private void pushAndActivate(KeyPair keys, String site, long version, Path source) throws Exception {
        HttpResponse<String> staged = control(keys, site, "PUT", "bundle", bundle(site, keys, version, source));
        assertEquals(200, staged.statusCode(), staged.body());
        activate(keys, site, version);
    }

    private void activate(KeyPair keys, String site, long version) throws Exception {
        HttpResponse<String> active = control(keys, site, "POST", "activate", version(version));
        assertEquals(200, active.statusCode(), active.body());
    }

    private static byte[] version(long version) {
        return ("{\"version\":" + version + "}").getBytes(StandardCharsets.UTF_8);
    }

    private SiteStatus status(KeyPair keys, String site) throws Exception {
        HttpResponse<String> status = control(keys, site, "GET", "status", new byte[0]);
        assertEquals(200, status.statusCode(), status.body());
        return ControlCodec.readStatus(status.body().getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> control(KeyPair keys, String site, String method, String call, byte[] body)
            throws IOException, InterruptedException {
        return send(keys, site, method, call, body, body);
    }

    /** Sends {@code body} signed as if it were {@code signed}. */
    private HttpResponse<String> send(KeyPair keys, String site, String method, String call, byte[] body, byte[] signed)
            throws IOException, InterruptedException {
        String path = "/xeno/v1/sites/" + site + "/" + call;
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + peer.controlPort() + path))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(60));
        ControlSignature.sign(keys.getPrivate(), site, method, path, ControlSignature.sha256(signed), Instant.now())
                .forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> metrics(String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peer.controlPort() + "/metrics"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> serve(String host, String path, String acceptEncoding)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peer.servingPort() + path))
                        .header("Host", host)
                        .header("Accept-Encoding", acceptEncoding)
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The bytes of every file the peer keeps for blobs and uploads. */
    private long storeBytes() throws IOException {
        long bytes = 0;
        for (String part : List.of("blobs", "spool")) {
            Path folder = dir.resolve("peer").resolve(part);
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(folder)) {
                bytes += files.filter(Files::isRegularFile)
                        .mapToLong(file -> {
                            try {
                                return Files.size(file);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        })
                        .sum();
            }
        }
        return bytes;
    }

    /** The file of books.example's blob of these identity bytes. */
    private Path storedBlob(String sha256) {
        return dir.resolve("peer/blobs/sites/books.example/blobs")
                .resolve(sha256.substring(0, 2))
                .resolve(sha256);
    }
}
