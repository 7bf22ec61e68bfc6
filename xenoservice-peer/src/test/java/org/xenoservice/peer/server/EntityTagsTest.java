package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EntityTagsTest {
    private static final String TAG = "\"abc\"";

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
