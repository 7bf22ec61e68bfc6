package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.xenoservice.dns.AddressSet;

class CustomerCacheTest {
    private static final InetAddress ORIGIN = address("127.0.0.2");
    private static final InetAddress PEER = address("127.0.0.11");

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final AtomicReference<List<InetAddress>> records = new AtomicReference<>(List.of(ORIGIN));

    private CustomerCache cache(CustomerKind kind) {
        return new CustomerCache(
                kind, () -> new AddressSet(Demo.SITE, records.get(), Duration.ofSeconds(1)), clock::get, new Random(1));
    }

    private void advance(Duration by) {
        clock.addAndGet(by.toNanos());
    }

    @Test
    void ttlHonouringCustomerMovesToThePeersWhenTheTtlRunsOut() throws Exception {
        CustomerCache cache = cache(CustomerKind.TTL_HONOURING);
        assertEquals(Optional.of(ORIGIN), cache.address(false));
        records.set(List.of(PEER));
        advance(Duration.ofMillis(999));
        assertEquals(Optional.of(ORIGIN), cache.address(false));
        advance(Duration.ofMillis(1));
        assertEquals(Optional.of(PEER), cache.address(false));
        assertEquals(2, cache.lookups());
    }

    @Test
    void resolverWithAFloorKeepsTheOriginThirtySeconds() throws Exception {
        CustomerCache cache = cache(CustomerKind.TTL_FLOOR_30S);
        cache.address(false);
        records.set(List.of(PEER));
        advance(Duration.ofSeconds(29));
        assertEquals(Optional.of(ORIGIN), cache.address(false));
        advance(Duration.ofSeconds(1));
        assertEquals(Optional.of(PEER), cache.address(false));
    }

    @Test
    void browserKeepsTheOriginSixtySeconds() throws Exception {
        CustomerCache cache = cache(CustomerKind.BROWSER_60S);
        cache.address(false);
        records.set(List.of(PEER));
        advance(Duration.ofSeconds(59));
        assertEquals(Optional.of(ORIGIN), cache.address(false));
        advance(Duration.ofSeconds(1));
        assertEquals(Optional.of(PEER), cache.address(false));
    }

    @Test
    void keptAliveCustomerStaysOnItsAddressUntilTheServerClosesTheConnection() throws Exception {
        CustomerCache cache = cache(CustomerKind.KEEP_ALIVE);
        assertEquals(Optional.of(ORIGIN), cache.address(false));
        records.set(List.of(PEER));
        advance(Duration.ofMinutes(10));
        assertEquals(Optional.of(ORIGIN), cache.address(false), "the connection is still open");
        assertEquals(1, cache.lookups());
        cache.connectionClosed();
        assertEquals(Optional.of(PEER), cache.address(false), "closed after the TTL ran out: resolved again");
        assertEquals(2, cache.lookups());
    }

    @Test
    void keptAliveCustomerWhoseConnectionClosesBeforeTheTtlRunsOutUsesItsCachedAnswer() throws Exception {
        CustomerCache cache = cache(CustomerKind.KEEP_ALIVE);
        cache.address(false);
        records.set(List.of(PEER));
        cache.connectionClosed();
        assertEquals(Optional.of(ORIGIN), cache.address(false));
        assertEquals(1, cache.lookups());
    }

    @Test
    void aFreshLookUpIsMadeWhenAskedForWhateverTheCacheHolds() throws Exception {
        CustomerCache cache = cache(CustomerKind.BROWSER_60S);
        cache.address(false);
        records.set(List.of(PEER));
        assertEquals(Optional.of(PEER), cache.address(true));
        assertEquals(2, cache.lookups());
    }

    @Test
    void aFailedLookUpLeavesTheCacheEmpty() {
        CustomerCache cache = new CustomerCache(
                CustomerKind.TTL_HONOURING,
                () -> {
                    throw new java.io.IOException("no answer");
                },
                clock::get,
                new Random(1));
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> cache.address(false))
                .getMessage()
                .contains("no answer"));
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
