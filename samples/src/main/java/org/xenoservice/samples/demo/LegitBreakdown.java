package org.xenoservice.samples.demo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The customers' requests broken down for {@code report.json}: success and latency per
 * {@link CustomerKind kind of customer} and per request type (static page, search, order), and for
 * each kind how long after the flood's onset its requests first reached the peers.
 */
final class LegitBreakdown {
    private LegitBreakdown() {}

    /**
     * Success and latency of some requests.
     *
     * @param successPercent succeeded / requests in percent, one decimal; 0 when there were none
     */
    record Figures(long requests, long succeeded, double successPercent, long p50Ms, long p95Ms) {
        static Figures of(List<LegitLog.Entry> entries) {
            long succeeded = entries.stream().filter(LegitLog.Entry::ok).count();
            return new Figures(
                    entries.size(),
                    succeeded,
                    entries.isEmpty() ? 0 : Math.round(1000.0 * succeeded / entries.size()) / 10.0,
                    LegitLog.percentile(entries, 50),
                    LegitLog.percentile(entries, 95));
        }
    }

    /**
     * One kind of customer's figures.
     *
     * @param sharePercent the kind's share of the customers
     * @param reachedPeersAfterMs ms from the flood's onset until the kind's first request a peer
     *     answered successfully; -1 when none did (or there was no flood)
     * @param byRequestType the figures per request type: {@code page}, {@code search}, {@code order}
     */
    record KindFigures(
            int sharePercent,
            long requests,
            long succeeded,
            double successPercent,
            long p50Ms,
            long p95Ms,
            long reachedPeersAfterMs,
            Map<String, Figures> byRequestType) {}

    /** The figures per request type ({@code page}, {@code search}, {@code order}, in that order). */
    static Map<String, Figures> byRequestType(List<LegitLog.Entry> entries) {
        Map<String, Figures> figures = new LinkedHashMap<>();
        for (String type : LegitLog.REQUEST_TYPES) {
            figures.put(
                    type,
                    Figures.of(entries.stream()
                            .filter(entry -> entry.what().equals(type))
                            .toList()));
        }
        return Collections.unmodifiableMap(figures);
    }

    /**
     * The figures per kind of customer, keyed by {@link CustomerKind#label()} in the kinds' order;
     * {@code floodStartMillis} is the flood's onset, empty when there was none.
     */
    static Map<String, KindFigures> byKind(List<LegitLog.Entry> entries, OptionalLong floodStartMillis) {
        Map<String, KindFigures> figures = new LinkedHashMap<>();
        for (CustomerKind kind : CustomerKind.values()) {
            List<LegitLog.Entry> ofKind =
                    entries.stream().filter(entry -> entry.kind() == kind).toList();
            Figures all = Figures.of(ofKind);
            figures.put(
                    kind.label(),
                    new KindFigures(
                            kind.sharePercent(),
                            all.requests(),
                            all.succeeded(),
                            all.successPercent(),
                            all.p50Ms(),
                            all.p95Ms(),
                            reachedPeersAfter(ofKind, floodStartMillis),
                            byRequestType(ofKind)));
        }
        return Collections.unmodifiableMap(figures);
    }

    /** Ms from the flood's onset to the first request at or after it that a peer answered successfully, or -1. */
    static long reachedPeersAfter(List<LegitLog.Entry> entries, OptionalLong floodStartMillis) {
        if (floodStartMillis.isEmpty()) {
            return -1;
        }
        long onset = floodStartMillis.getAsLong();
        OptionalLong first = entries.stream()
                .filter(entry -> entry.byPeer() && entry.ok() && entry.atMillis() >= onset)
                .mapToLong(LegitLog.Entry::atMillis)
                .min();
        return first.isPresent() ? first.getAsLong() - onset : -1;
    }
}
