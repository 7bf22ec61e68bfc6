package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.StaticSite.headers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.bundle.RepresentationHeaders;

/**
 * What the origin answers from memory, request by request: the peer's semantics (ETag, 304, gzip,
 * HEAD, folders), and nothing at all for whatever it should leave to the application, hostile
 * input included.
 */
class StaticPagesTest {
    private static final Function<String, Optional<String>> NONE = headers();
    private static final Function<String, Optional<String>> GZIP = headers("Accept-Encoding", "gzip, deflate, br");

    @TempDir
    Path dir;

    private StaticSite site;
    private StaticPages pages;

    @BeforeEach
    void holdTheSite() throws IOException {
        site = new StaticSite(dir);
        pages = StaticSite.holding(
                site.bundle(1), 1, XenoConfig.DEFAULT_STATIC_MEMORY_BYTES, XenoConfig.DEFAULT_STATIC_MEMORY_FILE_BYTES);
    }

    @Test
    void answersAFileWithTheManifestsHeaders() {
        XenoResponse page = get("/style.css", NONE);

        assertEquals(200, page.status());
        assertEquals("text/css; charset=utf-8", page.contentType());
        assertArrayEquals(site.bytes("style.css"), page.body());
        assertEquals('"' + sha256(site.bytes("style.css")) + '"', page.headers().get("ETag"));
        assertEquals(StaticSite.MODIFIED_HTTP, page.headers().get("Last-Modified"));
        assertEquals("public, max-age=300", page.headers().get("Cache-Control"));
        assertEquals("Accept-Encoding", page.headers().get("Vary"), "a gzip-stored file varies by Accept-Encoding");
        assertNull(page.headers().get("Content-Encoding"), "no Accept-Encoding: identity");
        assertEquals(page.body().length, page.contentLength());
    }

    @Test
    void theServedBytesAreTheFilesInEveryRepresentation() {
        for (String path : List.of("index.html", "books/index.html", "style.css", "logo.png", "big.bin")) {
            for (Function<String, Optional<String>> header : List.of(NONE, GZIP)) {
                XenoResponse page = get("/" + path, header);
                assertArrayEquals(site.bytes(path), StaticSite.decoded(page), path);
                assertEquals(page.body().length, page.contentLength(), path);
            }
        }
    }

    @Test
    void sendsTheStoredGzipWithItsOwnTagToClientsThatAcceptIt() {
        XenoResponse page = get("/index.html", GZIP);

        assertEquals("gzip", page.headers().get("Content-Encoding"));
        assertEquals(
                '"' + sha256(site.bytes("index.html")) + "-gz\"", page.headers().get("ETag"));
        assertEquals("Accept-Encoding", page.headers().get("Vary"));
        assertTrue(page.body().length < site.bytes("index.html").length, "compressed");
    }

