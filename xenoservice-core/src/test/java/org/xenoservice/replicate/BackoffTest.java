package org.xenoservice.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The wait after failures in a row, shared by peer calls and DNS updates. */
class BackoffTest {
    @Test
    void doublesFromOneSecondUpToAMinute() {
        assertEquals(
                List.of(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L),
                IntStream.rangeClosed(1, 8)
                        .mapToObj(failures -> Backoff.after(failures).toSeconds())
                        .toList());
        assertEquals(Replicator.MIN_RETRY_BACKOFF, Backoff.after(1));
    }

    @Test
    void staysAtTheMaximumHoweverManyFailures() {
        assertEquals(Replicator.MAX_RETRY_BACKOFF, Backoff.after(64));
        assertEquals(Replicator.MAX_RETRY_BACKOFF, Backoff.after(Integer.MAX_VALUE));
        assertEquals(Duration.ofMinutes(1), Replicator.MAX_RETRY_BACKOFF);
    }
}
