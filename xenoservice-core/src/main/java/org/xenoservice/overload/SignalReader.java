package org.xenoservice.overload;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one closed bucket of the {@link RequestRecorder} into the signals the {@link OverloadDetector}
 * judges: rates, requests in flight, latency and queue-delay percentiles over the last few buckets,
 * error rate, the last second's rate and the hot paths, each reading beside its baseline. It exists so
 * that the detector only decides (signs, baselines, states) while the sliding windows the signals are
 * read from are kept here.
 *
 * <p>Not thread-safe: the detector calls it under its lock.
 */
final class SignalReader {
    /** Hot paths are counted over the last second, and the top three are named. */
    private static final int HOT_PATH_BUCKETS = 10;

    private static final int HOT_PATHS = 3;

    private final RequestRecorder recorder;
    private final OverloadConfig config;
    private final Baselines baselines;
    private final List<String> routeNames;
    private final long widthNanos;
    private final double widthSeconds;
    private final Deque<long[]> latencyWindow = new ArrayDeque<>();
    private final Deque<long[]> queueWindow = new ArrayDeque<>();
    private final Deque<long[]> routeWindow = new ArrayDeque<>();
    private final Deque<Double> lastSecondRates = new ArrayDeque<>();
    private List<String> hotPaths = List.of();
    private Map<Signal, SignalReading> readings = Map.of();

    SignalReader(RequestRecorder recorder, OverloadConfig config, Baselines baselines, List<String> routeNames) {
        this.recorder = recorder;
        this.config = config;
        this.baselines = baselines;
        this.routeNames = routeNames;
        this.widthNanos = recorder.widthNanos();
        this.widthSeconds = widthNanos / 1e9;
    }

    /** What one bucket showed: its signals, read from the recorder's counts and the process. */
    record Bucket(
            long startNanos,
            IntervalCounts counts,
            double rate,
            double completionRate,
            long inFlight,
            boolean hasLatency,
            double p50,
            double p90,
            double p99,
            boolean hasQueue,
            double queueDelay,
            double errorRate,
            double cpu,
            long gcNanos,
            long hiccupNanos,
            double oneSecondRate,
            Map<Signal, SignalReading> readings) {}

    /** The busiest named routes of the last second read, with their share; empty before the first bucket. */
    List<String> hotPaths() {
        return hotPaths;
    }

    /** The readings of the last bucket read; empty before the first. */
    Map<Signal, SignalReading> readings() {
        return readings;
    }

    /**
     * The signals of the bucket that ended at {@code endNanos}. Slides the latency, queue-delay and
     * route windows and the last second's rates on by this bucket, names the hot paths, and records
     * every reading beside its baseline (as learned before this bucket).
     */
    Bucket read(IntervalCounts counts, long endNanos, double cpu, long gcNanos, long hiccupNanos) {
        double rate = counts.arrivals() / widthSeconds;
        double completionRate = counts.completions() / widthSeconds;
        long inFlight = recorder.inFlight();
        push(latencyWindow, counts.latencyBins(), config.windowBuckets());
        push(queueWindow, counts.queueDelayBins(), config.windowBuckets());
        push(routeWindow, counts.routeCounts(), HOT_PATH_BUCKETS);
        hotPaths = hotPaths(merge(routeWindow));
        long[] latency = merge(latencyWindow);
        long[] queue = merge(queueWindow);
        double p50 = LatencyHistogram.quantileNanos(latency, 0.5) / 1e6;
        double p90 = LatencyHistogram.quantileNanos(latency, 0.9) / 1e6;
        double p99 = LatencyHistogram.quantileNanos(latency, 0.99) / 1e6;
        boolean hasQueue = total(queue) > 0;
        double queueDelay = hasQueue ? LatencyHistogram.quantileNanos(queue, 0.1) / 1e6 : 0;
        double errorRate = counts.completions() == 0 ? 0 : (double) counts.errors() / counts.completions();
        push(lastSecondRates, rate, (int) Math.max(1, Math.round(1.0 / widthSeconds)));
        double oneSecondRate = lastSecondRates.stream()
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(0);

        Map<Signal, SignalReading> readings = new EnumMap<>(Signal.class);
        readings.put(Signal.ARRIVAL_RATE, SignalReading.of(rate, baselines.known ? baselines.rate : Double.NaN));
        readings.put(
                Signal.COMPLETION_RATE,
                SignalReading.of(completionRate, baselines.known ? baselines.rate : Double.NaN));
        readings.put(
                Signal.IN_FLIGHT,
                SignalReading.of((double) inFlight, baselines.known ? baselines.inFlight : Double.NaN));
        readings.put(
                Signal.LATENCY_P50_MS, SignalReading.of(p50, baselines.knownLatency ? baselines.p50Ms : Double.NaN));
        readings.put(
                Signal.LATENCY_P90_MS, SignalReading.of(p90, baselines.knownLatency ? baselines.p90Ms : Double.NaN));
        readings.put(Signal.LATENCY_P99_MS, SignalReading.of(p99));
        readings.put(
                Signal.QUEUE_DELAY_MS,
                SignalReading.of(queueDelay, baselines.knownQueue ? baselines.queueDelayMs : Double.NaN));
        readings.put(Signal.ERROR_RATE, SignalReading.of(errorRate));
        readings.put(Signal.CPU, SignalReading.of(cpu));
        readings.put(Signal.GC_PAUSE_MS, SignalReading.of(gcNanos / 1e6));
        readings.put(Signal.HICCUP_MS, SignalReading.of(hiccupNanos / 1e6));
        this.readings = readings;
        return new Bucket(
                endNanos - widthNanos,
                counts,
                rate,
                completionRate,
                inFlight,
                total(latency) > 0,
                p50,
                p90,
                p99,
                hasQueue,
                queueDelay,
                errorRate,
                cpu,
                gcNanos,
                hiccupNanos,
                oneSecondRate,
                readings);
    }

    /** The busiest named routes of the last second, with their share of the routed requests. */
    private List<String> hotPaths(long[] counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0 || routeNames.isEmpty()) {
            return List.of();
        }
        List<String> hot = new ArrayList<>();
        boolean[] taken = new boolean[counts.length];
        for (int rank = 0; rank < HOT_PATHS; rank++) {
            int best = -1;
            for (int i = 0; i < Math.min(counts.length, routeNames.size()); i++) {
                if (!taken[i] && counts[i] > 0 && (best < 0 || counts[i] > counts[best])) {
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            taken[best] = true;
            hot.add(routeNames.get(best) + " (" + Math.round(100.0 * counts[best] / total) + " %)");
        }
        return List.copyOf(hot);
    }

    /** Appends {@code value} to a sliding window of {@code size} and drops what falls out of it. */
    static <T> void push(Deque<T> window, T value, int size) {
        window.addLast(value);
        while (window.size() > size) {
            window.removeFirst();
        }
    }

    private static long[] merge(Deque<long[]> window) {
        long[] sum = new long[window.isEmpty() ? 0 : window.peekFirst().length];
        for (long[] bins : window) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += bins[i];
            }
        }
        return sum;
    }

    private static long total(long[] bins) {
        long sum = 0;
        for (long bin : bins) {
            sum += bin;
        }
        return sum;
    }
}
