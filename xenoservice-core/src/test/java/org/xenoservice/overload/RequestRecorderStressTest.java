package org.xenoservice.overload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No count is lost when many request threads record at once on the system clock while a sampler
 * thread reads closed buckets and clears buckets ahead, as the detector does.
 *
 * <p>The ring is 1024 buckets of 100 ms and the sampler clears the bucket half a ring (51 s) ahead
 * of the current one, so no bucket this run writes to is cleared during the run (it takes well
 * under a second on 2 cores; the test checks that it stayed inside half a ring). The request
 * threads know exactly what they recorded; after they and the sampler are joined, the sum over
 * every interval the run touched must equal it, field by field.
 */
class RequestRecorderStressTest {
    private static final int THREADS = 8;
    private static final int PAIRS_PER_THREAD = 200_000;
    private static final int BUCKETS = 1024;
    private static final int[] STATUSES = {200, 200, 200, 304, 404, 500, 200, 503, 0, 429, 200};

    /** What one request thread recorded. */
    private static final class Expected {
        long completions;
        long errors;
        long bytes;
        long statics;
        long dynamics;
        long queued;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void noCountIsLostUnderConcurrentRequestsAndSampling() throws InterruptedException {
        RequestRecorder recorder = RequestRecorder.create(NanoClock.SYSTEM, Duration.ofMillis(100), BUCKETS);
        long firstInterval = recorder.intervalAt(System.nanoTime());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        Expected[] expected = new Expected[THREADS];
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Expected mine = new Expected();
            expected[t] = mine;
            int seed = t;
            workers.add(thread("xeno-stress-request-" + t, failure, () -> {
                go.await();
                record(recorder, seed, mine);
            }));
        }
        Sampler sampler = new Sampler(recorder);
        Thread samplerThread = thread("xeno-stress-sampler", failure, sampler::run);

        samplerThread.start();
        workers.forEach(Thread::start);
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        sampler.stop = true;
        samplerThread.join();
        long lastInterval = recorder.intervalAt(System.nanoTime());

        if (failure.get() != null) {
            throw new AssertionError("a test thread failed", failure.get());
        }
        assertTrue(
                lastInterval - firstInterval < BUCKETS / 2 - 1,
                "the run spanned " + (lastInterval - firstInterval + 1) + " intervals of 100 ms: the sampler may have"
                        + " cleared a bucket in use; this machine is too slow for this test's ring");
        long pairs = (long) THREADS * PAIRS_PER_THREAD;
        long[] sum = new long[6];
        long latencies = 0;
        long queueDelays = 0;
        for (long interval = firstInterval; interval <= lastInterval; interval++) {
            IntervalCounts counts = recorder.read(interval);
            sum[0] += counts.arrivals();
            sum[1] += counts.completions();
            sum[2] += counts.errors();
            sum[3] += counts.bytes();
            sum[4] += counts.staticCompletions();
            sum[5] += counts.dynamicCompletions();
            latencies += total(counts.latencyBins());
            queueDelays += total(counts.queueDelayBins());
            assertEquals(counts.queued(), total(counts.queueDelayBins()), "queued in interval " + interval);
        }
        long errors = 0;
        long bytes = 0;
        long statics = 0;
        long dynamics = 0;
        long queued = 0;
        for (Expected e : expected) {
            assertEquals(PAIRS_PER_THREAD, e.completions);
            errors += e.errors;
            bytes += e.bytes;
            statics += e.statics;
            dynamics += e.dynamics;
            queued += e.queued;
        }
        assertEquals(pairs, sum[0], "arrivals");
        assertEquals(pairs, sum[1], "completions");
        assertEquals(errors, sum[2], "errors");
        assertEquals(bytes, sum[3], "bytes");
        assertEquals(statics, sum[4], "static completions");
        assertEquals(dynamics, sum[5], "dynamic completions");
        assertEquals(pairs, latencies, "latency bin counts");
        assertEquals(queued, queueDelays, "queue delay bin counts");
        assertEquals(pairs, statics + dynamics);
        assertTrue(errors > 0 && errors < pairs, "the mix has errors and successes: " + errors);
        assertTrue(queued > 0 && queued < pairs, "the mix has queued and direct starts: " + queued);
        assertEquals(0, recorder.inFlight());
        assertEquals(pairs, recorder.totalStarted());
        assertTrue(sampler.reads > 0, "the sampler ran");
    }

    /** One request thread: start/end pairs with statuses, kinds, sizes and queue delays that vary. */
    private static void record(RequestRecorder recorder, int seed, Expected expected) {
        for (int i = 0; i < PAIRS_PER_THREAD; i++) {
            int mix = i + seed * 7;
            long started;
            if (mix % 4 == 0) {
                started = recorder.start(System.nanoTime() - (mix % 50) * 1_000L);
                expected.queued++;
            } else {
                started = recorder.start();
            }
            int status = STATUSES[mix % STATUSES.length];
            long bytes = (mix % 5 == 0) ? 0 : 100L + (mix % 10_000);
            RequestKind kind = (mix % 3 == 0) ? RequestKind.STATIC : RequestKind.DYNAMIC;
            recorder.end(started, status, bytes, kind);
            expected.completions++;
            expected.bytes += bytes;
            if (status >= 500 || status == 0) {
                expected.errors++;
            }
            if (kind == RequestKind.STATIC) {
                expected.statics++;
            } else {
                expected.dynamics++;
            }
        }
    }

    /**
     * The detector's loop, every ~10 ms: read the interval that just closed, clear the one half a
     * ring ahead.
     */
    private static final class Sampler {
        private final RequestRecorder recorder;
        volatile boolean stop;
        long reads;

        Sampler(RequestRecorder recorder) {
            this.recorder = recorder;
        }

        void run() {
            while (!stop) {
                long current = recorder.intervalAt(System.nanoTime());
                IntervalCounts closed = recorder.read(current - 1);
                assertTrue(closed.arrivals() >= 0 && closed.completions() >= 0 && closed.bytes() >= 0);
                reads++;
                recorder.clear(current + recorder.buckets() / 2);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread thread(String name, AtomicReference<Throwable> failure, Body body) {
        return new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                },
                name);
    }

    private static long total(long[] counts) {
        long sum = 0;
        for (long count : counts) {
            sum += count;
        }
        return sum;
    }
}
