package org.xenoservice.overload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What {@link RequestRecorder} counts and where: each call lands in the bucket of the interval its
 * clock reading falls in, on a fake clock that the test moves by hand (100 ms buckets, a ring of 8).
 */
class RequestRecorderTest {
    private static final long MS = 1_000_000;
    private static final long ORIGIN = 5_000 * MS; // any value: only differences count
    private static final int BUCKETS = 8;

    private final AtomicLong now = new AtomicLong(ORIGIN);
    private final RequestRecorder recorder = RequestRecorder.create(now::get, Duration.ofMillis(100), BUCKETS);

    @Test
    void countsLandInTheIntervalTheirClockReadingFallsIn() {
        at(10);
        long started = recorder.start();
        at(60);
        recorder.end(started, 200, 1_000, RequestKind.DYNAMIC);
        at(250);
        recorder.end(recorder.start(), 200, 0, RequestKind.DYNAMIC);

        assertEquals(0, recorder.intervalAt(ORIGIN));
        assertEquals(0, recorder.intervalAt(ORIGIN + 100 * MS - 1));
        assertEquals(1, recorder.intervalAt(ORIGIN + 100 * MS));
        assertEquals(2, recorder.intervalAt(now.get()));
        IntervalCounts first = recorder.read(0);
        assertEquals(1, first.arrivals());
        assertEquals(1, first.completions());
        assertEquals(1, first.latencyBins()[LatencyHistogram.binOf(50 * MS)]);
        assertCountsZero(recorder.read(1));
        IntervalCounts third = recorder.read(2);
        assertEquals(2, third.interval);
        assertEquals(1, third.arrivals());
        assertEquals(1, third.completions());
        assertEquals(1, third.latencyBins()[0]);
    }

    @Test
    void anEndAfterTheBoundaryLandsInTheNextInterval() {
        at(90);
        long started = recorder.start();
        at(130);
        recorder.end(started, 200, 10, RequestKind.STATIC);

        IntervalCounts started0 = recorder.read(0);
        assertEquals(1, started0.arrivals());
        assertEquals(0, started0.completions());
        assertEquals(0, sum(started0.latencyBins()));
        IntervalCounts ended1 = recorder.read(1);
        assertEquals(0, ended1.arrivals());
        assertEquals(1, ended1.completions());
        assertEquals(1, ended1.staticCompletions());
        assertEquals(10, ended1.bytes());
        assertEquals(1, ended1.latencyBins()[LatencyHistogram.binOf(40 * MS)]);
    }

    @Test
    void aClockReadingBeforeTheOriginFallsInIntervalMinusOne() {
        at(0);
        now.addAndGet(-1);
        recorder.start();

        assertEquals(-1, recorder.intervalAt(now.get()));
        assertEquals(1, recorder.read(-1).arrivals());
        assertEquals(0, recorder.read(0).arrivals());
    }

    @Test
    void serverErrorsAndStatusZeroCountAsErrorsButClientErrorsDoNot() {
        at(20);
        for (int status : new int[] {500, 502, 503, 504, 599, 0}) {
            recorder.end(recorder.start(), status, 0, RequestKind.DYNAMIC);
        }
        for (int status : new int[] {200, 204, 301, 304, 400, 404, 429, 499}) {
            recorder.end(recorder.start(), status, 0, RequestKind.DYNAMIC);
        }

        IntervalCounts counts = recorder.read(0);
        assertEquals(14, counts.completions());
        assertEquals(6, counts.errors());
    }

    @Test
    void bytesAreSummedAndUnknownLengthsIgnored() {
        at(20);
        recorder.end(recorder.start(), 200, 1_500, RequestKind.STATIC);
        recorder.end(recorder.start(), 200, 3_000_000_000L, RequestKind.STATIC);
        recorder.end(recorder.start(), 200, 0, RequestKind.DYNAMIC);
        recorder.end(recorder.start(), 200, -1, RequestKind.DYNAMIC); // e.g. a servlet's unknown length

        IntervalCounts counts = recorder.read(0);
        assertEquals(3_000_001_500L, counts.bytes());
        assertEquals(4, counts.completions());
    }

