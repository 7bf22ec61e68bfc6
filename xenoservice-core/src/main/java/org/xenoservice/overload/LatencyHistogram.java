package org.xenoservice.overload;

/**
 * The fixed log-linear bins that request latencies and queue delays are counted in: two bins per
 * power of two of (binary) microseconds, bin 0 under about 2 µs and the last one from about 275 s
 * up, so that any value lands in a bin at most 50 % wider than itself. Bin arithmetic only; the counts live in {@link RequestRecorder}'s cells.
 */
final class LatencyHistogram {
    /** Number of bins: bin 0 holds values under ~2 µs, the last one everything above ~275 s. */
    static final int BINS = 56;

    private LatencyHistogram() {}

    /** The bin of a duration in nanoseconds; negative durations count as zero. */
    static int binOf(long nanos) {
        long micros = nanos >> 10; // ~µs (1.024 µs), cheaper than a division
        if (micros < 2) {
            return 0;
        }
        int log = 63 - Long.numberOfLeadingZeros(micros); // 1 .. 63
        int half = (int) ((micros >>> (log - 1)) & 1); // upper or lower half of the octave
        int bin = (log - 1) * 2 + 1 + half;
        return Math.min(bin, BINS - 1);
    }

    /** The upper bound of a bin, in nanoseconds (the value reported for a percentile in it). */
    static long upperBoundNanos(int bin) {
        if (bin == 0) {
            return 2L << 10;
        }
        int log = (bin - 1) / 2 + 1;
        int half = (bin - 1) % 2;
        long micros = half == 0 ? (3L << (log - 1)) : (1L << (log + 1));
        return micros << 10;
    }

    /** The value at quantile {@code q} (0..1) of the counts, in nanoseconds; 0 when there are none. */
    static long quantileNanos(long[] counts, double q) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int bin = 0; bin < counts.length; bin++) {
            seen += counts[bin];
            if (seen >= Math.max(rank, 1)) {
                return upperBoundNanos(bin);
            }
        }
        return upperBoundNanos(counts.length - 1);
    }
}
