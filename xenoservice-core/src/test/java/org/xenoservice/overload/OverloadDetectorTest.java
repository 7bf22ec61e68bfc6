package org.xenoservice.overload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.overload.SimulatedSite.MS;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The detector on simulated traffic (a fake clock, simulated workers, Poisson arrivals): fast on
 * floods, silent on busy but healthy days. No sleeps: an hour of traffic plays in about a second.
 */
class OverloadDetectorTest {
    private static final Duration SERVICE = Duration.ofMillis(20);

    /** 8 workers × 20 ms: 400 requests per second. */
    private static SimulatedSite smallSite(long seed) {
        return new SimulatedSite(OverloadConfig.DEFAULTS, 8, SERVICE, seed);
    }

    private static OverloadEvent first(SimulatedSite site, OverloadState state) {
        return site.changes().stream()
                .filter(e -> e.current() == state)
                .findFirst()
                .orElseThrow(() -> new AssertionError("never " + state + "; changes: " + site.changes()));
    }

    @Test
    void tenfoldStepIsSurgingWithin300msAndOverloadedWithin600ms() {
        SimulatedSite site = smallSite(1);
        site.play(Duration.ofMinutes(3), t -> 100);
        assertEquals(List.of(), site.changes(), "calm traffic changes nothing");
        long floodStart = site.nanoTime();
        site.play(Duration.ofSeconds(2), t -> 1_000);

        OverloadEvent surging = first(site, OverloadState.SURGING);
        OverloadEvent overloaded = first(site, OverloadState.OVERLOADED);
        assertTrue(
                surging.nanoTime() - floodStart <= 300 * MS,
                () -> "surge seen after " + (surging.nanoTime() - floodStart) / MS + " ms");
        assertTrue(
                overloaded.nanoTime() - floodStart <= 600 * MS,
                () -> "overload seen after " + (overloaded.nanoTime() - floodStart) / MS + " ms");
        assertTrue(surging.reasons().contains(OverloadReason.RATE_SURGE));
        assertTrue(overloaded.reasons().size() >= 2, overloaded.reasons().toString());
        assertTrue(
                surging.detectionLatency().toMillis() <= 300,
                surging.detectionLatency().toString());
        assertTrue(surging.warmedUp());
        SignalReading rate = surging.readings().get(Signal.ARRIVAL_RATE);
        assertTrue(rate.value() > 5 * rate.baseline().orElseThrow(), rate.toString());
        assertTrue(overloaded.capacityPerSecond() > 50, "capacity learned: " + overloaded.capacityPerSecond());
    }

    @Test
    void eventsNameTheHotPathsOfTheFlood() {
        SimulatedSite site =
                new SimulatedSite(OverloadConfig.DEFAULTS, 8, SERVICE, 10, List.of("/search", "/order", "/books/"));
        site.routeWeights(0.2, 0.1, 0.7);
        site.play(Duration.ofMinutes(3), t -> 100);
        site.routeWeights(0.9, 0.02, 0.08);
        site.play(Duration.ofSeconds(2), t -> 1_000);
        List<String> hot = first(site, OverloadState.OVERLOADED).hotPaths();
        assertEquals(3, hot.size(), hot.toString());
        assertTrue(hot.get(0).startsWith("/search ("), hot.toString());
    }

    @Test
    void floodThatPassesGoesRecoveringThenNormal() {
        SimulatedSite site = smallSite(2);
        site.play(Duration.ofMinutes(3), t -> 100);
        site.play(Duration.ofSeconds(20), t -> 1_000);
        site.play(Duration.ofMinutes(3), t -> 100);
        List<OverloadState> path =
                site.changes().stream().map(OverloadEvent::current).toList();
        assertEquals(
                List.of(
                        OverloadState.SURGING,
                        OverloadState.OVERLOADED,
                        OverloadState.RECOVERING,
                        OverloadState.NORMAL),
                path);
        assertEquals(OverloadState.NORMAL, site.detector.state());
    }

