package org.xenoservice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CaptureRulesTest {
    @ParameterizedTest
    @CsvSource({
        "/order, /order",
        "/%6frder, /order",
        "/%6F%72der?book=%6f, /order?book=%6f",
        "/order/%7e%2D%2e%5F, /order/~-._",
        "/order/%c3%a9, /order/%C3%A9",
        "/order/%25, /order/%25",
        "/order?a=1;b=2&c=%zz, /order?a=1;b=2&c=%zz",
        "/order//x, /order//x"
    })
    void decodesUnreservedEscapesAndUpperCasesTheOthers(String target, String normal) {
        assertEquals(normal, CaptureRules.normalizeTarget(target));
        assertEquals(normal, CaptureRules.normalizeTarget(normal), "normalizing is idempotent");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/order;x=1",
                "/order/%3B",
                "/order/%2f",
                "/order/%5c",
                "/order/%00",
                "/order/%7F",
                "/order/%2e%2e/admin",
                "/order/..",
                "/order/.",
                "/order\\x",
                "/order#x",
                "/order/%zz",
                "/order/%4",
                "/order/%c3%28",
                "/order x",
                "/order/\u00e9",
                "/order\t",
                "order",
                ""
            })
    void refusesWhatAnIntakeCouldNotTake(String target) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> CaptureRules.normalizeTarget(target));
        assertTrue(!e.getMessage().isBlank());
    }

    @Test
    void decodedPathIsWhatRoutesAreDecidedOn() {
        assertEquals("/order/\u00e9 x", CaptureRules.decodedPath("/order/%C3%A9%20x?q=1"));
    }

    @Test
    void headerValuesAreTrimmedAndControlCharactersRefused() {
        assertEquals(
                "text/plain; charset=utf-8", CaptureRules.headerValue("Content-Type", " text/plain; charset=utf-8\t"));
        assertThrows(
                IllegalArgumentException.class, () -> CaptureRules.headerValue("Content-Type", "text/plain\u0001"));
        assertThrows(IllegalArgumentException.class, () -> CaptureRules.headerValue("Content-Type", "text/\u00e9"));
    }

    @Test
    void normalizeKeepsAValidRequestAndRewritesOnlyTargetAndHeaders() {
        CapturedRequest valid = request("/order", "text/plain");
        assertSame(valid, CaptureRules.normalize(valid));
        CapturedRequest encoded = request("/%6frder", " text/plain ");
        CapturedRequest normal = CaptureRules.normalize(encoded);
        assertNotSame(encoded, normal);
        assertEquals(valid, normal);
        assertThrows(IllegalArgumentException.class, () -> CaptureRules.normalize(request("/order;x=1", "a")));
        assertThrows(IllegalArgumentException.class, () -> CaptureRules.normalize(request("/order", "a\u0001")));
    }

    @Test
    void fingerprintTellsRequestsApartButNotTheirCaptureTimes() {
        CapturedRequest one = request("/order", "text/plain");
        CapturedRequest later = new CapturedRequest(
                one.idempotencyKey(), one.site(), one.method(), one.path(), one.headers(), one.body(), Instant.MAX);
        assertEquals(List.of(one.fingerprint().length), List.of(32));
        assertTrue(java.util.Arrays.equals(one.fingerprint(), later.fingerprint()));
        assertTrue(!java.util.Arrays.equals(
                one.fingerprint(), request("/order/2", "text/plain").fingerprint()));
        assertTrue(!java.util.Arrays.equals(
                one.fingerprint(), request("/order", "text/html").fingerprint()));
    }

    private static CapturedRequest request(String path, String type) {
        return new CapturedRequest(
                "key-1",
                "shop.example",
                "POST",
                path,
                List.of(new CapturedRequest.Header("Content-Type", type)),
                new byte[] {1, 2},
                Instant.EPOCH);
    }
}
