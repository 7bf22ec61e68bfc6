package org.xenoservice.overload;

import java.time.Duration;
import java.util.Map;

/**
 * Everything the detector knows right now, for dashboards and metrics. Immutable; taken every bucket.
 *
 * @param state the current state
 * @param inStateFor how long it has been in that state
 * @param forced whether "under attack" mode was forced through the API
 * @param warmedUp whether the warm-up has finished (before it, nothing triggers)
 * @param readings every signal's value and baseline
 * @param capacityPerSecond the learned healthy completion rate (0 before it is known)
 * @param surgeThresholdPerSecond the arrival rate that would start a surge now
 * @param eventsSent how many events the detector has produced
 */
public record OverloadSnapshot(
        OverloadState state,
        Duration inStateFor,
        boolean forced,
        boolean warmedUp,
        Map<Signal, SignalReading> readings,
        double capacityPerSecond,
        double surgeThresholdPerSecond,
        long eventsSent) {

    /** Copies the readings. */
    public OverloadSnapshot {
        readings = Map.copyOf(readings);
    }
}
