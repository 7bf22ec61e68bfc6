package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomerKindTest {
    private static final long NOW = 5_000_000_000L;

    @Test
    void ttlHonouringKindKeepsTheAnswerForItsTtl() {
        assertEquals(
                NOW + Duration.ofSeconds(1).toNanos(),
                CustomerKind.TTL_HONOURING.expiresAtNanos(NOW, Duration.ofSeconds(1)));
        assertEquals(
                NOW + Duration.ofMinutes(5).toNanos(),
                CustomerKind.TTL_HONOURING.expiresAtNanos(NOW, Duration.ofMinutes(5)));
    }

    @Test
    void aTtlOfZeroIsKeptOneMillisecond() {
        assertEquals(NOW + 1_000_000L, CustomerKind.TTL_HONOURING.expiresAtNanos(NOW, Duration.ZERO));
        assertEquals(NOW + 1_000_000L, CustomerKind.KEEP_ALIVE.expiresAtNanos(NOW, Duration.ZERO));
    }

    @Test
    void resolverWithAFloorKeepsShortAnswersThirtySecondsAndLongerOnesForTheirTtl() {
        assertEquals(
                NOW + Duration.ofSeconds(30).toNanos(),
                CustomerKind.TTL_FLOOR_30S.expiresAtNanos(NOW, Duration.ofSeconds(1)));
        assertEquals(
                NOW + Duration.ofMinutes(2).toNanos(),
                CustomerKind.TTL_FLOOR_30S.expiresAtNanos(NOW, Duration.ofMinutes(2)));
    }

    @Test
    void browserKeepsEveryAnswerSixtySecondsWhateverItsTtl() {
        assertEquals(
                NOW + Duration.ofSeconds(60).toNanos(),
                CustomerKind.BROWSER_60S.expiresAtNanos(NOW, Duration.ofSeconds(1)));
        assertEquals(
                NOW + Duration.ofSeconds(60).toNanos(),
                CustomerKind.BROWSER_60S.expiresAtNanos(NOW, Duration.ofSeconds(3600)));
    }

    @Test
    void onlyTheKeptAliveKindKeepsItsConnection() {
        assertTrue(CustomerKind.KEEP_ALIVE.keepsConnection());
        assertEquals(
                NOW + Duration.ofSeconds(1).toNanos(),
                CustomerKind.KEEP_ALIVE.expiresAtNanos(NOW, Duration.ofSeconds(1)));
        assertFalse(CustomerKind.TTL_HONOURING.keepsConnection());
        assertFalse(CustomerKind.TTL_FLOOR_30S.keepsConnection());
        assertFalse(CustomerKind.BROWSER_60S.keepsConnection());
    }

    @Test
    void sharesAddUpToAHundredPercent() {
        assertEquals(
                100,
                Arrays.stream(CustomerKind.values())
                        .mapToInt(CustomerKind::sharePercent)
                        .sum());
        assertEquals(40, CustomerKind.TTL_HONOURING.sharePercent());
    }

    @Test
    void customersAreGivenKindsInTheirSharesAndTheFirstFourDiffer() {
        assertEquals(CustomerKind.TTL_HONOURING, CustomerKind.forCustomer(0));
        assertEquals(CustomerKind.TTL_FLOOR_30S, CustomerKind.forCustomer(1));
        assertEquals(CustomerKind.BROWSER_60S, CustomerKind.forCustomer(2));
        assertEquals(CustomerKind.KEEP_ALIVE, CustomerKind.forCustomer(3));
        Map<CustomerKind, Integer> counts = new EnumMap<>(CustomerKind.class);
        for (int i = 0; i < 100; i++) {
            counts.merge(CustomerKind.forCustomer(i), 1, Integer::sum);
        }
        for (CustomerKind kind : CustomerKind.values()) {
            assertEquals(kind.sharePercent(), counts.get(kind), kind.name());
        }
        assertThrows(IllegalArgumentException.class, () -> CustomerKind.forCustomer(-1));
    }
}
