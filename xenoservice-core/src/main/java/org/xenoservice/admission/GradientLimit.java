package org.xenoservice.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The adaptive concurrency limit behind {@link AdmissionControl}: a gradient on measured latency, in
 * the manner of Netflix concurrency-limits' {@code Gradient2Limit}, written here without locks.
 *
 * <p>Each successful request's latency is one sample. The first {@value #WARMUP_SAMPLES} are
 * averaged into the <em>baseline</em>, the application's latency without a queue, whatever the
 * load; after them, each sample teaches one of two things, by how much of the limit was in use as
 * the request ended:
 *
 * <ul>
 *   <li><b>Less than half</b>: the application is not what limits the traffic, and the sample is its
 *       latency without a queue. It goes into the baseline, an exponential average over about
 *       {@value #BASELINE_SAMPLES} samples. The limit does not move: otherwise a calm hour would grow
 *       it to its maximum (Gradient2 does the same).
 *   <li><b>Half or more</b>: the sample says whether requests queue. The gradient is {@code
 *       tolerance × baseline / sample}, kept between {@value #MIN_GRADIENT} and 1: 1 while the
 *       sample is within the tolerance of the baseline, less as requests queue. The target is
 *       {@code limit × gradient + √limit} (the square root is the queue it allows, as Netflix's first
 *       {@code GradientLimit} did), and each sample moves the limit {@code smoothing / limit} of the
 *       way towards it: about {@code smoothing} of the way per round trip of {@code limit}
 *       requests, as TCP grows its window by one segment per window. Gradient2 moves {@code
 *       smoothing} of the way per sample, which makes the limit swing widely around the point where
 *       latency rises, unless its samples are first gathered in windows.
 * </ul>
 *
 * <p>Where Gradient2 feeds every sample into its long-term average, this baseline ignores the
 * samples taken at the limit. Fed with them, the baseline follows a lasting flood's latency up, the
 * gradient returns to 1 and the limit creeps up with the latency, to its maximum; a flood lasts as
 * long as the attacker likes, and the customers' searches must stay fast through it. The cost: an
 * application that becomes slower at every concurrency while saturated (its database slowed by
 * something else) is held near {@code 1 / (1 − gradient)²} requests, 16 at twice its baseline with
 * the default tolerance and the minimum at three times, until it is no longer saturated: latency is
 * kept at the price of throughput. A sample under half the baseline also decays it by 5 % (as in
 * Gradient2), so that a slow spell is forgotten in tens of samples.
 *
 * <p>A failure (the application threw, answered 5xx or timed out) multiplies the limit by {@value
 * #FAILURE_BACKOFF} when half or more of it was in use. The limit stays between the minimum and the
 * maximum.
 *
 * <p>The estimates are doubles held as bits in {@link AtomicLong}s, updated by compare-and-set loops
 * one after the other, not together, which costs a sample's worth of precision under contention and
 * no lock. Safe for concurrent use, allocation-free.
 */
final class GradientLimit {
    /** Samples averaged into the baseline, whatever the load, before the limit moves. */
    static final int WARMUP_SAMPLES = 10;
    /** Samples the baseline averages over after the warm-up (the span of its exponential average). */
    static final int BASELINE_SAMPLES = 600;
    /** The gradient's floor: one sample's target is no less than half the limit. */
    static final double MIN_GRADIENT = 0.5;
    /** What a failure multiplies the limit by. */
    static final double FAILURE_BACKOFF = 0.9;

    private static final double BASELINE_ALPHA = 2.0 / (BASELINE_SAMPLES + 1);
    private static final double BASELINE_RESET_RATIO = 2.0;
    private static final double BASELINE_DECAY = 0.95;

    private final double minLimit;
    private final double maxLimit;
    private final double tolerance;
    private final double smoothing;
    private final AtomicLong limitBits;
    private final AtomicLong baselineBits = new AtomicLong(Double.doubleToRawLongBits(0.0));
    private final AtomicLong warmupSamples = new AtomicLong();

    GradientLimit(int initialLimit, int minLimit, int maxLimit, double tolerance, double smoothing) {
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.tolerance = tolerance;
        this.smoothing = smoothing;
        this.limitBits = new AtomicLong(Double.doubleToRawLongBits(initialLimit));
    }

    /** The limit as a whole number of requests, between the minimum and the maximum. */
    int limit() {
        return (int) estimate();
    }

    /** The limit before rounding down. */
    double estimate() {
        return Double.longBitsToDouble(limitBits.get());
    }

    /** The baseline latency in nanoseconds, or 0 before the first sample. */
    double baselineNanos() {
        return Double.longBitsToDouble(baselineBits.get());
    }

    /**
     * Learns from a request that succeeded after {@code latencyNanos}, with {@code inFlight}
     * requests in flight as it ended (itself included).
     */
    void onSuccess(long latencyNanos, long inFlight) {
        double sample = Math.max(1.0, (double) latencyNanos);
        if (warmupSamples.get() < WARMUP_SAMPLES) {
            long n = warmupSamples.getAndIncrement();
            if (n < WARMUP_SAMPLES) {
                learnBaseline(sample, 1.0 / (n + 1));
                return;
            }
        }
        if (!saturated(inFlight, estimate())) {
            learnBaseline(sample, BASELINE_ALPHA);
            return;
        }
        double gradient = Math.max(MIN_GRADIENT, Math.min(1.0, tolerance * baselineNanos() / sample));
        while (true) {
            long bits = limitBits.get();
            double limit = Double.longBitsToDouble(bits);
            if (!saturated(inFlight, limit)) {
                return;
            }
            double target = limit * gradient + Math.sqrt(limit);
            double next = bounded(limit + (target - limit) * smoothing / limit);
            if (next == limit || limitBits.compareAndSet(bits, Double.doubleToRawLongBits(next))) {
                return;
            }
        }
    }

    /**
     * Learns from a request that failed (the application threw, answered 5xx or timed out), with
     * {@code inFlight} requests in flight as it ended (itself included).
     */
    void onFailure(long inFlight) {
        while (true) {
            long bits = limitBits.get();
            double limit = Double.longBitsToDouble(bits);
            if (!saturated(inFlight, limit)) {
                return;
            }
            double next = bounded(limit * FAILURE_BACKOFF);
            if (next == limit || limitBits.compareAndSet(bits, Double.doubleToRawLongBits(next))) {
                return;
            }
        }
    }

    /** Whether half or more of {@code limit} was in use: the samples the limit learns from. */
    private static boolean saturated(long inFlight, double limit) {
        return (double) inFlight >= limit / 2;
    }

    /** Moves the baseline {@code weight} of the way towards {@code sample}. */
    private void learnBaseline(double sample, double weight) {
        while (true) {
            long bits = baselineBits.get();
            double baseline = Double.longBitsToDouble(bits);
            double next = baseline + (sample - baseline) * weight;
            if (next > sample * BASELINE_RESET_RATIO) {
                next *= BASELINE_DECAY;
            }
            long nextBits = Double.doubleToRawLongBits(next);
            if (nextBits == bits || baselineBits.compareAndSet(bits, nextBits)) {
                return;
            }
        }
    }

    private double bounded(double limit) {
        return Math.max(minLimit, Math.min(maxLimit, limit));
    }
}
