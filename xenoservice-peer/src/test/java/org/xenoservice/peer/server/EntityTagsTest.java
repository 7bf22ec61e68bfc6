package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntityTagsTest {
    private static final String TAG = "\"abc\"";

    @ParameterizedTest
    @ValueSource(
            strings = {"\"abc\"", "W/\"abc\"", "*", "\"x\", \"abc\"", "\"x\",W/\"abc\"", " \"abc\" ", "\"x\" ,\t\"abc\""
            })
    void weakMatches(String header) {
        assertTrue(EntityTags.weakMatch(header, TAG), header);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abcd\"", "\"ab\"", "abc", "\"x\"", "", "W/", "\"abc", "W/abc", "\"a,bc\""})
    void weakMismatches(String header) {
        assertFalse(EntityTags.weakMatch(header, TAG), header);
    }

    @Test
    void strongMatchRefusesWeakTags() {
        assertTrue(EntityTags.strongMatch(" \"abc\" ", TAG));
        assertFalse(EntityTags.strongMatch("W/\"abc\"", TAG));
        assertFalse(EntityTags.strongMatch("\"abc\", \"d\"", TAG));
    }

    @Test
    void tellsTagsFromDates() {
        assertTrue(EntityTags.isEntityTag("\"abc\""));
        assertTrue(EntityTags.isEntityTag("W/\"abc\""));
        assertFalse(EntityTags.isEntityTag("Fri, 02 Jan 2026 03:04:05 GMT"));
    }
}
