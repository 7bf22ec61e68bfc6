package org.xenoservice.samples.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongPredicate;

/**
 * Every request a simulated customer made: when (ms since the demo started), how long it took,
 * whether it succeeded, whether a peer or the origin answered, what it was (a static page, a search
 * or an order) and the kind of customer that sent it. Safe for concurrent use.
 */
final class LegitLog {
    /** A static page, as {@link Entry#what()} names it. */
    static final String PAGE = "page";
    /** A search, proxied to the origin's app. */
    static final String SEARCH = "search";
    /** An order (a {@code POST}), one entry per attempt. */
    static final String ORDER = "order";
    /** The request types, in the order {@code report.json} lists them. */
    static final List<String> REQUEST_TYPES = List.of(PAGE, SEARCH, ORDER);

    /**
     * One request.
     *
     * @param what {@link #PAGE}, {@link #SEARCH} or {@link #ORDER}
     * @param kind the kind of customer that sent it
     */
    record Entry(long atMillis, long latencyMillis, boolean ok, boolean byPeer, String what, CustomerKind kind) {}

    private final List<Entry> entries = new ArrayList<>();

    synchronized void add(Entry entry) {
        entries.add(entry);
    }

    /** The entries that started within [fromMillis, toMillis). */
    synchronized List<Entry> between(long fromMillis, long toMillis) {
        return entries.stream()
                .filter(e -> e.atMillis() >= fromMillis && e.atMillis() < toMillis)
                .toList();
    }

    synchronized List<Entry> all() {
        return List.copyOf(entries);
    }

    /** The {@code p}th percentile (0–100) of the latencies of {@code entries}, 0 when there are none. */
    static long percentile(List<Entry> entries, double p) {
        long[] latencies = entries.stream().mapToLong(Entry::latencyMillis).toArray();
        if (latencies.length == 0) {
            return 0;
        }
        Arrays.sort(latencies);
        int index = (int) Math.ceil(p / 100.0 * latencies.length) - 1;
        return latencies[Math.max(0, Math.min(latencies.length - 1, index))];
    }

    /** Entries whose start time matches. */
    static long count(List<Entry> entries, LongPredicate at) {
        return entries.stream().filter(e -> at.test(e.atMillis())).count();
    }
}
