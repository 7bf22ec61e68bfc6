package org.xenoservice.overload;

import java.time.Duration;

/**
 * What a {@link RequestRecorder} counted over its last three seconds, for tests outside core's
 * package (the adapter contract's unit test, the adapters' ITs): the buckets the detector has not
 * yet cleared (it clears half a ring ahead). Two adapters that record the same requests alike
 * give equal values.
 *
 * @param arrivals requests begun
 * @param completions requests ended
 * @param errors requests ended with a 5xx or status 0
 * @param staticCompletions requests ended as static
 * @param dynamicCompletions requests ended as dynamic
 * @param bytes body bytes sent
 * @param queued requests that waited for a worker
 * @param route0 requests ended on route key 0
 */
public record RecentCounts(
        long arrivals,
        long completions,
        long errors,
        long staticCompletions,
        long dynamicCompletions,
        long bytes,
        long queued,
        long route0) {
    private static final int INTERVALS = 30;

    /** Sums the recorder's last {@value #INTERVALS} buckets, up to the one in progress. */
    public static RecentCounts of(RequestRecorder recorder) {
        long[] sum = new long[8];
        for (IntervalCounts counts : recent(recorder)) {
            sum[0] += counts.arrivals();
            sum[1] += counts.completions();
            sum[2] += counts.errors();
            sum[3] += counts.staticCompletions();
            sum[4] += counts.dynamicCompletions();
            sum[5] += counts.bytes();
            sum[6] += counts.queued();
            sum[7] += counts.routeCounts()[0];
        }
        return new RecentCounts(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6], sum[7]);
    }

    /** The same counts with {@code queued} set to 0, for adapters whose servers queue differently. */
    public RecentCounts withoutQueued() {
        return new RecentCounts(arrivals, completions, errors, staticCompletions, dynamicCompletions, bytes, 0, route0);
    }

    /** The same counts with {@code bytes} replaced. */
    public RecentCounts withBytes(long replaced) {
        return new RecentCounts(
                arrivals, completions, errors, staticCompletions, dynamicCompletions, replaced, queued, route0);
    }

    /** Requests ended on route key {@code key} over the recent buckets. */
    public static long route(RequestRecorder recorder, int key) {
        long sum = 0;
        for (IntervalCounts counts : recent(recorder)) {
            sum += counts.routeCounts()[key];
        }
        return sum;
    }

    /** Requests whose latency fell in the histogram bin of {@code latency}, over the recent buckets. */
    public static long latencies(RequestRecorder recorder, Duration latency) {
        long sum = 0;
        for (IntervalCounts counts : recent(recorder)) {
            sum += counts.latencyBins()[LatencyHistogram.binOf(latency.toNanos())];
        }
        return sum;
    }

    /** Requests whose queue delay fell in the histogram bin of {@code delay}, over the recent buckets. */
    public static long queueDelays(RequestRecorder recorder, Duration delay) {
        long sum = 0;
        for (IntervalCounts counts : recent(recorder)) {
            sum += counts.queueDelayBins()[LatencyHistogram.binOf(delay.toNanos())];
        }
        return sum;
    }

    private static IntervalCounts[] recent(RequestRecorder recorder) {
        long now = recorder.intervalAt(recorder.clock().nanoTime());
        IntervalCounts[] recent = new IntervalCounts[INTERVALS];
        for (int i = 0; i < INTERVALS; i++) {
            recent[i] = recorder.read(now - INTERVALS + 1 + i);
        }
        return recent;
    }
}
