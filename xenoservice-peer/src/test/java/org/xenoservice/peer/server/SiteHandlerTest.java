package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The request-line and header rules of the serving port, without a server. */
class SiteHandlerTest {
    @ParameterizedTest
    @CsvSource({
        "books.example, books.example",
        "Books.EXAMPLE, books.example",
        "books.example:8080, books.example",
        "books.example:, books.example",
        "books.example:65535, books.example",
        "books.example., books.example",
        "' books.example ', books.example",
        "[::1]:8080, [::1]",
        "[::1], [::1]"
    })
    void hostNames(String header, String expected) {
        assertEquals(Optional.of(expected), RequestTargets.hostName(header));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ":80",
                "books.example:http",
                "books.example:80:80",
                "books.example:123456",
                "books.example:8a",
                "[::1",
                "[::1]x",
                "[::1]8080",
                "."
            })
    void malformedHostNames(String header) {
        assertEquals(Optional.empty(), RequestTargets.hostName(header));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/index.html", "/dir/", "/a..b", "/.well-known/x", "/dir/..x/", "/é"})
    void acceptablePaths(String path) {
        assertTrue(RequestTargets.acceptablePath(path), path);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "x",
                "/..",
                "/../x",
                "/a/..",
                "/a/../b",
                "/.",
                "/./a",
                "/a/./",
                "/a\\b",
                "/a\u0000b",
                "/a\nb",
                "/a\u007fb"
            })
    void rejectedPaths(String path) {
        assertFalse(RequestTargets.acceptablePath(path), path);
    }

    @Test
    void encodesLocationPaths() {
        assertEquals("/dir/", RequestTargets.encodePath("/dir/"));
        assertEquals("/old%20books/caf%C3%A9/%25/", RequestTargets.encodePath("/old books/café/%/"));
        assertEquals("/a%0D%0Ab/", RequestTargets.encodePath("/a\r\nb/"));
    }

    @Test
    void blobCacheValidatesItsBounds() {
        assertThrows(IllegalArgumentException.class, () -> BlobCache.builder().maxBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> BlobCache.builder().maxBlobBytes(-1));
        IllegalArgumentException tooBig = assertThrows(
                IllegalArgumentException.class,
                () -> BlobCache.builder().maxBytes(1000).maxBlobBytes(2000).build());
        assertTrue(
                tooBig.getMessage().contains("maxBlobBytes (2000) must not exceed maxBytes (1000)"),
                tooBig.getMessage());
        BlobCache defaults = BlobCache.withDefaults();
        assertEquals(BlobCache.DEFAULT_MAX_BYTES, defaults.maxBytes());
        assertEquals(BlobCache.DEFAULT_MAX_BLOB_BYTES, defaults.maxBlobBytes());
        assertTrue(defaults.admits(BlobCache.DEFAULT_MAX_BLOB_BYTES));
        assertFalse(defaults.admits(BlobCache.DEFAULT_MAX_BLOB_BYTES + 1));
        assertEquals(0, defaults.cachedBytes());
    }
}