    @Test
    void staticAndDynamicCompletionsAreCountedApart() {
        at(20);
        for (int i = 0; i < 3; i++) {
            recorder.end(recorder.start(), 200, 100, RequestKind.STATIC);
        }
        for (int i = 0; i < 5; i++) {
            recorder.end(recorder.start(), 200, 100, RequestKind.DYNAMIC);
        }

        IntervalCounts counts = recorder.read(0);
        assertEquals(3, counts.staticCompletions());
        assertEquals(5, counts.dynamicCompletions());
        assertEquals(8, counts.completions());
    }

    @Test
    void latenciesAreCountedInTheirBins() {
        long[] latenciesMs = {1, 1, 7, 40, 40, 40, 99}; // all end inside interval 0
        long[] expected = new long[LatencyHistogram.BINS];
        at(0);
        for (long latency : latenciesMs) {
            long started = recorder.start();
            now.addAndGet(latency * MS);
            recorder.end(started, 200, 0, RequestKind.DYNAMIC);
            expected[LatencyHistogram.binOf(latency * MS)]++;
            at(0);
        }

        assertArrayEquals(expected, recorder.read(0).latencyBins());
        assertEquals(latenciesMs.length, sum(recorder.read(0).latencyBins()));
    }

    @Test
    void queueDelayIsCountedOnlyForRequestsStartedWithTheirArrivalTime() {
        at(50);
        recorder.end(recorder.start(), 200, 0, RequestKind.DYNAMIC);
        long arrived = now.get() - 3 * MS;
        recorder.end(recorder.start(arrived), 200, 0, RequestKind.DYNAMIC);
        recorder.end(recorder.start(now.get() - 40 * MS), 200, 0, RequestKind.DYNAMIC);

        IntervalCounts counts = recorder.read(0);
        assertEquals(3, counts.arrivals());
        assertEquals(2, counts.queued());
        long[] expected = new long[LatencyHistogram.BINS];
        expected[LatencyHistogram.binOf(3 * MS)]++;
        expected[LatencyHistogram.binOf(40 * MS)]++;
        assertArrayEquals(expected, counts.queueDelayBins());
    }

    @Test
    void anArrivalInAnEarlierIntervalCountsItsQueueDelayWhereItStarts() {
        at(95);
        long arrived = now.get();
        at(110);
        recorder.start(arrived);

        assertEquals(0, recorder.read(0).arrivals());
        assertEquals(0, sum(recorder.read(0).queueDelayBins()));
        assertEquals(1, recorder.read(1).arrivals());
        assertEquals(1, recorder.read(1).queueDelayBins()[LatencyHistogram.binOf(15 * MS)]);
    }

    @Test
    void inFlightCountsStartedRequestsNotYetEnded() {
        at(10);
        long a = recorder.start();
        long b = recorder.start(now.get() - MS);
        long c = recorder.start();
        assertEquals(3, recorder.inFlight());

        at(150);
        recorder.end(b, 200, 0, RequestKind.DYNAMIC);
        assertEquals(2, recorder.inFlight());
        recorder.end(a, 503, 0, RequestKind.DYNAMIC);
        recorder.end(c, 0, 0, RequestKind.STATIC);

        assertEquals(0, recorder.inFlight());
        assertEquals(3, recorder.totalStarted());
    }

    @Test
    void inFlightAndTotalStartedSurviveClearingEveryBucket() {
        at(10);
        recorder.start();
        recorder.end(recorder.start(), 200, 0, RequestKind.DYNAMIC);
        for (int interval = 0; interval < BUCKETS; interval++) {
            recorder.clear(interval);
        }

        assertEquals(1, recorder.inFlight());
        assertEquals(2, recorder.totalStarted());
    }

    @Test
    void clearZeroesEveryCountOfTheBucket() {
        at(10);
        long started = recorder.start(now.get() - 2 * MS);
        at(30);
        recorder.end(started, 500, 4_096, RequestKind.STATIC);
        recorder.end(recorder.start(), 200, 100, RequestKind.DYNAMIC);
        at(130);
        recorder.start();
        assertEquals(2, recorder.read(0).arrivals());

        recorder.clear(0);

        assertCountsZero(recorder.read(0));
        assertEquals(1, recorder.read(1).arrivals());
    }