    @Test
    void aFileStoredAsItIsNeitherVariesNorIsCompressed() {
        XenoResponse logo = get("/logo.png", GZIP);

        assertNull(logo.headers().get("Content-Encoding"));
        assertNull(logo.headers().get("Vary"));
        assertEquals("image/png", logo.contentType());
        assertEquals('"' + sha256(site.bytes("logo.png")) + '"', logo.headers().get("ETag"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "gzip",
                "GZIP",
                "x-gzip",
                "*",
                "br;q=1, gzip;q=0.5",
                "gzip;q=0.001",
                "gzip ; q=1.000",
                "gzip;;;q=1",
                "identity;q=0, gzip",
                " \tgzip\t, identity",
                "gzip;q",
                "gzip;q=0.5;q=0"
            })
    void gzipGoesToClientsThatAcceptIt(String acceptEncoding) {
        assertEquals(
                "gzip",
                get("/index.html", headers("Accept-Encoding", acceptEncoding))
                        .headers()
                        .get("Content-Encoding"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "identity",
                "identity;q=0",
                "gzip;q=0",
                "gzip;q=0.000",
                "*;q=0",
                "gzip;q=0, *",
                "br, deflate",
                "gzip;q=abc",
                "gzip;q=1.5",
                "gzip;q=0.0001",
                "gzip;q=",
                "gzip;q=-1",
                "gzipx",
                ";q=1",
                "gzip;q=0, x-gzip;q=0"
            })
    void identityGoesToClientsThatDoNotAcceptGzipOrSayItBadly(String acceptEncoding) {
        XenoResponse page = get("/index.html", headers("Accept-Encoding", acceptEncoding));
        assertNull(page.headers().get("Content-Encoding"), acceptEncoding);
        assertArrayEquals(site.bytes("index.html"), page.body());
    }

    @Test
    void aHugeAcceptEncodingIsNotReadAndGetsIdentity() {
        String huge = "br;q=0.5, ".repeat(1_000) + "gzip";
        assertNull(
                get("/index.html", headers("Accept-Encoding", huge)).headers().get("Content-Encoding"));
        String hostile = "gzip" + ";a".repeat(RepresentationHeaders.MAX_HEADER_CHARS / 2 - 3);
        assertEquals(
                "gzip",
                get("/index.html", headers("Accept-Encoding", hostile))
                        .headers()
                        .get("Content-Encoding"),
                "parameters up to the limit are read in one pass");
    }

    @Test
    void ifNoneMatchWithTheTagIsNotModified() {
        String tag = get("/style.css", NONE).headers().get("ETag");
        for (String ifNoneMatch : List.of(tag, "W/" + tag, "\"other\", " + tag, "*", " " + tag + " ")) {
            XenoResponse answer = get("/style.css", headers("If-None-Match", ifNoneMatch));
            assertEquals(304, answer.status(), ifNoneMatch);
            assertEquals(0, answer.body().length);
            assertEquals(tag, answer.headers().get("ETag"));
            assertEquals(StaticSite.MODIFIED_HTTP, answer.headers().get("Last-Modified"));
            assertEquals("public, max-age=300", answer.headers().get("Cache-Control"));
        }
    }

    @Test
    void eitherRepresentationsTagIsCurrentAndThe304NamesTheOneTheClientHolds() {
        String identityTag = get("/index.html", NONE).headers().get("ETag");
        String gzipTag = get("/index.html", GZIP).headers().get("ETag");

        XenoResponse holdsIdentity =
                get("/index.html", headers("Accept-Encoding", "gzip", "If-None-Match", identityTag));
        assertEquals(304, holdsIdentity.status());
        assertEquals(identityTag, holdsIdentity.headers().get("ETag"));
        assertEquals(site.bytes("index.html").length, holdsIdentity.contentLength());
        XenoResponse holdsGzip = get("/index.html", headers("If-None-Match", gzipTag));
        assertEquals(304, holdsGzip.status());
        assertEquals(gzipTag, holdsGzip.headers().get("ETag"));
        assertEquals("Accept-Encoding", holdsGzip.headers().get("Vary"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "\"unterminated",
                "W/",
                "W/x",
                "\"\"",
                "garbage",
                ",,,,",
                "\"abc\" \"def\"",
                "\u0000\u0001\r\n",
                "W/\"0000000000000000000000000000000000000000000000000000000000000000\""
            })
    void aMalformedOrForeignIfNoneMatchGetsTheWholeFile(String ifNoneMatch) {
        XenoResponse answer = get("/style.css", headers("If-None-Match", ifNoneMatch));
        assertEquals(200, answer.status(), ifNoneMatch);
        assertArrayEquals(site.bytes("style.css"), answer.body());
    }

    @Test
    void aHugeIfNoneMatchIsNotReadAndGetsTheWholeFile() {
        String tag = get("/style.css", NONE).headers().get("ETag");
        String huge = "\"x\", ".repeat(10_000) + tag;
        XenoResponse answer = get("/style.css", headers("If-None-Match", huge));
        assertEquals(200, answer.status());
        assertEquals(site.bytes("style.css").length, answer.body().length);
        String noTagAtAll = "\"".repeat(RepresentationHeaders.MAX_HEADER_CHARS);
        assertEquals(
                200, get("/style.css", headers("If-None-Match", noTagAtAll)).status());
    }

    @Test
    void ifModifiedSinceTheExactDateIsNotModifiedAndAnyOtherGetsTheFile() {
        assertEquals(
                304,
                get("/logo.png", headers("If-Modified-Since", StaticSite.MODIFIED_HTTP))
                        .status());
        assertEquals(
                200,
                get("/logo.png", headers("If-Modified-Since", "Sat, 31 Oct 2026 09:30:00 GMT"))
                        .status());
        assertEquals(
                200, get("/logo.png", headers("If-Modified-Since", "yesterday")).status());
        assertEquals(
                200,
                get("/logo.png", headers("If-Modified-Since", StaticSite.MODIFIED_HTTP, "If-None-Match", "\"other\""))
                        .status(),
                "If-None-Match decides when present");
    }

    @Test
    void headHasNoBodyButTheLengthOfTheGet() {
        for (Function<String, Optional<String>> header : List.of(NONE, GZIP)) {
            XenoResponse get = get("/index.html", header);
            XenoResponse head = pages.answer("HEAD", "/index.html", header).orElseThrow();
            assertEquals(200, head.status());
            assertEquals(0, head.body().length);
            assertEquals(get.body().length, head.contentLength());
            assertEquals(Long.toString(get.body().length), head.headers().get("Content-Length"));
            assertEquals(get.headers().get("ETag"), head.headers().get("ETag"));
            assertEquals(get.headers().get("Content-Encoding"), head.headers().get("Content-Encoding"));
            assertEquals(get.contentType(), head.contentType());
        }
    }

    @Test
    void foldersAreAnsweredWithTheirIndexLikeOnThePeers() {
        assertArrayEquals(site.bytes("index.html"), get("/", NONE).body());
        assertArrayEquals(site.bytes("books/index.html"), get("/books/", NONE).body());
        assertEquals(Optional.empty(), pages.answer("GET", "/books", NONE), "the redirect is the application's");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/../secret/key.txt",
                "/books/../index.html",
                "/./index.html",
                "/%2e%2e/secret/key.txt",
                "/%2E%2E/index.html",
                "/books/%2e%2e/style.css",
                "//index.html",
                "/books//index.html",
                "//",
                "\\index.html",
                "/index.html\u0000",
                "/index.html/",
                "/style.css/.",
                "index.html",
                "",
                "/INDEX.HTML",
                "/style%2ecss",
                "/secret/key.txt",
                "/missing.html",
                "/books/index.html/../../secret/key.txt"
            })
    void pathsThatNameNoHeldFileAreLeftToTheApplication(String path) {
        assertEquals(Optional.empty(), pages.answer("GET", path, NONE), path);
        assertEquals(Optional.empty(), pages.answer("HEAD", path, NONE), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/index.html?x=1", "/?a=b", "/style.css?", "/books/?page=2#top", "/style.css#x"})
    void aPathWithAQueryIsLeftToTheApplication(String path) {
        assertEquals(Optional.empty(), pages.answer("GET", path, NONE), path);
    }

    @Test
    void aVeryLongPathIsNotLookedUp() {
        String path = "/" + "a".repeat(StaticPages.MAX_PATH_CHARS);
        assertEquals(Optional.empty(), pages.answer("GET", path, NONE));
        assertEquals(Optional.empty(), pages.answer("GET", "/" + "x".repeat(10_000_000), NONE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "get", "Head", "", "GET "})
    void methodsOtherThanGetAndHeadAreLeftToTheApplication(String method) {
        assertEquals(Optional.empty(), pages.answer(method, "/index.html", NONE), method);
        assertEquals(0, pages.status().served());
    }

    @Test
    void countsWhatItAnswersAndNothingElse() {
        get("/index.html", NONE);
        get("/style.css", headers("If-None-Match", "*"));
        pages.answer("HEAD", "/", GZIP);
        pages.answer("GET", "/missing.html", NONE);
        pages.answer("POST", "/index.html", NONE);

        XenoStatus.FromMemory status = pages.status();
        assertEquals(3, status.served());
        assertEquals(1, status.bundleVersion().orElseThrow());
        assertEquals(5, status.filesHeld());
        assertEquals(0, status.filesLeftOut());
    }

    @Test
    void answersAreMadeOnceAndSharedByEveryRequest() {
        assertSame(get("/index.html", GZIP), get("/index.html", headers("Accept-Encoding", "gzip")));
        assertSame(get("/", NONE), get("/index.html", NONE), "a folder shares its index's answers");
        assertNotSame(get("/index.html", GZIP), get("/index.html", NONE));
    }

    private XenoResponse get(String path, Function<String, Optional<String>> header) {
        return pages.answer("GET", path, header).orElseThrow(() -> new AssertionError("no answer for " + path));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
