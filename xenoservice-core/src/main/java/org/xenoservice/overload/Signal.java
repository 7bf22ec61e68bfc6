package org.xenoservice.overload;

/** The measurements the detector takes every bucket, each read against its baseline where it has one. */
public enum Signal {
    /** Requests started per second. */
    ARRIVAL_RATE,
    /** Requests finished per second. */
    COMPLETION_RATE,
    /** Requests started and not finished. */
    IN_FLIGHT,
    /** Median latency over the last few buckets, milliseconds. */
    LATENCY_P50_MS,
    /** 90th percentile latency over the last few buckets, milliseconds. */
    LATENCY_P90_MS,
    /** 99th percentile latency over the last few buckets, milliseconds. */
    LATENCY_P99_MS,
    /** The lowest queue delay (10th percentile) over the last few buckets, milliseconds: a standing queue. */
    QUEUE_DELAY_MS,
    /** Share of finished requests that failed (5xx, timeouts), 0 to 1. */
    ERROR_RATE,
    /** Process CPU use as a share of the CPUs it may use (cgroup-aware), 0 to 1. */
    CPU,
    /** Garbage-collection time in the last bucket, milliseconds. */
    GC_PAUSE_MS,
    /** How late the detector's own thread woke up, milliseconds. */
    HICCUP_MS
}
