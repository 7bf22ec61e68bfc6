package org.xenoservice.overload;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What NORMAL looks like to the {@link OverloadDetector}, learned with exponential averages over the
 * baseline window: the arrival rate and its usual one-second peak, requests in flight, latency and
 * queue-delay percentiles, and the healthy completion rate (capacity). The detector reads the fields
 * directly and feeds it only plainly normal buckets.
 *
 * <p>Not thread-safe: guarded by the detector's lock.
 */
final class Baselines {
    /** The usual peak may be at most this many times the baseline rate, so pulses cannot ratchet the threshold up. */
    private static final double MAX_PEAK_RATIO = 5.0;
    /** Peaks are learned once the baseline rate has had this many buckets (10 s) to settle. */
    private static final long MIN_PEAK_INTERVALS = 100;
    /** A one-second peak becomes usual after this many buckets (3 s) without a surge. */
    private static final int PEAK_CONFIRM_BUCKETS = 30;

    private final OverloadConfig config;
    private final long widthNanos;

    boolean known;
    boolean knownLatency;
    boolean knownQueue;
    double rate;
    /** The usual one-second peak as a multiple of the baseline rate (1 = no bursts). */
    double peakRatio = 1;
    /** Peaks of the last few seconds, not yet confirmed as usual. */
    final Deque<Double> pendingPeaks = new ArrayDeque<>();

    double inFlight;
    double p50Ms;
    double p90Ms;
    double queueDelayMs;
    double capacity;

    /**
     * @param config gives the baseline window and the latency floor
     * @param widthNanos the width of one bucket
     */
    Baselines(OverloadConfig config, long widthNanos) {
        this.config = config;
        this.widthNanos = widthNanos;
    }

    void learn(
            double r,
            double oneSecond,
            double completions,
            boolean hasLatency,
            double p50,
            double p90,
            boolean hasQueue,
            double queue,
            long flight,
            long intervalsSoFar) {
        double window = config.baselineWindow().toNanos() / (double) widthNanos;
        // a running mean at first, then an exponential average over the baseline window
        double alpha = Math.max(1.0 / window, 1.0 / Math.min((double) intervalsSoFar, window));
        double decay = Math.pow(0.5, 1.0 / window);
        if (!known) {
            rate = r;
            inFlight = flight;
            known = true;
        } else {
            rate += alpha * (r - rate);
            inFlight += alpha * (flight - inFlight);
        }
        // peaks are remembered three times longer than levels: bursts come and go. A peak counts as
        // usual only once the next seconds passed without a surge: a ramp that turns into a flood
        // must not lift the threshold on its way up
        double peakDecay = Math.pow(0.5, 1.0 / (3 * window));
        peakRatio = Math.max(1, peakRatio * peakDecay);
        if (intervalsSoFar >= MIN_PEAK_INTERVALS && rate > 0 && oneSecond > 0) {
            pendingPeaks.addLast(Math.min(MAX_PEAK_RATIO, oneSecond / rate));
        }
        while (pendingPeaks.size() > PEAK_CONFIRM_BUCKETS) {
            peakRatio = Math.max(peakRatio, pendingPeaks.removeFirst());
        }
        if (hasLatency) {
            p50Ms = knownLatency ? p50Ms + alpha * (p50 - p50Ms) : p50;
            p90Ms = knownLatency ? p90Ms + alpha * (p90 - p90Ms) : p90;
            knownLatency = true;
        }
        if (hasQueue) {
            queueDelayMs = knownQueue ? queueDelayMs + alpha * (queue - queueDelayMs) : queue;
            knownQueue = true;
        }
        if (p90 <= 2 * p90Ms || p90 <= config.latencyFloor().toNanos() / 1e6) {
            capacity = Math.max(capacity * decay, completions);
        }
    }

    /**
     * Takes the peak of a surge that passed without strain as a usual peak, so that the same burst
     * does not raise the alarm again; capped so that repeated pulses cannot ratchet the threshold up.
     */
    void acceptPeak(double oneSecondPeak) {
        if (rate > 0) {
            peakRatio = Math.max(peakRatio, Math.min(MAX_PEAK_RATIO, oneSecondPeak / rate));
        }
    }
}
