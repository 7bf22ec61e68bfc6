package org.xenoservice.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapturedRequestTest {
    static final Instant AT = Instant.parse("2026-11-25T12:00:00.123456789Z");

    static CapturedRequest request(String key, byte[] body) {
        return new CapturedRequest(
                key,
                "shop.example",
                "POST",
                "/order?x=1",
                List.of(new CapturedRequest.Header("Content-Type", "application/x-www-form-urlencoded")),
                body,
                AT);
    }

    @Test
    void copiesBodyInAndOut() {
        byte[] body = {1, 2, 3};
        CapturedRequest request = request("k-1", body);
        body[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, request.body());
        request.body()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, request.body());
    }

    @Test
    void copiesHeaders() {
        List<CapturedRequest.Header> headers = new ArrayList<>();
        headers.add(new CapturedRequest.Header("A", "1"));
        CapturedRequest request = new CapturedRequest("k", "s", "POST", "/", headers, new byte[0], AT);
        headers.add(new CapturedRequest.Header("B", "2"));
        assertEquals(1, request.headers().size());
        assertThrows(
                UnsupportedOperationException.class, () -> request.headers().clear());
    }

    @Test
    void equalsComparesBodyContent() {
        assertEquals(request("k", new byte[] {1}), request("k", new byte[] {1}));
        assertEquals(
                request("k", new byte[] {1}).hashCode(),
                request("k", new byte[] {1}).hashCode());
        assertFalse(request("k", new byte[] {1}).equals(request("k", new byte[] {2})));
    }

    @Test
    void toStringHidesHeaderValuesAndBody() {
        String text = new CapturedRequest(
                        "k",
                        "s",
                        "POST",
                        "/",
                        List.of(new CapturedRequest.Header("Cookie", "secret=1")),
                        "card=4111".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        AT)
                .toString();
        assertTrue(text.contains("Cookie"), text);
        assertFalse(text.contains("secret"), text);
        assertFalse(text.contains("4111"), text);
    }

    @Test
    void refusesOversizeBodyNamingTheLimit() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> request("k", new byte[CapturedRequest.MAX_BODY_BYTES + 1]));
        assertEquals(
                "body must be at most 1048576 bytes to be captured, but has 1048577;"
                        + " answer 413 or use the proxy policy for larger requests",
                e.getMessage());
    }

    @Test
    void acceptsBodyAtTheLimit() {
        assertEquals(
                CapturedRequest.MAX_BODY_BYTES,
                request("k", new byte[CapturedRequest.MAX_BODY_BYTES]).bodyLength());
    }

    @Test
    void refusesBadIdempotencyKeys() {
        for (String key : List.of("", "has space", "tab\t", "é", "x".repeat(129))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> request(key, new byte[0]));
            assertTrue(e.getMessage().startsWith("idempotencyKey must be 1 to 128 printable ASCII"), e.getMessage());
        }
    }

    @Test
    void refusesBadMethodAndPath() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new CapturedRequest("k", "s", "PO ST", "/", List.of(), new byte[0], AT));
        IllegalArgumentException path = assertThrows(
                IllegalArgumentException.class,
                () -> new CapturedRequest("k", "s", "POST", "order", List.of(), new byte[0], AT));
        assertEquals("path must start with /, but was \"order\"", path.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new CapturedRequest("k", "s", "POST", "/a\nb", List.of(), new byte[0], AT));
        assertThrows(
                IllegalArgumentException.class,
                () -> new CapturedRequest(
                        "k",
                        "s",
                        "POST",
                        "/" + "a".repeat(CapturedRequest.MAX_PATH_CHARS),
                        List.of(),
                        new byte[0],
                        AT));
    }

    @Test
    void refusesBadHeaders() {
        assertThrows(IllegalArgumentException.class, () -> new CapturedRequest.Header("Bad Name", "v"));
        IllegalArgumentException crlf = assertThrows(
                IllegalArgumentException.class, () -> new CapturedRequest.Header("X-A", "v\r\nInjected: 1"));
        assertEquals("value of header X-A must not contain CR, LF or NUL, but has one at index 1", crlf.getMessage());
        List<CapturedRequest.Header> many = Collections.nCopies(101, new CapturedRequest.Header("A", "1"));
        assertThrows(
                IllegalArgumentException.class,
                () -> new CapturedRequest("k", "s", "POST", "/", many, new byte[0], AT));
        List<CapturedRequest.Header> long1 =
                List.of(new CapturedRequest.Header("A", "v".repeat(CapturedRequest.MAX_HEADER_CHARS)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new CapturedRequest("k", "s", "POST", "/", long1, new byte[0], AT));
    }

    @Test
    void refusesNulls() {
        assertThrows(
                NullPointerException.class,
                () -> new CapturedRequest(null, "s", "POST", "/", List.of(), new byte[0], AT));
        assertThrows(NullPointerException.class, () -> new CapturedRequest("k", "s", "POST", "/", List.of(), null, AT));
        assertThrows(
                NullPointerException.class,
                () -> new CapturedRequest("k", "s", "POST", "/", List.of(), new byte[0], null));
    }
}
