package org.xenoservice.overload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The log-linear bins: monotonic, no bin more than 50 % wider than the values in it (the 1.6×
 * bound below leaves room for the 1.024 µs "microsecond"), the overflow bin takes everything
 * beyond the last bound, and quantiles of known distributions come back within one bin.
 */
class LatencyHistogramTest {
    private static final long TWO_MICROS = 2_000;
    private static final int LAST = LatencyHistogram.BINS - 1;

    @Test
    void binsNeverDecreaseAsTheValueGrows() {
        int previous = LatencyHistogram.binOf(0);
        for (long nanos = 0; nanos < 10_000_000; nanos += 97) {
            int bin = LatencyHistogram.binOf(nanos);
            if (bin != previous && bin != previous + 1) {
                fail("bin of " + nanos + " ns is " + bin + ", after bin " + previous + " for 97 ns less");
            }
            previous = bin;
        }
        previous = 0;
        for (long nanos = 1; nanos > 0 && nanos < Long.MAX_VALUE / 2; nanos = nanos * 3 / 2 + 1) {
            int bin = LatencyHistogram.binOf(nanos);
            assertTrue(bin >= previous, "bin of " + nanos + " ns went down");
            previous = bin;
        }
    }

    @Test
    void upperBoundsRiseStrictlyFromBinToBin() {
        for (int bin = 1; bin < LatencyHistogram.BINS; bin++) {
            assertTrue(
                    LatencyHistogram.upperBoundNanos(bin) > LatencyHistogram.upperBoundNanos(bin - 1),
                    "upper bound of bin " + bin);
        }
    }

    @Test
    void everyBinIsReachedAndItsUpperBoundIsTheNextBinsStart() {
        for (int bin = 0; bin < LAST; bin++) {
            long bound = LatencyHistogram.upperBoundNanos(bin);
            assertEquals(bin, LatencyHistogram.binOf(bound - 1), "last value of bin " + bin);
            assertEquals(bin + 1, LatencyHistogram.binOf(bound), "first value after bin " + bin);
        }
    }

    @Test
    void eachValueLandsInABinWhoseUpperBoundIsAtMostOnePointSixTimesIt() {
        Random random = new Random(42);
        long lastBinStart = LatencyHistogram.upperBoundNanos(LAST - 1);
        for (int i = 0; i < 200_000; i++) {
            // log-uniform between 2 µs and the start of the overflow bin
            double exponent = Math.log(TWO_MICROS)
                    + random.nextDouble() * (Math.log((double) lastBinStart) - Math.log(TWO_MICROS));
            long nanos = Math.min(lastBinStart - 1, Math.max(TWO_MICROS, (long) Math.exp(exponent)));
            assertBoundedByItsBin(nanos);
        }
        for (int bin = 0; bin < LAST; bin++) {
            long bound = LatencyHistogram.upperBoundNanos(bin);
            for (long nanos : new long[] {bound - 1, bound, bound + 1}) {
                if (nanos >= TWO_MICROS && nanos < lastBinStart) {
                    assertBoundedByItsBin(nanos);
                }
            }
        }
    }

    @Test
    void valuesUnderTwoMicrosecondsShareTheFirstBin() {
        assertEquals(0, LatencyHistogram.binOf(0));
        assertEquals(0, LatencyHistogram.binOf(1));
        assertEquals(0, LatencyHistogram.binOf(TWO_MICROS));
        assertEquals(0, LatencyHistogram.binOf(2047));
        assertEquals(2048, LatencyHistogram.upperBoundNanos(0));
    }

    @Test
    void negativeDurationsCountAsZero() {
        assertEquals(0, LatencyHistogram.binOf(-1));
        assertEquals(0, LatencyHistogram.binOf(-5_000_000_000L));
        assertEquals(0, LatencyHistogram.binOf(Long.MIN_VALUE));
    }

