package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Undertow;
import io.undertow.util.DateUtils;
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
import java.util.Arrays;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.bundle.Encoding;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.peer.ServedSite;
import org.xenoservice.peer.ServingHooks;
import org.xenoservice.peer.SiteLookup;

/**
 * The serving port on a real Undertow server on loopback, asked by the JDK {@link HttpClient}
 * (the Host header is allowed by {@code jdk.httpclient.allowRestrictedHeaders=host}, set in the
 * Failsafe configuration) and, for request lines that client would normalise, by a raw socket.
 */
class SiteHandlerIT {
    private static final String BOOKS = "books.example";
    private static final String MAPS = "maps.example";
    /** Blobs up to this size are cached in these tests, so that "big" files need not be big. */
    private static final long MAX_BLOB_BYTES = 64 << 10;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private static TestSites books;
    private static TestSites maps;

    private RecordingHooks hooks;
    private BlobCache cache;
    private Undertow server;
    private int port;
    private HttpClient client;

    @BeforeAll
    static void buildSites() throws IOException {
        books = TestSites.build(
                BOOKS,
                dir.resolve("books"),
                Map.of(
                        "index.html", TestSites.html("Books", 100),
                        "logo.png", TestSites.random(1, 5000),
                        "dir/index.html", TestSites.html("Maps and charts", 50),
                        "empty.txt", new byte[0],
                        "big.bin", TestSites.random(2, 300 << 10),
                        "big.txt", TestSites.words(3, 400 << 10),
                        "cache-me.bin", TestSites.random(4, 2000),
                        "stream-me.bin", TestSites.random(5, 100 << 10)));
        maps = TestSites.build(MAPS, dir.resolve("maps"), Map.of("index.html", TestSites.html("Maps", 10)));
    }

    @BeforeEach
    void startServer() {
        hooks = new RecordingHooks();
        cache = BlobCache.builder()
                .maxBytes(1 << 20)
                .maxBlobBytes(MAX_BLOB_BYTES)
                .build();
        Map<String, ServedSite> active = Map.of(BOOKS, books.site(), MAPS, maps.site());
        SiteLookup lookup = host -> Optional.ofNullable(active.get(host));
        startServer(SiteHandler.builder(lookup).hooks(hooks).blobCache(cache).build());
    }

    private void startServer(SiteHandler handler) {
        if (server != null) {
            server.stop();
        }
        server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(4)
                .setHandler(handler)
                .build();
        server.start();
        port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(TIMEOUT)
                .build();
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    // --- the file and its headers -------------------------------------------------------------

    @Test
    void servesFileWithRepresentationHeaders() throws Exception {
        ManifestFile logo = books.file("/logo.png", Encoding.IDENTITY);
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png");
        assertEquals(200, response.statusCode());
        assertArrayEquals(books.bytes("/logo.png"), response.body());
        assertEquals("\"" + logo.sha256() + "\"", header(response, "ETag"));
        assertEquals("image/png", header(response, "Content-Type"));
        assertEquals("5000", header(response, "Content-Length"));
        assertEquals("Fri, 02 Jan 2026 03:04:05 GMT", header(response, "Last-Modified"));
        assertEquals(logo.cacheControl(), header(response, "Cache-Control"));
        assertEquals("bytes", header(response, "Accept-Ranges"));
        assertTrue(response.headers().firstValue("Vary").isEmpty(), "no Vary on an identity-stored file");
        assertTrue(response.headers().firstValue("Content-Encoding").isEmpty());
    }

    @Test
    void servesIndexForRootAndFolders() throws Exception {
        assertArrayEquals(books.bytes("/index.html"), get(BOOKS, "/").body());
        assertArrayEquals(books.bytes("/dir/index.html"), get(BOOKS, "/dir/").body());
        assertArrayEquals(maps.bytes("/index.html"), get(MAPS, "/").body());
    }

    @Test
    void redirectsFolderWithoutSlash() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/dir");
        assertEquals(301, response.statusCode());
        assertEquals("/dir/", header(response, "Location"));
        assertEquals("/dir/?page=2", header(get(BOOKS, "/dir?page=2"), "Location"));
    }

    @Test
    void ignoresQueryString() throws Exception {
        assertArrayEquals(books.bytes("/logo.png"), get(BOOKS, "/logo.png?v=3").body());
    }

