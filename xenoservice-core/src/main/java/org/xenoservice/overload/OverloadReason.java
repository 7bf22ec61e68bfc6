package org.xenoservice.overload;

/** Why the detector changed state: the evidence it saw. */
public enum OverloadReason {
    /** Arrivals reached the surge threshold (a multiple of the baseline rate) for the surge dwell. */
    RATE_SURGE,
    /** Requests waited in the server's queue well beyond the baseline queue delay. */
    QUEUE_DELAY,
    /** Latency rose well beyond its baseline. */
    LATENCY,
    /** More requests in flight than the site normally holds. */
    IN_FLIGHT,
    /** The process used nearly all the CPU it may use. */
    CPU,
    /** A sleeping thread woke up late: the process is stalling (not explained by GC). */
    HICCUP,
    /** Many requests fail (5xx, timeouts). */
    ERRORS,
    /** "Under attack" was forced or released through the API. */
    MANUAL,
    /** The signals are back under their exit thresholds. */
    CALM
}