    @Test
    void afterAFullTurnTheRingReusesTheSlotOnceItIsCleared() {
        at(10);
        recorder.end(recorder.start(), 500, 100, RequestKind.DYNAMIC);
        assertEquals(1, recorder.read(0).arrivals());

        // interval 8 shares slot 0 with interval 0: the sampler clears it ahead of time
        recorder.clear(BUCKETS);
        assertCountsZero(recorder.read(0));
        at(BUCKETS * 100 + 10);
        assertEquals(BUCKETS, recorder.intervalAt(now.get()));
        recorder.end(recorder.start(), 200, 7, RequestKind.STATIC);

        IntervalCounts reused = recorder.read(BUCKETS);
        assertEquals(BUCKETS, reused.interval);
        assertEquals(1, reused.arrivals());
        assertEquals(1, reused.completions());
        assertEquals(0, reused.errors());
        assertEquals(7, reused.bytes());
        assertEquals(1, reused.staticCompletions());
        for (int interval = 1; interval < BUCKETS; interval++) {
            assertCountsZero(recorder.read(interval));
        }
    }

    @Test
    void withoutAClearASlotAddsTheNewTurnToTheOld() {
        at(10);
        recorder.start();
        at(BUCKETS * 100 + 10);
        recorder.start();

        // the recorder never clears on its own: that is the sampler's job
        assertEquals(2, recorder.read(BUCKETS).arrivals());
    }

    @Test
    void theDefaultsAreSixtyFourBucketsOfOneHundredMilliseconds() {
        RequestRecorder defaults = RequestRecorder.create();

        assertEquals(RequestRecorder.DEFAULT_BUCKETS, defaults.buckets());
        assertEquals(64, defaults.buckets());
        assertEquals(Duration.ofMillis(100).toNanos(), defaults.widthNanos());
        assertEquals(NanoClock.SYSTEM, defaults.clock());
    }

    @Test
    void intervalEndIsTheNextIntervalsStart() {
        assertEquals(ORIGIN + 100 * MS, recorder.intervalEndNanos(0));
        assertEquals(1, recorder.intervalAt(recorder.intervalEndNanos(0)));
        assertEquals(0, recorder.intervalAt(recorder.intervalEndNanos(0) - 1));
    }

    @Test
    void rejectsABucketWidthUnderOneMillisecond() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RequestRecorder.create(now::get, Duration.ofNanos(999_999), BUCKETS));
        assertEquals("bucketWidth must be at least 1 ms, but was PT0.000999999S", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RequestRecorder.create(now::get, Duration.ZERO, BUCKETS));
        assertThrows(
                IllegalArgumentException.class,
                () -> RequestRecorder.create(now::get, Duration.ofMillis(-100), BUCKETS));
        assertEquals(
                MS,
                RequestRecorder.create(now::get, Duration.ofMillis(1), BUCKETS).widthNanos());
    }

    @Test
    void rejectsABucketCountThatIsNotAPowerOfTwo() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> RequestRecorder.create(now::get, Duration.ofMillis(100), 100));
        assertEquals("buckets must be a power of two of at least 8, but was 100", e.getMessage());
    }

    @Test
    void rejectsFewerThanEightBuckets() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> RequestRecorder.create(now::get, Duration.ofMillis(100), 4));
        assertEquals("buckets must be a power of two of at least 8, but was 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RequestRecorder.create(now::get, Duration.ofMillis(100), 0));
        assertThrows(
                IllegalArgumentException.class, () -> RequestRecorder.create(now::get, Duration.ofMillis(100), -8));
    }

    @Test
    void rejectsAMissingClockOrWidth() {
        NullPointerException clock = assertThrows(
                NullPointerException.class, () -> RequestRecorder.create(null, Duration.ofMillis(100), BUCKETS));
        assertEquals("clock", clock.getMessage());
        NullPointerException width =
                assertThrows(NullPointerException.class, () -> RequestRecorder.create(now::get, null, BUCKETS));
        assertEquals("bucketWidth", width.getMessage());
    }

    /** Sets the fake clock to {@code millis} after the recorder's origin. */
    private void at(long millis) {
        now.set(ORIGIN + millis * MS);
    }

    private static long sum(long[] counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }

    private static void assertCountsZero(IntervalCounts counts) {
        assertEquals(0, counts.arrivals(), "arrivals");
        assertEquals(0, counts.completions(), "completions");
        assertEquals(0, counts.errors(), "errors");
        assertEquals(0, counts.staticCompletions(), "static");
        assertEquals(0, counts.dynamicCompletions(), "dynamic");
        assertEquals(0, counts.bytes(), "bytes");
        assertEquals(0, counts.queued(), "queued");
        assertEquals(0, sum(counts.latencyBins()), "latency bins");
        assertEquals(0, sum(counts.queueDelayBins()), "queue delay bins");
    }
}