    @Test
    void servesEmptyFile() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/empty.txt");
        assertEquals(200, response.statusCode());
        assertEquals("0", header(response, "Content-Length"));
        assertEquals(0, response.body().length);
    }

    @Test
    void matchesHostCaseInsensitivelyWithPortAndTrailingDot() throws Exception {
        assertEquals(200, get("BOOKS.Example:8080", "/logo.png").statusCode());
        assertEquals(200, get("books.example.", "/logo.png").statusCode());
    }

    // --- gzip ----------------------------------------------------------------------------------

    @Test
    void sendsGzipStoredFileAsStoredWhenAccepted() throws Exception {
        ManifestFile index = books.file("/index.html", Encoding.GZIP);
        HttpResponse<byte[]> response = get(BOOKS, "/index.html", "Accept-Encoding", "br, gzip, deflate");
        assertEquals(200, response.statusCode());
        assertEquals("gzip", header(response, "Content-Encoding"));
        assertEquals(Long.toString(index.storedSize()), header(response, "Content-Length"));
        assertEquals("\"" + index.sha256() + "-gz\"", header(response, "ETag"));
        assertEquals("Accept-Encoding", header(response, "Vary"));
        assertEquals("text/html; charset=utf-8", header(response, "Content-Type"));
        assertArrayEquals(books.bytes("/index.html"), gunzip(response.body()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "gzip;q=0", "gzip;q=0, deflate", "deflate", "identity, *;q=0", "*, gzip;q=0", "gzip;q=0.000"
            })
    void decodesGzipStoredFileForClientsThatDoNotAcceptGzip(String acceptEncoding) throws Exception {
        ManifestFile index = books.file("/index.html", Encoding.GZIP);
        HttpResponse<byte[]> response = acceptEncoding.isEmpty()
                ? get(BOOKS, "/index.html")
                : get(BOOKS, "/index.html", "Accept-Encoding", acceptEncoding);
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Encoding").isEmpty(), acceptEncoding);
        assertEquals(Long.toString(index.size()), header(response, "Content-Length"));
        assertEquals("\"" + index.sha256() + "\"", header(response, "ETag"));
        assertEquals("Accept-Encoding", header(response, "Vary"));
        assertArrayEquals(books.bytes("/index.html"), response.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "GZIP", "x-gzip", "*", "*;q=0.5", "gzip;q=0.001", "deflate;q=1, gzip;q=0.5"})
    void sendsGzipForEveryWayOfAcceptingIt(String acceptEncoding) throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/index.html", "Accept-Encoding", acceptEncoding);
        assertEquals("gzip", header(response, "Content-Encoding"), acceptEncoding);
        assertArrayEquals(books.bytes("/index.html"), gunzip(response.body()));
    }

    @Test
    void sendsIdentityStoredFileAsIsEvenWhenGzipIsAccepted() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png", "Accept-Encoding", "gzip");
        assertTrue(response.headers().firstValue("Content-Encoding").isEmpty());
        assertArrayEquals(books.bytes("/logo.png"), response.body());
    }

    @Test
    void streamsBigGzipStoredFileEncodedAndDecoded() throws Exception {
        ManifestFile big = books.file("/big.txt", Encoding.GZIP);
        assertTrue(big.storedSize() > MAX_BLOB_BYTES, "big.txt must be too big to cache");
        HttpResponse<byte[]> decoded = get(BOOKS, "/big.txt");
        assertArrayEquals(books.bytes("/big.txt"), decoded.body());
        HttpResponse<byte[]> encoded = get(BOOKS, "/big.txt", "Accept-Encoding", "gzip");
        assertEquals(big.storedSize(), encoded.body().length);
        assertArrayEquals(books.bytes("/big.txt"), gunzip(encoded.body()));
        assertFalse(cache.contains(books.site().store(), big.blob(), big.storedSize()));
    }

    // --- conditional requests ------------------------------------------------------------------

    @Test
    void ifNoneMatchWithTheEtagIsNotModified() throws Exception {
        ManifestFile logo = books.file("/logo.png", Encoding.IDENTITY);
        String etag = "\"" + logo.sha256() + "\"";
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png", "If-None-Match", etag);
        assertEquals(304, response.statusCode());
        assertEquals(etag, header(response, "ETag"));
        assertEquals(logo.cacheControl(), header(response, "Cache-Control"));
        assertEquals(0, response.body().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*", "\"other\", W/\"%s\"", "\"a\",\"%s\" , \"b\"", "W/\"%s\""})
    void ifNoneMatchHonoursStarListsAndWeakTags(String pattern) throws Exception {
        ManifestFile logo = books.file("/logo.png", Encoding.IDENTITY);
        assertEquals(
                304,
                get(BOOKS, "/logo.png", "If-None-Match", String.format(pattern, logo.sha256()))
                        .statusCode());
    }

    @Test
    void ifNoneMatchWithOtherTagsIsServed() throws Exception {
        ManifestFile logo = books.file("/logo.png", Encoding.IDENTITY);
        assertEquals(
                200,
                get(BOOKS, "/logo.png", "If-None-Match", "\"" + logo.sha256() + "x\", \"abc\"")
                        .statusCode());
        assertEquals(
                200,
                get(BOOKS, "/logo.png", "If-None-Match", "\"" + logo.sha256() + "-gz\"")
                        .statusCode(),
                "an identity-stored file has no gzip representation");
    }

    @Test
    void ifNoneMatchAcceptsEitherTagOfGzipStoredFile() throws Exception {
        ManifestFile index = books.file("/index.html", Encoding.GZIP);
        String identityTag = "\"" + index.sha256() + "\"";
        String gzipTag = "\"" + index.sha256() + "-gz\"";
        HttpResponse<byte[]> gzipClient =
                get(BOOKS, "/index.html", "Accept-Encoding", "gzip", "If-None-Match", gzipTag);
        assertEquals(304, gzipClient.statusCode());
        assertEquals(gzipTag, header(gzipClient, "ETag"));
        assertEquals("Accept-Encoding", header(gzipClient, "Vary"));
        HttpResponse<byte[]> holdsIdentity =
                get(BOOKS, "/index.html", "Accept-Encoding", "gzip", "If-None-Match", identityTag);
        assertEquals(304, holdsIdentity.statusCode());
        assertEquals(identityTag, header(holdsIdentity, "ETag"), "the 304 names the representation the client holds");
        HttpResponse<byte[]> identityClient = get(BOOKS, "/index.html", "If-None-Match", gzipTag + ", " + identityTag);
        assertEquals(304, identityClient.statusCode());
        assertEquals(identityTag, header(identityClient, "ETag"));
    }

    @Test
    void ifModifiedSinceNotBeforeLastModifiedIsNotModified() throws Exception {
        String lastModified = DateUtils.toDateString(Date.from(TestSites.MODIFIED));
        assertEquals(
                304, get(BOOKS, "/logo.png", "If-Modified-Since", lastModified).statusCode());
        String later = DateUtils.toDateString(Date.from(TestSites.MODIFIED.plusSeconds(3600)));
        assertEquals(304, get(BOOKS, "/logo.png", "If-Modified-Since", later).statusCode());
        String earlier = DateUtils.toDateString(Date.from(TestSites.MODIFIED.minusSeconds(1)));
        assertEquals(200, get(BOOKS, "/logo.png", "If-Modified-Since", earlier).statusCode());
        assertEquals(
                200, get(BOOKS, "/logo.png", "If-Modified-Since", "yesterday").statusCode());
    }

    @Test
    void ifModifiedSinceIsIgnoredWhenIfNoneMatchIsGiven() throws Exception {
        String lastModified = DateUtils.toDateString(Date.from(TestSites.MODIFIED));
        assertEquals(
                200,
                get(BOOKS, "/logo.png", "If-None-Match", "\"stale\"", "If-Modified-Since", lastModified)
                        .statusCode());
    }

    // --- ranges --------------------------------------------------------------------------------

    @Test
    void rangeIsPartialContent() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png", "Range", "bytes=100-199");
        assertEquals(206, response.statusCode());
        assertEquals("bytes 100-199/5000", header(response, "Content-Range"));
        assertEquals("100", header(response, "Content-Length"));
        assertArrayEquals(slice(books.bytes("/logo.png"), 100, 200), response.body());
    }

    @Test
    void suffixRangeIsTheEnd() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png", "Range", "bytes=-300");
        assertEquals(206, response.statusCode());
        assertEquals("bytes 4700-4999/5000", header(response, "Content-Range"));
        assertArrayEquals(slice(books.bytes("/logo.png"), 4700, 5000), response.body());
    }

    @Test
    void openRangeRunsToTheEnd() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png", "Range", "bytes=4990-");
        assertEquals(206, response.statusCode());
        assertEquals("bytes 4990-4999/5000", header(response, "Content-Range"));
        assertArrayEquals(slice(books.bytes("/logo.png"), 4990, 5000), response.body());
    }

    @Test
    void rangeBeyondTheEndIsNotSatisfiable() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png", "Range", "bytes=5000-");
        assertEquals(416, response.statusCode());
        assertEquals("bytes */5000", header(response, "Content-Range"));
        assertEquals(416, get(BOOKS, "/empty.txt", "Range", "bytes=0-").statusCode());
    }

    @Test
    void severalRangesAreAnsweredWhole() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png", "Range", "bytes=0-1,3-4");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Range").isEmpty());
        assertArrayEquals(books.bytes("/logo.png"), response.body());
    }

    @Test
    void malformedRangeIsIgnored() throws Exception {
        assertEquals(200, get(BOOKS, "/logo.png", "Range", "bytes=9-3").statusCode());
        assertEquals(200, get(BOOKS, "/logo.png", "Range", "pages=1-2").statusCode());
    }

    @Test
    void ifRangeWithTheCurrentValidatorHonoursTheRange() throws Exception {
        ManifestFile logo = books.file("/logo.png", Encoding.IDENTITY);
        assertEquals(
                206,
                get(BOOKS, "/logo.png", "Range", "bytes=0-9", "If-Range", "\"" + logo.sha256() + "\"")
                        .statusCode());
        String lastModified = DateUtils.toDateString(Date.from(TestSites.MODIFIED));
        assertEquals(
                206,
                get(BOOKS, "/logo.png", "Range", "bytes=0-9", "If-Range", lastModified)
                        .statusCode());
    }

    @Test
    void ifRangeWithAnOldValidatorSendsTheWholeFile() throws Exception {
        ManifestFile logo = books.file("/logo.png", Encoding.IDENTITY);
        HttpResponse<byte[]> response = get(BOOKS, "/logo.png", "Range", "bytes=0-9", "If-Range", "\"older\"");
        assertEquals(200, response.statusCode());
        assertArrayEquals(books.bytes("/logo.png"), response.body());
        assertEquals(
                200,
                get(BOOKS, "/logo.png", "Range", "bytes=0-9", "If-Range", "W/\"" + logo.sha256() + "\"")
                        .statusCode(),
                "If-Range needs a strong match");
        String earlier = DateUtils.toDateString(Date.from(TestSites.MODIFIED.minusSeconds(60)));
        assertEquals(
                200,
                get(BOOKS, "/logo.png", "Range", "bytes=0-9", "If-Range", earlier)
                        .statusCode());
    }

    @Test
    void rangeOnGzipStoredFileIsServedFromIdentityBytes() throws Exception {
        ManifestFile index = books.file("/index.html", Encoding.GZIP);
        HttpResponse<byte[]> response =
                get(BOOKS, "/index.html", "Accept-Encoding", "gzip", "Range", "bytes=1000-1499");
        assertEquals(206, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Encoding").isEmpty());
        assertEquals("bytes 1000-1499/" + index.size(), header(response, "Content-Range"));
        assertEquals("\"" + index.sha256() + "\"", header(response, "ETag"));
        assertArrayEquals(slice(books.bytes("/index.html"), 1000, 1500), response.body());
    }

    @Test
    void rangesOnBigStreamedFiles() throws Exception {
        HttpResponse<byte[]> identity = get(BOOKS, "/big.bin", "Range", "bytes=100000-100999");
        assertEquals(206, identity.statusCode());
        assertArrayEquals(slice(books.bytes("/big.bin"), 100000, 101000), identity.body());
        HttpResponse<byte[]> decoded = get(BOOKS, "/big.txt", "Range", "bytes=-2000");
        assertEquals(206, decoded.statusCode());
        byte[] source = books.bytes("/big.txt");
        assertArrayEquals(slice(source, source.length - 2000, source.length), decoded.body());
    }

    // --- HEAD ----------------------------------------------------------------------------------

    @Test
    void headSendsTheHeadersOfGetWithoutBody() throws Exception {
        for (String[] headers : new String[][] {{}, {"Accept-Encoding", "gzip"}}) {
            for (String path : new String[] {"/logo.png", "/index.html", "/big.bin"}) {
                HttpResponse<byte[]> get = get(BOOKS, path, headers);
                HttpResponse<byte[]> head =
                        send(request(BOOKS, path, headers).method("HEAD", HttpRequest.BodyPublishers.noBody()));
                assertEquals(200, head.statusCode());
                assertEquals(0, head.body().length);
                for (String name :
                        new String[] {"Content-Length", "Content-Type", "ETag", "Last-Modified", "Cache-Control"}) {
                    assertEquals(header(get, name), header(head, name), name + " of " + path);
                }
                assertEquals(
                        get.headers().firstValue("Content-Encoding"),
                        head.headers().firstValue("Content-Encoding"));
            }
        }
    }

    // --- errors --------------------------------------------------------------------------------

    @Test
    void unknownPathIsNotFound() throws Exception {
        HttpResponse<byte[]> response = get(BOOKS, "/no-such-page.html");
        assertEquals(404, response.statusCode());
        assertEquals(404, get(BOOKS, "/dir/nothing/").statusCode());
        assertEquals(404, get(MAPS, "/logo.png").statusCode(), "each host sees only its own site");
    }

    @Test
    void unknownHostIsMisdirected() throws Exception {
        HttpResponse<byte[]> response = get("stranger.example", "/");
        assertEquals(421, response.statusCode());
        assertTrue(body(response).startsWith("421 Misdirected Request"), body(response));
        assertEquals(200, get(MAPS, "/").statusCode());
        assertEquals(
                new Served(MAPS, 200, maps.bytes("/index.html").length),
                hooks.next(),
                "an unknown host is accounted to no site");
    }

    @Test
    void otherMethodsAreNotAllowed() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS"}) {
            HttpResponse<byte[]> response =
                    send(request(BOOKS, "/index.html").method(method, HttpRequest.BodyPublishers.ofString("x")));
            assertEquals(405, response.statusCode(), method);
            assertEquals("GET, HEAD", header(response, "Allow"));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"/../x", "/dir/../index.html", "/%2e%2e/x", "/%2E%2E", "/./index.html", "/a\\..\\b", "/a%00b"})
    void hostilePathsAreBadRequests(String target) throws Exception {
        String response = raw("GET " + target + " HTTP/1.1\r\nHost: books.example\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400 "), response);
        assertFalse(response.contains("Exception"), response);
    }

    @Test
    void encodedBackslashNeverReachesAFile() throws Exception {
        // Undertow leaves %5C encoded (as %2F), so the path names no file rather than a parent.
        String response =
                raw("GET /dir%5c..%5cindex.html HTTP/1.1\r\nHost: books.example\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400 ") || response.startsWith("HTTP/1.1 404 "), response);
    }

    @Test
    void missingHostIsBadRequestOrMisdirected() throws Exception {
        String response = raw("GET / HTTP/1.0\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.0 400 ") || response.startsWith("HTTP/1.0 421 "), response);
    }

    @Test
    void refusedSiteIsTooManyRequestsWhileOtherSitesAreServed() throws Exception {
        hooks.refuse(BOOKS);
        HttpResponse<byte[]> refused = get(BOOKS, "/index.html");
        assertEquals(429, refused.statusCode());
        assertEquals("1", header(refused, "Retry-After"));
        assertEquals(429, hooks.next().status());
        assertEquals(200, get(MAPS, "/index.html").statusCode());
        assertEquals(200, hooks.next().status());
    }

    @Test
    void lookupFailureIsAShortInternalServerError() throws Exception {
        startServer(SiteHandler.builder(host -> {
                    throw new IllegalStateException("the site table is broken");
                })
                .build());
        HttpResponse<byte[]> response = get(BOOKS, "/");
        assertEquals(500, response.statusCode());
        assertEquals("500 Internal Server Error\n", body(response));
    }

    // --- accounting ----------------------------------------------------------------------------

    @Test
    void servedReportsEveryRequestWithItsBodyBytes() throws Exception {
        ManifestFile index = books.file("/index.html", Encoding.GZIP);
        get(BOOKS, "/logo.png");
        assertEquals(new Served(BOOKS, 200, 5000), hooks.next());
        send(request(BOOKS, "/logo.png").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(new Served(BOOKS, 200, 0), hooks.next());
        get(BOOKS, "/index.html", "Accept-Encoding", "gzip");
        assertEquals(new Served(BOOKS, 200, index.storedSize()), hooks.next());
        get(BOOKS, "/index.html");
        assertEquals(new Served(BOOKS, 200, index.size()), hooks.next());
        get(BOOKS, "/logo.png", "If-None-Match", "*");
        assertEquals(new Served(BOOKS, 304, 0), hooks.next());
        get(BOOKS, "/logo.png", "Range", "bytes=0-99");
        assertEquals(new Served(BOOKS, 206, 100), hooks.next());
        get(BOOKS, "/big.bin");
        assertEquals(new Served(BOOKS, 200, 300 << 10), hooks.next());
        get(BOOKS, "/big.txt");
        assertEquals(new Served(BOOKS, 200, 400 << 10), hooks.next());
        HttpResponse<byte[]> notFound = get(BOOKS, "/missing");
        assertEquals(new Served(BOOKS, 404, notFound.body().length), hooks.next());
        assertTrue(hooks.served.isEmpty(), "one report per request: " + hooks.served);
    }

    @Test
    void aGzipBlobCompressedByAnotherBuildIsServedWithItsOwnLength() throws Exception {
        ManifestFile index = books.file("/index.html", Encoding.GZIP);
        java.io.ByteArrayOutputStream other = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(other) {
            {
                def.setLevel(java.util.zip.Deflater.BEST_SPEED);
            }
        }) {
            gzip.write(books.bytes("/index.html"));
        }
        byte[] recompressed = other.toByteArray();
        assertTrue(recompressed.length != index.storedSize(), "another build's bytes for the same content");
        Files.write(books.blobFile("/index.html"), recompressed);

        HttpResponse<byte[]> encoded = get(BOOKS, "/index.html", "Accept-Encoding", "gzip");
        assertEquals(200, encoded.statusCode());
        assertEquals(
                String.valueOf(recompressed.length),
                encoded.headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(books.bytes("/index.html"), gunzip(encoded.body()));
        assertArrayEquals(books.bytes("/index.html"), get(BOOKS, "/index.html").body(), "decoded for identity clients");
    }

    // --- the blob cache ------------------------------------------------------------------------

    @Test
    void smallBlobIsReadFromTheStoreOnce() throws Exception {
        ManifestFile file = books.file("/cache-me.bin", Encoding.IDENTITY);
        assertArrayEquals(
                books.bytes("/cache-me.bin"), get(BOOKS, "/cache-me.bin").body());
        assertTrue(cache.contains(books.site().store(), file.blob(), file.storedSize()));
        Files.delete(books.blobFile("/cache-me.bin"));
        HttpResponse<byte[]> again = get(BOOKS, "/cache-me.bin");
        assertEquals(200, again.statusCode(), "the second answer came from memory");
        assertArrayEquals(books.bytes("/cache-me.bin"), again.body());
        HttpResponse<byte[]> range = get(BOOKS, "/cache-me.bin", "Range", "bytes=10-19");
        assertArrayEquals(slice(books.bytes("/cache-me.bin"), 10, 20), range.body());
    }

    @Test
    void largeBlobIsStreamedNotCached() throws Exception {
        ManifestFile file = books.file("/stream-me.bin", Encoding.IDENTITY);
        assertTrue(file.storedSize() > MAX_BLOB_BYTES);
        assertArrayEquals(
                books.bytes("/stream-me.bin"), get(BOOKS, "/stream-me.bin").body());
        assertFalse(cache.contains(books.site().store(), file.blob(), file.storedSize()));
        Files.delete(books.blobFile("/stream-me.bin"));
        HttpResponse<byte[]> again = get(BOOKS, "/stream-me.bin");
        assertEquals(500, again.statusCode(), "the blob is read from its file on every request");
        assertEquals("500 Internal Server Error\n", body(again), "no stack trace reaches the client");
    }

    // --- helpers -------------------------------------------------------------------------------

    private HttpRequest.Builder request(String host, String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(TIMEOUT)
                .header("Host", host);
        if (headers.length > 0) {
            request.headers(headers);
        }
        return request;
    }

    private HttpResponse<byte[]> get(String host, String path, String... headers) throws Exception {
        return send(request(host, path, headers).GET());
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers()
                .firstValue(name)
                .orElseThrow(() -> new AssertionError(
                        "no " + name + " header in " + response.headers().map()));
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** Sends a request as written, for request lines the JDK client would normalise or refuse. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static byte[] gunzip(byte[] gzip) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            return in.readAllBytes();
        }
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }

    /** One {@link ServingHooks#served} call. */
    record Served(String site, int status, long bodyBytes) {}

    /** Records reports and refuses the sites it is told to. */
    private static final class RecordingHooks implements ServingHooks {
        private final BlockingQueue<Served> served = new LinkedBlockingQueue<>();
        private final Set<String> refused = ConcurrentHashMap.newKeySet();

        void refuse(String site) {
            refused.add(site);
        }

        @Override
        public boolean admit(String site) {
            return !refused.contains(site);
        }

        @Override
        public void served(String site, int status, long bodyBytes) {
            served.add(new Served(site, status, bodyBytes));
        }

        /** The next report, waiting for it with a deadline: it is made when the exchange completes. */
        Served next() throws InterruptedException {
            Served next = served.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(next, "no served() report within " + TIMEOUT);
            return next;
        }
    }
}
