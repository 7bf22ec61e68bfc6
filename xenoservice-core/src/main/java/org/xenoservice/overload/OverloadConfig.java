package org.xenoservice.overload;

import java.time.Duration;
import java.util.Objects;

/**
 * The detector's thresholds. The defaults suit a small site (tens to thousands of requests per
 * second); every setting says in plain words what it does. Immutable; made with {@link #builder()}.
 *
 * <p>How the settings work together: no state changes before the warm-up. The detector learns
 * baselines (arrival rate and its usual one-second peaks, latency, queue delay, requests in flight)
 * while NORMAL only, so an attack cannot raise them. It enters SURGING when arrivals stay above the
 * surge threshold for the surge dwell, and OVERLOADED when enough buckets show enough signs of
 * saturation. Leaving a state needs the signals well under the entry thresholds (hysteresis) and a
 * minimum time in the state, and the number of changes per minute is capped, so load that
 * oscillates around a threshold gives one entry and one exit, not a flapping DNS.
 */
public final class OverloadConfig {
    /** The defaults. */
    public static final OverloadConfig DEFAULTS = builder().build();

    private final Duration warmupTime;
    private final long warmupRequests;
    private final Duration baselineWindow;
    private final double surgeFactor;
    private final double surgePeakMargin;
    private final double surgeExitFactor;
    private final Duration surgeDwell;
    private final double minSurgeRatePerSecond;
    private final int saturationSigns;
    private final int saturatedBuckets;
    private final int saturationWindowBuckets;
    private final double latencyFactor;
    private final Duration latencyFloor;
    private final double queueDelayFactor;
    private final Duration queueDelayFloor;
    private final double inFlightFactor;
    private final long inFlightFloor;
    private final double cpuThreshold;
    private final Duration hiccupThreshold;
    private final Duration surgeMinDwell;
    private final Duration overloadMinDwell;
    private final Duration recoveryTime;
    private final int maxTransitionsPerMinute;
    private final int windowBuckets;

    private OverloadConfig(Builder b) {
        this.warmupTime = b.warmupTime;
        this.warmupRequests = b.warmupRequests;
        this.baselineWindow = b.baselineWindow;
        this.surgeFactor = b.surgeFactor;
        this.surgePeakMargin = b.surgePeakMargin;
        this.surgeExitFactor = b.surgeExitFactor;
        this.surgeDwell = b.surgeDwell;
        this.minSurgeRatePerSecond = b.minSurgeRatePerSecond;
        this.saturationSigns = b.saturationSigns;
        this.saturatedBuckets = b.saturatedBuckets;
        this.saturationWindowBuckets = b.saturationWindowBuckets;
        this.latencyFactor = b.latencyFactor;
        this.latencyFloor = b.latencyFloor;
        this.queueDelayFactor = b.queueDelayFactor;
        this.queueDelayFloor = b.queueDelayFloor;
        this.inFlightFactor = b.inFlightFactor;
        this.inFlightFloor = b.inFlightFloor;
        this.cpuThreshold = b.cpuThreshold;
        this.hiccupThreshold = b.hiccupThreshold;
        this.surgeMinDwell = b.surgeMinDwell;
        this.overloadMinDwell = b.overloadMinDwell;
        this.recoveryTime = b.recoveryTime;
        this.maxTransitionsPerMinute = b.maxTransitionsPerMinute;
        this.windowBuckets = b.windowBuckets;
    }

    /** Starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Nothing triggers until this much time has passed (default 30 s)... */
    public Duration warmupTime() {
        return warmupTime;
    }

    /** ...and this many requests have been seen (default 1,000): baselines need both. */
    public long warmupRequests() {
        return warmupRequests;
    }

    /** How far back the baselines remember (default 10 min): a change older than this is forgotten. */
    public Duration baselineWindow() {
        return baselineWindow;
    }

    /** A surge is arrivals at this many times the baseline rate (default 3). */
    public double surgeFactor() {
        return surgeFactor;
    }

    /** ...or this many times the usual one-second peak, whichever is higher (default 2). */
    public double surgePeakMargin() {
        return surgePeakMargin;
    }

    /** A surge ends when arrivals fall under this share of the surge threshold (default 2/3). */
    public double surgeExitFactor() {
        return surgeExitFactor;
    }

    /** Arrivals must stay over the surge threshold this long (default 300 ms). */
    public Duration surgeDwell() {
        return surgeDwell;
    }

    /** No surge below this many arrivals per second, whatever the baseline (default 20). */
    public double minSurgeRatePerSecond() {
        return minSurgeRatePerSecond;
    }

