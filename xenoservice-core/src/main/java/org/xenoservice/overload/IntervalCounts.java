package org.xenoservice.overload;

import java.util.Arrays;

/** What the recorder counted in one bucket interval, summed over its cells. Sampler-side only. */
final class IntervalCounts {
    final long interval;
    private final long[] fields;

    IntervalCounts(long interval, long[] fields) {
        this.interval = interval;
        this.fields = fields;
    }

    long arrivals() {
        return fields[RequestRecorder.ARRIVALS];
    }

    long completions() {
        return fields[RequestRecorder.COMPLETIONS];
    }

    long errors() {
        return fields[RequestRecorder.ERRORS];
    }

    long staticCompletions() {
        return fields[RequestRecorder.STATIC];
    }

    long dynamicCompletions() {
        return fields[RequestRecorder.DYNAMIC];
    }

    long bytes() {
        return fields[RequestRecorder.BYTES];
    }

    long queued() {
        return fields[RequestRecorder.QUEUED];
    }

    long[] latencyBins() {
        return Arrays.copyOfRange(fields, RequestRecorder.LATENCY, RequestRecorder.LATENCY + LatencyHistogram.BINS);
    }

    long[] routeCounts() {
        return Arrays.copyOfRange(fields, RequestRecorder.ROUTES, RequestRecorder.ROUTES + RequestRecorder.MAX_ROUTES);
    }

    long[] queueDelayBins() {
        return Arrays.copyOfRange(
                fields, RequestRecorder.QUEUE_DELAY, RequestRecorder.QUEUE_DELAY + LatencyHistogram.BINS);
    }
}
