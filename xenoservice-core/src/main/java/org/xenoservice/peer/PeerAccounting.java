package org.xenoservice.peer;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Every request and byte a peer serves, per site, and each site's request-rate quota: a site over
 * its rate gets 429 on this peer while the others are unaffected. Exported as a {@link Snapshot}
 * for the {@code status} call and as Prometheus text for {@code /metrics}.
 *
 * <p>The rate limit is a token bucket per site, refilled at the quota's requests per second and
 * holding at most one second's worth. A site's share of the peer's bandwidth is not decided here
 * but where the bytes go out, by {@link BandwidthLimiter}, which paces them. Safe for concurrent
 * use; a site's bucket is the only shared state its requests touch.
 */
public final class PeerAccounting implements ServingHooks {
    private final Map<String, SiteMeter> meters = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final List<Supplier<String>> moreMetrics = new CopyOnWriteArrayList<>();

    /**
     * Accounting for the enrolled sites.
     *
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    public PeerAccounting(Iterable<Enrollment> enrollments, LongSupplier nanoClock) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        for (Enrollment enrollment : enrollments) {
            meters.put(enrollment.site(), new SiteMeter(enrollment.quota().requestsPerSecond(), nanoClock.getAsLong()));
        }
    }

    /**
     * Follows a reload of the enrolled sites: a new site gets its meter, a site enrolled again keeps
     * its counts under its new request rate, a dropped site's meter goes. Safe while requests are counted.
     */
    public void reenroll(Collection<Enrollment> enrollments) {
        Set<String> kept = new HashSet<>();
        for (Enrollment enrollment : enrollments) {
            kept.add(enrollment.site());
            double rate = enrollment.quota().requestsPerSecond();
            SiteMeter known = meters.putIfAbsent(enrollment.site(), new SiteMeter(rate, nanoClock.getAsLong()));
            if (known != null) {
                known.rate(rate);
            }
        }
        meters.keySet().retainAll(kept);
    }

    /**
     * One site's counts.
     *
     * @param forwarded requests forwarded to the origin after the site's retirement (also in {@code requests})
     */
    public record Snapshot(long requests, long bytesSent, long rejected, long notFound, long forwarded) {}

    @Override
    public boolean admit(String site) {
        SiteMeter meter = meters.get(site.toLowerCase(Locale.ROOT));
        if (meter == null) {
            return true;
        }
        if (meter.take(nanoClock.getAsLong())) {
            return true;
        }
        meter.rejected.increment();
        return false;
    }

    @Override
    public void served(String site, int status, long bodyBytes) {
        SiteMeter meter = meters.get(site.toLowerCase(Locale.ROOT));
        if (meter == null) {
            return;
        }
        meter.requests.increment();
        if (bodyBytes > 0) {
            meter.bytesSent.add(bodyBytes);
        }
        if (status == 404) {
            meter.notFound.increment();
        }
    }

    @Override
    public void forwarded(String site) {
        SiteMeter meter = meters.get(site.toLowerCase(Locale.ROOT));
        if (meter != null) {
            meter.forwarded.increment();
        }
    }

    /** The counts of {@code site} (zeros for a site this peer does not host). */
    public Snapshot snapshot(String site) {
        SiteMeter meter = meters.get(site.toLowerCase(Locale.ROOT));
        return meter == null
                ? new Snapshot(0, 0, 0, 0, 0)
                : new Snapshot(
                        meter.requests.sum(),
                        meter.bytesSent.sum(),
                        meter.rejected.sum(),
                        meter.notFound.sum(),
                        meter.forwarded.sum());
    }

    /**
     * Adds the Prometheus lines {@code source} gives (e.g. {@link Captures#prometheus()}) to every
     * {@link #prometheus} text. {@code source} must be safe for concurrent use.
     */
    public void addMetrics(Supplier<String> source) {
        moreMetrics.add(Objects.requireNonNull(source, "source"));
    }

    /**
     * The Prometheus text exposition (version 0.0.4) of every site's counters, plus the stored bytes
     * that {@code storedBytes} reports per site and the lines of every {@link #addMetrics} source.
     */
    public String prometheus(Map<String, Long> storedBytes) {
        Map<String, Snapshot> sorted = new TreeMap<>();
        meters.keySet().forEach(site -> sorted.put(site, snapshot(site)));
        StringBuilder out = new StringBuilder();
        metric(
                out,
                "xeno_peer_requests_total",
                "counter",
                "Requests answered for the site.",
                sorted,
                Snapshot::requests);
        metric(
                out,
                "xeno_peer_sent_bytes_total",
                "counter",
                "Response body bytes sent for the site.",
                sorted,
                Snapshot::bytesSent);
        metric(
                out,
                "xeno_peer_rejected_requests_total",
                "counter",
                "Requests refused with 429: over the site's rate.",
                sorted,
                Snapshot::rejected);
        metric(out, "xeno_peer_not_found_total", "counter", "Requests answered 404.", sorted, Snapshot::notFound);
        metric(
                out,
                "xeno_peer_forwarded_requests_total",
                "counter",
                "Requests for the retired site forwarded to the origin (clients with cached DNS answers).",
                sorted,
                Snapshot::forwarded);
        out.append("# HELP xeno_peer_stored_bytes Bytes of the site's blobs in the store.\n")
                .append("# TYPE xeno_peer_stored_bytes gauge\n");
        for (String site : sorted.keySet()) {
            out.append("xeno_peer_stored_bytes{site=\"")
                    .append(site)
                    .append("\"} ")
                    .append(storedBytes.getOrDefault(site, 0L))
                    .append('\n');
        }
        moreMetrics.forEach(source -> out.append(source.get()));
        return out.toString();
    }

    private static void metric(
            StringBuilder out,
            String name,
            String type,
            String help,
            Map<String, Snapshot> sites,
            java.util.function.ToLongFunction<Snapshot> value) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append('\n')
                .append("# TYPE ")
                .append(name)
                .append(' ')
                .append(type)
                .append('\n');
        for (Map.Entry<String, Snapshot> site : sites.entrySet()) {
            out.append(name)
                    .append("{site=\"")
                    .append(site.getKey())
                    .append("\"} ")
                    .append(value.applyAsLong(site.getValue()))
                    .append('\n');
        }
    }

    /** One site's counters and token bucket. */
    private static final class SiteMeter {
        final LongAdder requests = new LongAdder();
        final LongAdder bytesSent = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder notFound = new LongAdder();
        final LongAdder forwarded = new LongAdder();
        private double perNano;
        private double capacity;
        private double tokens;
        private long lastNanos;

        SiteMeter(double requestsPerSecond, long now) {
            this.perNano = requestsPerSecond / 1e9;
            this.capacity = Math.max(1, requestsPerSecond);
            this.tokens = capacity;
            this.lastNanos = now;
        }

        synchronized void rate(double requestsPerSecond) {
            perNano = requestsPerSecond / 1e9;
            capacity = Math.max(1, requestsPerSecond);
            tokens = Math.min(tokens, capacity);
        }

        synchronized boolean take(long now) {
            long elapsed = Math.max(0, now - lastNanos);
            tokens = Math.min(capacity, tokens + elapsed * perNano);
            lastNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