    /** A bucket counts as saturated when it shows at least this many signs (default 2)... */
    public int saturationSigns() {
        return saturationSigns;
    }

    /** ...and the site is OVERLOADED when this many buckets (default 3)... */
    public int saturatedBuckets() {
        return saturatedBuckets;
    }

    /** ...of the last this many (default 5) were saturated. */
    public int saturationWindowBuckets() {
        return saturationWindowBuckets;
    }

    /** A sign: 90th-percentile latency above this many times its baseline (default 3)... */
    public double latencyFactor() {
        return latencyFactor;
    }

    /** ...and above this (default 25 ms), so that a fast site's 1 ms → 3 ms is no alarm. */
    public Duration latencyFloor() {
        return latencyFloor;
    }

    /** A sign: the lowest queue delay above this many times its baseline (default 4)... */
    public double queueDelayFactor() {
        return queueDelayFactor;
    }

    /** ...and above this (default 20 ms): a standing queue. */
    public Duration queueDelayFloor() {
        return queueDelayFloor;
    }

    /** A sign: more requests in flight than this many times the baseline (default 4)... */
    public double inFlightFactor() {
        return inFlightFactor;
    }

    /** ...and more than this many (default 16). */
    public long inFlightFloor() {
        return inFlightFloor;
    }

    /** A sign: process CPU at or above this share of the CPUs it may use (default 0.9). */
    public double cpuThreshold() {
        return cpuThreshold;
    }

    /** A sign: the detector's thread woke this late (default 50 ms), and GC does not explain it. */
    public Duration hiccupThreshold() {
        return hiccupThreshold;
    }

    /** At least this long in SURGING, and this long calm, before going back to NORMAL (default 2 s). */
    public Duration surgeMinDwell() {
        return surgeMinDwell;
    }

    /** At least this long in OVERLOADED before RECOVERING (default 5 s). */
    public Duration overloadMinDwell() {
        return overloadMinDwell;
    }

    /** RECOVERING turns NORMAL after this long without saturation or surge (default 30 s). */
    public Duration recoveryTime() {
        return recoveryTime;
    }

    /** At most this many automatic state changes in any minute (default 6). */
    public int maxTransitionsPerMinute() {
        return maxTransitionsPerMinute;
    }

    /** Latency and queue-delay percentiles are taken over this many buckets (default 3). */
    public int windowBuckets() {
        return windowBuckets;
    }

    /** Configures {@link OverloadConfig}; every setter checks its value. */
    public static final class Builder {
        private Duration warmupTime = Duration.ofSeconds(30);
        private long warmupRequests = 1_000;
        private Duration baselineWindow = Duration.ofMinutes(10);
        private double surgeFactor = 3.0;
        private double surgePeakMargin = 2.0;
        private double surgeExitFactor = 2.0 / 3.0;
        private Duration surgeDwell = Duration.ofMillis(300);
        private double minSurgeRatePerSecond = 20;
        private int saturationSigns = 2;
        private int saturatedBuckets = 3;
        private int saturationWindowBuckets = 5;
        private double latencyFactor = 3.0;
        private Duration latencyFloor = Duration.ofMillis(25);
        private double queueDelayFactor = 4.0;
        private Duration queueDelayFloor = Duration.ofMillis(20);
        private double inFlightFactor = 4.0;
        private long inFlightFloor = 16;
        private double cpuThreshold = 0.9;
        private Duration hiccupThreshold = Duration.ofMillis(50);
        private Duration surgeMinDwell = Duration.ofSeconds(2);
        private Duration overloadMinDwell = Duration.ofSeconds(5);
        private Duration recoveryTime = Duration.ofSeconds(30);
        private int maxTransitionsPerMinute = 6;
        private int windowBuckets = 3;

        private Builder() {}

        /** See {@link OverloadConfig#warmupTime()}. */
        public Builder warmupTime(Duration value) {
            warmupTime = nonNegative("warmupTime", value);
            return this;
        }

        /** See {@link OverloadConfig#warmupRequests()}. */
        public Builder warmupRequests(long value) {
            warmupRequests = (long) range("warmupRequests", (double) value, 0, (double) Long.MAX_VALUE);
            return this;
        }

        /** See {@link OverloadConfig#baselineWindow()}. */
        public Builder baselineWindow(Duration value) {
            baselineWindow = positive("baselineWindow", value);
            return this;
        }

        /** See {@link OverloadConfig#surgeFactor()}. */
        public Builder surgeFactor(double value) {
            surgeFactor = range("surgeFactor", value, 1.1, 1000);
            return this;
        }

