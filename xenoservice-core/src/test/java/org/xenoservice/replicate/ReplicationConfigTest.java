package org.xenoservice.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ReplicationConfigTest {

    @Test
    void defaultsSuitASmallSite() {
        ReplicationConfig config = ReplicationConfig.DEFAULTS;
        assertEquals(Duration.ofMinutes(2), config.coolDown());
        assertEquals(Duration.ofSeconds(2), config.waveInterval());
        assertEquals(Duration.ofSeconds(30), config.restageInterval());
        assertEquals(Duration.ofSeconds(5), config.peerCallTimeout());
        assertEquals(0, config.maxUploadBytesPerSecond(), "uploads are unlimited unless configured");
    }

    @Test
    void settingsAreKeptAndComparedByValue() {
        ReplicationConfig config = ReplicationConfig.builder()
                .coolDown(Duration.ofSeconds(90))
                .waveInterval(Duration.ofMillis(500))
                .restageInterval(Duration.ofSeconds(5))
                .peerCallTimeout(Duration.ofSeconds(3))
                .maxUploadBytesPerSecond(1_000_000)
                .build();
        assertEquals(Duration.ofSeconds(90), config.coolDown());
        assertEquals(1_000_000, config.maxUploadBytesPerSecond());
        assertEquals(
                config,
                ReplicationConfig.builder()
                        .coolDown(Duration.ofSeconds(90))
                        .waveInterval(Duration.ofMillis(500))
                        .restageInterval(Duration.ofSeconds(5))
                        .peerCallTimeout(Duration.ofSeconds(3))
                        .maxUploadBytesPerSecond(1_000_000)
                        .build());
        assertNotEquals(config, ReplicationConfig.DEFAULTS);
        assertTrue(config.toString().contains("coolDown=PT1M30S"), config.toString());
    }

    @Test
    void zeroNegativeOrMissingValuesAreRefusedNamingTheSetting() {
        ReplicationConfig.Builder builder = ReplicationConfig.builder();
        refused("cool-down must be positive", () -> builder.coolDown(Duration.ZERO));
        refused("wave interval must be positive", () -> builder.waveInterval(Duration.ofMillis(-1)));
        refused("restage interval must be positive", () -> builder.restageInterval(Duration.ZERO));
        refused("peer call timeout must be positive", () -> builder.peerCallTimeout(Duration.ofSeconds(-5)));
        refused("max upload bytes per second must be 0 (unlimited) or more", () -> builder.maxUploadBytesPerSecond(-1));
        NullPointerException missing = assertThrows(NullPointerException.class, () -> builder.coolDown(null));
        assertEquals("cool-down", missing.getMessage());
        assertEquals(ReplicationConfig.DEFAULTS, builder.build(), "a refused value leaves the builder as it was");
    }

    private static void refused(String message, Executable setting) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setting);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
