package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The HSTS value a manifest may carry: RFC 6797's grammar, narrowed to what browsers understand. */
class HttpsSettingsTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                "max-age=31536000",
                "max-age=0",
                "max-age=31536000; includeSubDomains",
                "max-age=63072000; includeSubDomains; preload",
                "includeSubDomains; max-age=300",
                "MAX-AGE=300;INCLUDESUBDOMAINS",
                "max-age=300 ;preload",
                "max-age=9999999999"
            })
    void acceptsValidHstsValues(String value) {
        assertEquals(Optional.empty(), HttpsSettings.hstsProblem(value));
        assertEquals(Optional.of(value), HttpsSettings.NONE.withHsts(value).hsts());
    }

    static Stream<String> badHstsValues() {
        return Stream.of(
                "",
                "includeSubDomains",
                "max-age",
                "max-age=",
                "max-age=-1",
                "max-age=1.5",
                "max-age=\"300\"",
                "max-age = 300",
                "max-age=99999999999",
                "max-age=300; max-age=600",
                "max-age=300; preload; PRELOAD",
                "max-age=300;",
                "max-age=300;; preload",
                "max-age=300; report-uri=https://evil.example/",
                "max-age=300\r\nSet-Cookie: session=stolen",
                "max-age=300\nX-Evil: 1",
                "max-age=300\u0000",
                "max-age=300\tpreload",
                "max-age=300; includeSubDomains\u00a0",
                "max-age=３００",
                "max-age=300; " + "preload".repeat(40));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badHstsValues")
    void rejectsInvalidOrHostileHstsValues(String value) {
        assertTrue(HttpsSettings.hstsProblem(value).isPresent(), value);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> HttpsSettings.NONE.withHsts(value));
        assertTrue(e.getMessage().startsWith("hsts must"), e.getMessage());
        assertFalse(e.getMessage().contains("\r") || e.getMessage().contains("\n"), "the message escapes the value");
    }

    @Test
    void rejectsAValueOneCharacterOverTheLimit() {
        String longest = "max-age=1;" + " ".repeat(HttpsSettings.MAX_HSTS_LENGTH - 17) + "preload";
        assertEquals(HttpsSettings.MAX_HSTS_LENGTH, longest.length());
        assertEquals(Optional.empty(), HttpsSettings.hstsProblem(longest));
        assertTrue(HttpsSettings.hstsProblem(longest + " ").isPresent());
    }

    @Test
    void noneAsksForNothing() {
        assertTrue(HttpsSettings.NONE.isNone());
        assertFalse(HttpsSettings.redirectOnly().isNone());
        assertFalse(HttpsSettings.NONE.withHsts("max-age=1").isNone());
        assertEquals(HttpsSettings.redirectOnly(), HttpsSettings.NONE.withRedirect(true));
    }
}
