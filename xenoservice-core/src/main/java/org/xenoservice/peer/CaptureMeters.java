package org.xenoservice.peer;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * One site's capture counters (requests refused by reason, dead letters dropped) and the
 * Prometheus lines {@link Captures#prometheus()} writes. Lock-free; safe for concurrent use.
 */
final class CaptureMeters {
    private final Map<CaptureRefusedException.Reason, LongAdder> refused =
            new EnumMap<>(CaptureRefusedException.Reason.class);
    private final LongAdder droppedDeadLetters = new LongAdder();

    CaptureMeters() {
        for (CaptureRefusedException.Reason reason : CaptureRefusedException.Reason.values()) {
            refused.put(reason, new LongAdder());
        }
    }

    void refused(CaptureRefusedException.Reason reason) {
        refused.get(reason).increment();
    }

    void droppedDeadLetter() {
        droppedDeadLetters.increment();
    }

    long refusedCount(CaptureRefusedException.Reason reason) {
        return refused.get(reason).sum();
    }

    static void gauge(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    static void line(StringBuilder out, String name, String site, String labels, long value) {
        out.append(name)
                .append("{site=\"")
                .append(site)
                .append('"')
                .append(labels)
                .append("} ")
                .append(value)
                .append('\n');
    }

    /** The counters of every site in {@code sites}. */
    static void counters(StringBuilder out, Set<String> sites, Function<String, CaptureMeters> meters) {
        out.append("# HELP xeno_peer_capture_refused_total Captured requests refused, by reason.\n")
                .append("# TYPE xeno_peer_capture_refused_total counter\n");
        for (String site : sites) {
            for (CaptureRefusedException.Reason reason : CaptureRefusedException.Reason.values()) {
                line(
                        out,
                        "xeno_peer_capture_refused_total",
                        site,
                        ",reason=\"" + reason.id() + "\"",
                        meters.apply(site).refusedCount(reason));
            }
        }
        out.append("# HELP xeno_peer_capture_dead_letters_dropped_total Oldest dead letters dropped over the bound.\n")
                .append("# TYPE xeno_peer_capture_dead_letters_dropped_total counter\n");
        for (String site : sites) {
            line(
                    out,
                    "xeno_peer_capture_dead_letters_dropped_total",
                    site,
                    "",
                    meters.apply(site).droppedDeadLetters.sum());
        }
    }
}
