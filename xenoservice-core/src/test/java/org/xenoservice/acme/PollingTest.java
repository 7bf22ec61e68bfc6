package org.xenoservice.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PollingTest {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** A clock that moves only when the poller sleeps. */
    private static final class SimulatedTime extends Clock {
        Instant now = START;
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        void sleep(Duration duration) {
            sleeps.add(duration);
            now = now.plus(duration);
        }
    }

    @Test
    void doneAtOnceMeansNoSleep() throws Exception {
        SimulatedTime time = new SimulatedTime();
        assertTrue(new Polling(time, time::sleep).await(Duration.ofSeconds(10), () -> Polling.Look.DONE));
        assertEquals(List.of(), time.sleeps);
    }

    @Test
    void backsOffFromTheFirstDelayDoublingUpToTheMaximum() throws Exception {
        SimulatedTime time = new SimulatedTime();
        int[] looks = {0};
        boolean done = new Polling(time, time::sleep)
                .await(Duration.ofMinutes(5), () -> ++looks[0] == 8 ? Polling.Look.DONE : Polling.Look.NOT_YET);
        assertTrue(done);
        assertEquals(
                List.of(200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L),
                time.sleeps.stream().map(Duration::toMillis).toList());
    }

    @Test
    void givesUpAtTheDeadlineAfterOneLastLook() throws Exception {
        SimulatedTime time = new SimulatedTime();
        int[] looks = {0};
        boolean done = new Polling(time, time::sleep).await(Duration.ofSeconds(1), () -> {
            looks[0]++;
            return Polling.Look.NOT_YET;
        });
        assertFalse(done);
        assertEquals(
                List.of(200L, 400L, 400L),
                time.sleeps.stream().map(Duration::toMillis).toList());
        assertEquals(START.plusSeconds(1), time.now, "never sleeps past the deadline");
        assertEquals(4, looks[0], "the last look is at the deadline");
    }

    @Test
    void honoursTheCasRetryAfterButNotBeyondAMinute() {
        Instant now = START;
        Instant deadline = START.plus(Duration.ofMinutes(10));
        assertEquals(
                Duration.ofSeconds(3),
                Polling.pause(Duration.ofMillis(200), Optional.of(now.plusSeconds(3)), now, deadline));
        assertEquals(
                Polling.MAX_RETRY_AFTER,
                Polling.pause(Duration.ofMillis(200), Optional.of(now.plus(Duration.ofHours(1))), now, deadline));
        assertEquals(
                Duration.ofMillis(800),
                Polling.pause(Duration.ofMillis(800), Optional.of(now.minusSeconds(5)), now, deadline),
                "a Retry-After in the past leaves the backoff");
        assertEquals(
                Duration.ofSeconds(2),
                Polling.pause(Duration.ofMillis(200), Optional.of(now.plusSeconds(30)), now, now.plusSeconds(2)),
                "never past the deadline");
    }

    @Test
    void aProbeThatFailsEndsTheWaitWithItsFailure() {
        SimulatedTime time = new SimulatedTime();
        IssuanceException failure = new IssuanceException(IssuanceException.Reason.CA_ERROR, "broken");
        IssuanceException thrown = assertThrows(
                IssuanceException.class,
                () -> new Polling(time, time::sleep).await(Duration.ofSeconds(10), () -> {
                    throw failure;
                }));
        assertEquals(failure, thrown);
    }

    @Test
    void anInterruptedSleepEndsTheWaitAndKeepsTheInterrupt() {
        SimulatedTime time = new SimulatedTime();
        Polling polling = new Polling(time, duration -> {
            throw new InterruptedException();
        });
        IssuanceException e = assertThrows(
                IssuanceException.class, () -> polling.await(Duration.ofSeconds(10), () -> Polling.Look.NOT_YET));
        assertEquals(IssuanceException.Reason.INTERRUPTED, e.reason());
        assertTrue(Thread.interrupted(), "the interrupt is kept (and cleared here)");
    }
}