    @Test
    void hugeDurationsLandInTheOverflowBin() {
        long lastBinStart = LatencyHistogram.upperBoundNanos(LAST - 1);
        assertEquals(LAST, LatencyHistogram.binOf(lastBinStart));
        assertEquals(LAST, LatencyHistogram.binOf(TimeUnit.HOURS.toNanos(1)));
        assertEquals(LAST, LatencyHistogram.binOf(TimeUnit.DAYS.toNanos(365)));
        assertEquals(LAST, LatencyHistogram.binOf(Long.MAX_VALUE));
        // the overflow bin starts between two and five minutes (2^28 × 1.024 µs ≈ 275 s)
        assertTrue(
                lastBinStart > TimeUnit.MINUTES.toNanos(2) && lastBinStart < TimeUnit.MINUTES.toNanos(5),
                "overflow bin starts at " + lastBinStart + " ns");
    }

    @Test
    void quantileOfNoCountsIsZero() {
        assertEquals(0, LatencyHistogram.quantileNanos(new long[LatencyHistogram.BINS], 0.99));
    }

    @Test
    void quantilesOfAUniformDistributionAreWithinOneBin() {
        long[] values = new long[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i + 1) * 100_000L; // 0.1 ms .. 100 ms
        }
        assertQuantilesWithinOneBin(values);
    }

    @Test
    void quantilesOfALogNormalDistributionAreWithinOneBin() {
        Random random = new Random(7);
        long[] values = new long[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) Math.exp(Math.log(2_000_000) + random.nextGaussian() * 1.5); // median 2 ms
        }
        assertQuantilesWithinOneBin(values);
    }

    @Test
    void quantilesOfABimodalDistributionAreWithinOneBin() {
        long[] values = new long[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i < 900 ? 50_000 + i * 10L : 1_000_000_000L + i; // 90 % fast, 10 % at 1 s
        }
        assertQuantilesWithinOneBin(values);
        long[] counts = histogram(values);
        assertEquals(
                LatencyHistogram.upperBoundNanos(LatencyHistogram.binOf(58_990)),
                LatencyHistogram.quantileNanos(counts, 0.9));
        assertTrue(LatencyHistogram.quantileNanos(counts, 0.91) >= 1_000_000_000L);
    }

    @Test
    void quantileZeroIsTheFirstOccupiedBinAndOneTheLast() {
        long[] counts = histogram(new long[] {10_000, 20_000, 5_000_000});
        assertEquals(
                LatencyHistogram.upperBoundNanos(LatencyHistogram.binOf(10_000)),
                LatencyHistogram.quantileNanos(counts, 0.0));
        assertEquals(
                LatencyHistogram.upperBoundNanos(LatencyHistogram.binOf(5_000_000)),
                LatencyHistogram.quantileNanos(counts, 1.0));
    }

    private static void assertBoundedByItsBin(long nanos) {
        long bound = LatencyHistogram.upperBoundNanos(LatencyHistogram.binOf(nanos));
        assertTrue(bound >= nanos, () -> nanos + " ns lands in a bin that ends at " + bound + " ns");
        assertTrue(bound < 1.6 * nanos, () -> nanos + " ns lands in a bin that ends at " + bound + " ns, 1.6× or more");
    }

    private static long[] histogram(long[] values) {
        long[] counts = new long[LatencyHistogram.BINS];
        for (long value : values) {
            counts[LatencyHistogram.binOf(value)]++;
        }
        return counts;
    }

    /** For each quantile, the histogram's answer is within one bin of the exact order statistic. */
    private static void assertQuantilesWithinOneBin(long[] values) {
        long[] counts = histogram(values);
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        for (double q : new double[] {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999}) {
            long exact = sorted[(int) Math.ceil(q * sorted.length) - 1];
            long estimate = LatencyHistogram.quantileNanos(counts, q);
            int exactBin = LatencyHistogram.binOf(exact);
            // an upper bound belongs to the next bin: the estimate's own bin is the one below it
            int estimateBin = LatencyHistogram.binOf(estimate - 1);
            assertTrue(
                    Math.abs(estimateBin - exactBin) <= 1,
                    "q" + q + ": exact " + exact + " ns (bin " + exactBin + "), estimate " + estimate + " ns (bin "
                            + estimateBin + ")");
            assertTrue(estimate >= exact, "q" + q + ": estimate " + estimate + " ns under the exact " + exact + " ns");
            assertTrue(
                    estimate < 1.6 * exact,
                    "q" + q + ": estimate " + estimate + " ns over 1.6× the exact " + exact + " ns");
        }
    }
}
