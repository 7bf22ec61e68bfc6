package org.xenoservice.overload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleUnaryOperator;

/**
 * A small site replayed on a fake clock: requests arrive at a rate that a trace gives for each
 * moment, wait for one of {@code workers} threads, are served in {@code serviceTime}, and are
 * recorded exactly as an adapter would record them (arrival, hand-off to a worker, end). The
 * detector ticks at every bucket end. CPU follows the workers' utilisation; GC pauses stop the
 * workers and the detector's thread alike. Deterministic for a seed: no thread, no sleep. Public
 * for the detection-latency benchmark.
 */
public final class SimulatedSite {
    /** One millisecond in nanoseconds. */
    public static final long MS = 1_000_000L;
    /** One second in nanoseconds. */
    public static final long SECOND = 1_000 * MS;

    private static final long BUCKET = 100 * MS;

    final AtomicLong now = new AtomicLong(1_000 * SECOND);
    final FakeSystem system = new FakeSystem();
    final RequestRecorder recorder = RequestRecorder.create(now::get, Duration.ofMillis(100), 64);
    final OverloadDetector detector;

    /** The detector under test. */
    public OverloadDetector detector() {
        return detector;
    }

    private final int workers;
    private long serviceNanos;
    private final long[] workerFree;
    private final Random random;
    private final PriorityQueue<long[]> events = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private long busyNanosThisBucket;
    private long pauseUntil;
    private double[] routeWeights = {};

    public SimulatedSite(OverloadConfig config, int workers, Duration serviceTime, long seed) {
        this(config, workers, serviceTime, seed, List.of());
    }

    /** A site whose requests take the named routes, with weights set by {@link #routeWeights}. */
    public SimulatedSite(OverloadConfig config, int workers, Duration serviceTime, long seed, List<String> routes) {
        this.workers = workers;
        this.serviceNanos = serviceTime.toNanos();
        this.workerFree = new long[workers];
        this.random = new Random(seed);
        this.detector = OverloadDetector.builder(recorder)
                .config(config)
                .systemSignals(system)
                .routeNames(routes)
                .build();
    }

    /** From now on a request takes route {@code i} with probability {@code weights[i]} (they sum to 1). */
    public void routeWeights(double... weights) {
        this.routeWeights = weights.clone();
    }

    /** From now on each request takes {@code serviceTime} (e.g. slow while the JIT warms up). */
    public void serviceTime(Duration serviceTime) {
        this.serviceNanos = serviceTime.toNanos();
    }

    /** The fake clock's time. */
    public long nanoTime() {
        return now.get();
    }

    /** Requests per second this site can serve. */
    public double capacityPerSecond() {
        return workers * (double) SECOND / serviceNanos;
    }

    /**
     * Plays {@code duration} of traffic whose rate (requests per second) at each second since the start
     * of this call is {@code rateAt}; arrivals are Poisson.
     */
    public void play(Duration duration, DoubleUnaryOperator rateAt) {
        long start = now.get();
        long end = start + duration.toNanos();
        while (now.get() < end) {
            long bucketStart = now.get();
            long bucketEnd = bucketStart + BUCKET;
            double rate = Math.max(0, rateAt.applyAsDouble((bucketStart - start) / (double) SECOND));
            long[] arrivals = new long[poisson(rate * BUCKET / SECOND)];
            for (int i = 0; i < arrivals.length; i++) {
                arrivals[i] = bucketStart + (long) (random.nextDouble() * BUCKET);
            }
            java.util.Arrays.sort(arrivals);
            for (long at : arrivals) {
                arrive(at);
            }
            runUntil(bucketEnd);
            if (bucketEnd >= pauseUntil) {
                system.cpuNanos += (long)
                        (Math.min(1.0, busyNanosThisBucket / (double) (workers * BUCKET)) * system.cpus * BUCKET);
                busyNanosThisBucket = 0;
                detector.tick();
            }
        }
    }

    /** The process stops for {@code pause} (a stop-the-world GC): nothing is served and the detector sleeps. */
    public void gcPause(Duration pause) {
        long from = now.get();
        pauseUntil = from + pause.toNanos();
        for (int i = 0; i < workers; i++) {
            workerFree[i] = Math.max(workerFree[i], pauseUntil);
        }
        system.gcNanos += pause.toNanos();
    }

    /** Sets the fake clock and plays every recorder call due before {@code time}. */
    private void runUntil(long time) {
        while (!events.isEmpty() && events.peek()[0] < time) {
            long[] event = events.poll();
            now.set(event[0]);
            if (event[1] == 0) {
                recorder.handling(event[2]);
            } else {
                recorder.end(event[2], 200, 2_000, RequestKind.DYNAMIC, (int) event[3]);
            }
        }
        now.set(time);
    }

    private void arrive(long at) {
        runUntil(at);
        long token = recorder.start();
        int worker = 0;
        for (int i = 1; i < workers; i++) {
            if (workerFree[i] < workerFree[worker]) {
                worker = i;
            }
        }
        long serviceStart = Math.max(at, workerFree[worker]);
        long finish = serviceStart + serviceNanos;
        workerFree[worker] = finish;
        busyNanosThisBucket += serviceNanos;
        events.add(new long[] {serviceStart, 0, token, -1});
        events.add(new long[] {finish, 1, token, route()});
    }

    private int route() {
        double pick = random.nextDouble();
        for (int i = 0; i < routeWeights.length; i++) {
            pick -= routeWeights[i];
            if (pick < 0) {
                return i;
            }
        }
        return -1;
    }

    private int poisson(double mean) {
        if (mean > 50) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int count = 0;
        while (product > limit) {
            product *= random.nextDouble();
            count++;
        }
        return count;
    }

    /** The state changes so far. */
    public List<OverloadEvent> changes() {
        return new ArrayList<>(detector.recentEvents());
    }

    /** How many times the detector entered {@code state}. */
    public long entries(OverloadState state) {
        return detector.recentEvents().stream()
                .filter(e -> e.current() == state)
                .count();
    }

    /** Fake CPU and GC counters. */
    static final class FakeSystem implements SystemSignals {
        long cpuNanos;
        long gcNanos;
        double cpus = 2;

        @Override
        public long processCpuNanos() {
            return cpuNanos;
        }

        @Override
        public double availableCpus() {
            return cpus;
        }

        @Override
        public long gcNanos() {
            return gcNanos;
        }
    }
}