        /** See {@link OverloadConfig#surgePeakMargin()}. */
        public Builder surgePeakMargin(double value) {
            surgePeakMargin = range("surgePeakMargin", value, 1.0, 1000);
            return this;
        }

        /** See {@link OverloadConfig#surgeExitFactor()}. */
        public Builder surgeExitFactor(double value) {
            surgeExitFactor = range("surgeExitFactor", value, 0.1, 0.95);
            return this;
        }

        /** See {@link OverloadConfig#surgeDwell()}. */
        public Builder surgeDwell(Duration value) {
            surgeDwell = positive("surgeDwell", value);
            return this;
        }

        /** See {@link OverloadConfig#minSurgeRatePerSecond()}. */
        public Builder minSurgeRatePerSecond(double value) {
            minSurgeRatePerSecond = range("minSurgeRatePerSecond", value, 0, 1e9);
            return this;
        }

        /** See {@link OverloadConfig#saturationSigns()}. */
        public Builder saturationSigns(int value) {
            saturationSigns = (int) range("saturationSigns", value, 1, 5);
            return this;
        }

        /**
         * See {@link OverloadConfig#saturatedBuckets()} and {@link OverloadConfig#saturationWindowBuckets()}.
         */
        public Builder saturation(int buckets, int ofLast) {
            saturatedBuckets = (int) range("saturatedBuckets", buckets, 1, 50);
            saturationWindowBuckets = (int) range("saturationWindowBuckets", ofLast, buckets, 50);
            return this;
        }

        /** See {@link OverloadConfig#latencyFactor()} and {@link OverloadConfig#latencyFloor()}. */
        public Builder latency(double factor, Duration floor) {
            latencyFactor = range("latencyFactor", factor, 1.1, 1000);
            latencyFloor = nonNegative("latencyFloor", floor);
            return this;
        }

        /** See {@link OverloadConfig#queueDelayFactor()} and {@link OverloadConfig#queueDelayFloor()}. */
        public Builder queueDelay(double factor, Duration floor) {
            queueDelayFactor = range("queueDelayFactor", factor, 1.1, 1000);
            queueDelayFloor = nonNegative("queueDelayFloor", floor);
            return this;
        }

        /** See {@link OverloadConfig#inFlightFactor()} and {@link OverloadConfig#inFlightFloor()}. */
        public Builder inFlight(double factor, long floor) {
            inFlightFactor = range("inFlightFactor", factor, 1.1, 1000);
            inFlightFloor = (long) range("inFlightFloor", (double) floor, 0, 1e9);
            return this;
        }

        /** See {@link OverloadConfig#cpuThreshold()}. */
        public Builder cpuThreshold(double value) {
            cpuThreshold = range("cpuThreshold", value, 0.1, 1.0);
            return this;
        }

        /** See {@link OverloadConfig#hiccupThreshold()}. */
        public Builder hiccupThreshold(Duration value) {
            hiccupThreshold = positive("hiccupThreshold", value);
            return this;
        }

        /** See {@link OverloadConfig#surgeMinDwell()}. */
        public Builder surgeMinDwell(Duration value) {
            surgeMinDwell = nonNegative("surgeMinDwell", value);
            return this;
        }

        /** See {@link OverloadConfig#overloadMinDwell()}. */
        public Builder overloadMinDwell(Duration value) {
            overloadMinDwell = nonNegative("overloadMinDwell", value);
            return this;
        }

        /** See {@link OverloadConfig#recoveryTime()}. */
        public Builder recoveryTime(Duration value) {
            recoveryTime = nonNegative("recoveryTime", value);
            return this;
        }

        /** See {@link OverloadConfig#maxTransitionsPerMinute()}. */
        public Builder maxTransitionsPerMinute(int value) {
            maxTransitionsPerMinute = (int) range("maxTransitionsPerMinute", value, 2, 600);
            return this;
        }

        /** See {@link OverloadConfig#windowBuckets()}. */
        public Builder windowBuckets(int value) {
            windowBuckets = (int) range("windowBuckets", value, 1, 32);
            return this;
        }

        /** Builds the configuration. */
        public OverloadConfig build() {
            return new OverloadConfig(this);
        }

        private static double range(String name, double value, double min, double max) {
            if (!(value >= min && value <= max)) {
                throw new IllegalArgumentException(
                        name + " must be between " + min + " and " + max + ", but was " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + value);
            }
            return value;
        }

        private static Duration nonNegative(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, but was " + value);
            }
            return value;
        }
    }
}
