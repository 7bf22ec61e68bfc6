package org.xenoservice.admission;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.xenoservice.overload.NanoClock;

/** A nano clock that moves only when a test says, for deterministic latencies. */
final class ManualNanoClock implements NanoClock {
    private final AtomicLong now = new AtomicLong(1_000_000_007L); // odd: permits mask the low bits

    @Override
    public long nanoTime() {
        return now.get();
    }

    void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }
}
