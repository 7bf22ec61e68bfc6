package org.xenoservice.overload;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A change of the detector's state, with the evidence for it. Immutable; delivered to
 * {@link OverloadListener}s on the detector's event thread, in sequence order.
 *
 * @param sequence 1 for the first event of a detector, then one more for each
 * @param previous the state before
 * @param current the state now
 * @param at wall-clock time of the change
 * @param nanoTime the detector clock's time of the change
 * @param detectionLatency from the start of the first bucket that showed the evidence to the change
 * @param reasons the evidence (never empty)
 * @param readings every signal's value and baseline when the state changed
 * @param capacityPerSecond the learned estimate of how many requests per second the site completes
 *     while healthy (0 before it is known)
 * @param hotPaths the busiest named routes of the last second with their share, e.g. {@code "/search (71 %)"};
 *     empty unless the adapter reports routes (see {@link RequestRecorder#end(long, int, long, RequestKind, int)})
 * @param warmedUp whether the warm-up had finished (a forced change can come before)
 */
public record OverloadEvent(
        long sequence,
        OverloadState previous,
        OverloadState current,
        Instant at,
        long nanoTime,
        Duration detectionLatency,
        Set<OverloadReason> reasons,
        Map<Signal, SignalReading> readings,
        double capacityPerSecond,
        List<String> hotPaths,
        boolean warmedUp) {

    /** Copies the collections. */
    public OverloadEvent {
        reasons = Set.copyOf(reasons.isEmpty() ? EnumSet.noneOf(OverloadReason.class) : EnumSet.copyOf(reasons));
        readings = Map.copyOf(readings);
        hotPaths = List.copyOf(hotPaths);
    }
}
