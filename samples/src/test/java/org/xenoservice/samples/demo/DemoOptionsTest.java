package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {
    @Test
    void floodDefaultsToFiveTimesTheOriginsCapacity() {
        DemoOptions options = DemoOptions.parse("--scripted", "--flood-seconds", "7", "--origin-workers", "2");
        assertTrue(options.scripted);
        assertEquals(Duration.ofSeconds(7), options.flood);
        assertEquals(100, options.capacityPerSecond(), 0.001);
        assertEquals(500, options.floodRatePerSecond());
    }

    @Test
    void runsHttpsUnlessHttpIsAskedFor() {
        assertFalse(DemoOptions.parse().http);
        assertTrue(DemoOptions.parse("--http").http);
        assertTrue(DemoOptions.USAGE.contains("--http"));
    }

    @Test
    void refusesUnknownFlagsAndBadNumbersNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse("--flod"))
                .getMessage()
                .contains("unknown option --flod"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse("--customers", "many"))
                .getMessage()
                .contains("--customers must be a whole number"));
    }

    @Test
    void attackerResolvesOnceUnlessToldToFollowDns() {
        assertEquals(DemoOptions.Attacker.RESOLVE_ONCE, DemoOptions.parse().attacker);
        assertEquals(DemoOptions.Attacker.FOLLOW_DNS, DemoOptions.parse("--attacker", "follow-dns").attacker);
        assertEquals(DemoOptions.Attacker.RESOLVE_ONCE, DemoOptions.parse("--attacker", "resolve-once").attacker);
        assertTrue(DemoOptions.USAGE.contains("--attacker"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse("--attacker", "smart"))
                .getMessage()
                .contains("--attacker must be resolve-once or follow-dns, was \"smart\""));
    }
}
