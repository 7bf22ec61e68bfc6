package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Fuzzes {@link HttpsSettings#hstsProblem}, which checks the HSTS value of a manifest from the
 * network before a peer puts it into a header: whatever it accepts is a short line of printable
 * ASCII with a {@code max-age}, so it can never end a header or start another. In a normal build
 * this runs the empty input; run with {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class HttpsSettingsFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void acceptsOnlyShortPrintableValuesWithAMaxAge(byte[] input) {
        for (String value :
                new String[] {new String(input, StandardCharsets.ISO_8859_1), new String(input, StandardCharsets.UTF_8)
                }) {
            if (HttpsSettings.hstsProblem(value).isPresent()) {
                continue;
            }
            assertTrue(value.length() <= HttpsSettings.MAX_HSTS_LENGTH, value);
            assertTrue(value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), value);
            assertTrue(value.toLowerCase(Locale.ROOT).contains("max-age="), value);
            assertEquals(Optional.of(value), new HttpsSettings(true, Optional.of(value)).hsts());
        }
    }
}