    /**
     * The benign trace: an hour that compresses a shop's day (trough at 35 requests/s, peak at 100,
     * on a site that serves 600), a cold start whose first 30 s are three times slower, a 2× ramp
     * over 60 s at 20 minutes, a 1 s burst of 3× every 2 minutes, and a 200 ms stop-the-world GC
     * pause every 5 minutes. None of it is an attack: it must give no OVERLOADED, and at most one
     * SURGING (the first bursts, before the usual one-second peak is learned).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 31, 314, 3141, 31415})
    void benignDayGivesNoOverloadAndAtMostOneSurge(long seed) {
        SimulatedSite site = new SimulatedSite(OverloadConfig.DEFAULTS, 12, SERVICE, seed); // 600/s
        site.serviceTime(Duration.ofMillis(60));
        site.play(Duration.ofSeconds(30), t -> dayRate(t));
        site.serviceTime(SERVICE);
        for (int minute = 0; minute < 60; minute++) {
            double offset = 30 + minute * 60.0;
            int m = minute;
            if (minute % 5 == 4) {
                site.gcPause(Duration.ofMillis(200));
            }
            site.play(Duration.ofSeconds(60), t -> {
                double at = offset + t;
                double rate = dayRate(at);
                if (m == 20) {
                    rate *= 1 + t / 60.0; // 2× ramp over 60 s
                } else if (m == 21) {
                    rate *= 2 - t / 60.0; // and back
                }
                if (m % 2 == 1 && m != 21 && t >= 30 && t < 31) {
                    rate *= 3; // 1 s burst of 3×, away from the ramp
                }
                return rate;
            });
        }
        assertEquals(0, site.entries(OverloadState.OVERLOADED), () -> "changes: " + summary(site));
        assertTrue(site.entries(OverloadState.SURGING) <= 1, () -> "changes: " + summary(site));
    }

    private static String summary(SimulatedSite site) {
        return site.changes().stream()
                .map(e -> String.format(
                        "%.1fs %s->%s %s rate=%.0f/%s p90=%.0f/%s cpu=%.2f",
                        e.nanoTime() / 1e9,
                        e.previous(),
                        e.current(),
                        e.reasons(),
                        e.readings().get(Signal.ARRIVAL_RATE).value(),
                        e.readings().get(Signal.ARRIVAL_RATE).baseline(),
                        e.readings().get(Signal.LATENCY_P90_MS).value(),
                        e.readings().get(Signal.LATENCY_P90_MS).baseline(),
                        e.readings().get(Signal.CPU).value()))
                .toList()
                .toString();
    }

    private static double dayRate(double seconds) {
        double phase = Math.sin(Math.PI * seconds / 3_600);
        return 35 + 65 * phase * phase;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 41, 414})
    void loadOscillatingAroundTheThresholdEntersOnceAndExitsOnce(long seed) {
        SimulatedSite site = new SimulatedSite(OverloadConfig.DEFAULTS, 16, SERVICE, seed); // 800/s
        site.play(Duration.ofMinutes(5), t -> 100);
        double threshold = site.detector.snapshot().surgeThresholdPerSecond();
        assertTrue(threshold >= 250 && threshold <= 350, "threshold " + threshold);
        site.play(Duration.ofMinutes(10), t -> threshold * (1 + 0.2 * Math.sin(2 * Math.PI * t / 20)));
        site.play(Duration.ofMinutes(2), t -> 100);
        assertEquals(1, site.entries(OverloadState.SURGING), () -> "changes: " + summary(site));
        assertEquals(1, site.entries(OverloadState.NORMAL), () -> "changes: " + summary(site));
        assertEquals(0, site.entries(OverloadState.OVERLOADED), () -> "changes: " + summary(site));
    }

    @Test
    void nothingTriggersBeforeTheWarmUp() {
        SimulatedSite site = smallSite(5);
        site.play(Duration.ofSeconds(5), t -> 50);
        site.play(Duration.ofSeconds(20), t -> 2_000);
        assertEquals(List.of(), site.changes());
        assertFalse(site.detector.snapshot().warmedUp());
        assertEquals(OverloadState.NORMAL, site.detector.snapshot().state());
    }

    @Test
    void baselinesDoNotLearnTheFlood() {
        SimulatedSite site = smallSite(6);
        site.play(Duration.ofMinutes(3), t -> 100);
        double before = site.detector
                .snapshot()
                .readings()
                .get(Signal.ARRIVAL_RATE)
                .baseline()
                .orElseThrow();
        site.play(Duration.ofMinutes(1), t -> 1_000);
        double during = site.detector
                .snapshot()
                .readings()
                .get(Signal.ARRIVAL_RATE)
                .baseline()
                .orElseThrow();
        site.play(Duration.ofMinutes(1), t -> 1_000);
        double later = site.detector
                .snapshot()
                .readings()
                .get(Signal.ARRIVAL_RATE)
                .baseline()
                .orElseThrow();
        assertEquals(during, later, 0.0, "frozen while not NORMAL");
        assertEquals(before, during, before * 0.01, "the flood's buckets were not learned");
        assertEquals(OverloadState.OVERLOADED, site.detector.state());
    }

    @Test
    void forcedOverloadHoldsUntilReleasedThenRecovers() {
        SimulatedSite site = smallSite(7);
        site.play(Duration.ofSeconds(5), t -> 50);
        site.detector.forceOverloaded();
        assertEquals(OverloadState.OVERLOADED, site.detector.state(), "even before the warm-up");
        site.play(Duration.ofMinutes(2), t -> 50);
        assertEquals(OverloadState.OVERLOADED, site.detector.state());
        assertTrue(site.detector.snapshot().forced());
        site.detector.release();
        assertEquals(OverloadState.RECOVERING, site.detector.state());
        site.play(Duration.ofMinutes(1), t -> 50);
        assertEquals(OverloadState.NORMAL, site.detector.state());
        OverloadEvent forced = first(site, OverloadState.OVERLOADED);
        assertEquals(Set.of(OverloadReason.MANUAL), forced.reasons());
        assertFalse(forced.warmedUp());
        assertEquals(
                List.of(1L, 2L, 3L),
                site.changes().stream().map(OverloadEvent::sequence).toList());
    }

    @Test
    void throwingAndBlockingListenersDoNotStallDetection() throws InterruptedException {
        SimulatedSite site = smallSite(8);
        CountDownLatch unblock = new CountDownLatch(1);
        BlockingQueue<OverloadEvent> received = new LinkedBlockingQueue<>();
        site.detector.addListener(event -> {
            throw new IllegalStateException("listener bug");
        });
        site.detector.addListener(event -> {
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        site.detector.addListener(received::add);
        site.detector.startEventsOnly();
        try {
            site.play(Duration.ofMinutes(3), t -> 100);
            site.play(Duration.ofSeconds(20), t -> 1_000);
            site.play(Duration.ofMinutes(3), t -> 100);
            assertEquals(4, site.changes().size(), "detection went on while a listener blocked");
            unblock.countDown();
            for (int i = 1; i <= 4; i++) {
                OverloadEvent event = received.poll(10, TimeUnit.SECONDS);
                assertTrue(event != null && event.sequence() == i, "event " + i + " delivered in order: " + event);
            }
        } finally {
            unblock.countDown();
            site.detector.close();
        }
    }

    @Test
    void listenersRunOnTheEventThread() throws InterruptedException {
        SimulatedSite site = smallSite(9);
        BlockingQueue<String> threads = new LinkedBlockingQueue<>();
        site.detector.addListener(event -> threads.add(Thread.currentThread().getName()));
        site.detector.startEventsOnly();
        try {
            site.detector.forceOverloaded();
            assertEquals("xeno-overload-events", threads.poll(10, TimeUnit.SECONDS));
        } finally {
            site.detector.close();
        }
    }

    @Test
    void runsOnItsOwnThreadsOnTheSystemClockAndClosesCleanly() throws InterruptedException {
        RequestRecorder recorder = RequestRecorder.create();
        BlockingQueue<OverloadEvent> received = new LinkedBlockingQueue<>();
        OverloadDetector detector =
                OverloadDetector.builder(recorder).listener(received::add).build();
        detector.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (detector.snapshot().readings().isEmpty() && System.nanoTime() < deadline) {
                recorder.end(recorder.start(), 200, 100, RequestKind.STATIC);
                Thread.onSpinWait();
            }
            assertFalse(detector.snapshot().readings().isEmpty(), "the sampler evaluated a bucket");
            detector.forceOverloaded();
            OverloadEvent event = received.poll(10, TimeUnit.SECONDS);
            assertTrue(event != null && event.current() == OverloadState.OVERLOADED, String.valueOf(event));
        } finally {
            detector.close();
        }
        assertTrue(
                Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("xeno-detector")
                                || t.getName().startsWith("xeno-overload-events")),
                "threads stopped");
    }

    @Test
    void configRejectsNonsenseWithTheValueInTheMessage() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> OverloadConfig.builder().surgeFactor(0.5));
        assertTrue(e.getMessage().contains("surgeFactor") && e.getMessage().contains("0.5"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class, () -> OverloadConfig.builder().saturation(4, 3));
        assertThrows(
                IllegalArgumentException.class, () -> OverloadConfig.builder().warmupTime(Duration.ofSeconds(-1)));
        assertThrows(
                IllegalArgumentException.class, () -> OverloadConfig.builder().cpuThreshold(1.5));
    }
}
