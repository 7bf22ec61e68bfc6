package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.SiteQuota;

/** The per-site token bucket on bytes sent, on a simulated clock. */
class BandwidthLimiterTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(5 * SECOND);
    private final BandwidthLimiter limiter = new BandwidthLimiter(
            List.of(
                    new Enrollment("books.example", SiteKeys.generate().getPublic(), new SiteQuota(1L << 30, 10, 0.25)),
                    new Enrollment("maps.example", SiteKeys.generate().getPublic(), new SiteQuota(1L << 30, 10, 0.75))),
            now::get,
            4_000_000);

    @Test
    void aSiteGetsItsShareOverTimeWhateverTheNumberOfSenders() {
        long sent = 0;
        for (int step = 0; step < 10_000; step++) { // 10 s in 1 ms steps, ten senders asking for 32 KiB each
            for (int sender = 0; sender < 10; sender++) {
                sent += limiter.take("books.example", 32 * 1024);
            }
            now.addAndGet(SECOND / 1000);
        }
        double perSecond = sent / 10.0;
        assertTrue(perSecond > 0.95 * 1_000_000 && perSecond < 1.05 * 1_000_000, "sent " + perSecond + " B/s");
    }

    @Test
    void aFullBucketHoldsATenthOfASecondAndSaysHowLongToWait() {
        assertEquals(100_000, limiter.take("books.example", 1 << 20), "the burst: 0.1 s of 1 MB/s");
        assertEquals(0, limiter.take("books.example", 1));
        assertEquals(16 * SECOND / 1000, limiter.nanosUntil("books.example", 16_000));
        now.addAndGet(16 * SECOND / 1000);
        assertEquals(16_000, limiter.take("books.example", 16_000));
    }

    @Test
    void oneSiteSpendingItsShareLeavesAnothersAlone() {
        limiter.take("books.example", 1 << 20);
        assertEquals(0, limiter.take("books.example", 1024));
        assertEquals(1024, limiter.take("maps.example", 1024));
        assertEquals(3_000_000, limiter.bytesPerSecond("maps.example"), 1);
    }

    @Test
    void bytesGivenBackCanBeTakenAgain() {
        long granted = limiter.take("books.example", 1 << 20);
        limiter.giveBack("books.example", 4096);
        assertEquals(4096, limiter.take("books.example", granted));
    }

    @Test
    void withoutThePeersBandwidthNothingIsLimited() {
        BandwidthLimiter unlimited = new BandwidthLimiter(
                List.of(new Enrollment("books.example", SiteKeys.generate().getPublic(), SiteQuota.DEFAULT)),
                now::get,
                0);
        assertFalse(unlimited.limits("books.example"));
        assertEquals(1L << 40, unlimited.take("books.example", 1L << 40));
        assertEquals(0, unlimited.nanosUntil("books.example", 1L << 40));
        assertThrows(IllegalArgumentException.class, () -> new BandwidthLimiter(List.of(), now::get, -1));
    }
}
