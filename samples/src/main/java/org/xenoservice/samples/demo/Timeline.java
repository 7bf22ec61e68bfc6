package org.xenoservice.samples.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What the demo saw, second by second, and the moments that matter (flood start, first detection,
 * first DNS update, withdrawal). Written by the demo's sampler thread, read by the dashboard, the
 * report and the chart; safe for concurrent use.
 */
final class Timeline {
    /**
     * One sample, over the second before {@code atMillis}.
     *
     * @param atMillis ms since the demo started
     * @param originPerSecond requests per second arriving at the origin
     * @param peerPerSecond requests per second served by each peer, by peer name
     * @param legitP50Ms legit latency median over the last second
     * @param legitP95Ms legit latency 95th percentile over the last second
     * @param legitRequests legit requests in the last second
     * @param legitFailures legit requests that failed in the last second
     * @param detector the detector's state
     * @param phase the replicator's phase
     * @param peersInDns how many peer addresses the replicator has in DNS
     * @param flooding whether the flood was running
     */
    record Sample(
            long atMillis,
            double originPerSecond,
            Map<String, Double> peerPerSecond,
            long legitP50Ms,
            long legitP95Ms,
            long legitRequests,
            long legitFailures,
            String detector,
            String phase,
            int peersInDns,
            boolean flooding) {
        double peersPerSecond() {
            return peerPerSecond.values().stream()
                    .mapToDouble(Double::doubleValue)
                    .sum();
        }
    }

    /** A timestamped line of the timeline, as printed. */
    record Event(long atMillis, String text) {}

    private final List<Sample> samples = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private long floodStartedAt = -1;
    private long floodStoppedAt = -1;
    private long detectedAt = -1;
    private long dnsUpdatedAt = -1;
    private long withdrawnAt = -1;
    private int peersActivated;

    synchronized void add(Sample sample) {
        samples.add(sample);
    }

    synchronized void event(Event event) {
        events.add(event);
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    synchronized List<Sample> lastSamples(int count) {
        return List.copyOf(samples.subList(Math.max(0, samples.size() - count), samples.size()));
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized void floodStarted(long atMillis) {
        floodStartedAt = atMillis;
        floodStoppedAt = -1;
        detectedAt = -1;
        dnsUpdatedAt = -1;
        withdrawnAt = -1;
    }

    synchronized void floodStopped(long atMillis) {
        floodStoppedAt = atMillis;
    }

    /** Notes a detector state other than NORMAL; the first after the flood started is the detection. */
    synchronized boolean detected(long atMillis) {
        if (floodStartedAt >= 0 && detectedAt < 0) {
            detectedAt = atMillis;
            return true;
        }
        return false;
    }

    /** Notes how many peers are in DNS now; the first non-zero after the flood started is the DNS update. */
    synchronized void peersInDns(long atMillis, int count) {
        if (floodStartedAt < 0) {
            return;
        }
        if (count > 0 && dnsUpdatedAt < 0) {
            dnsUpdatedAt = atMillis;
        }
        if (count > 0) {
            withdrawnAt = -1;
        }
        peersActivated = Math.max(peersActivated, count);
        if (count == 0 && dnsUpdatedAt >= 0 && floodStoppedAt >= 0 && withdrawnAt < 0) {
            withdrawnAt = atMillis;
        }
    }

    synchronized OptionalLong floodStartedAt() {
        return at(floodStartedAt);
    }

    synchronized OptionalLong floodStoppedAt() {
        return at(floodStoppedAt);
    }

    synchronized OptionalLong detectedAt() {
        return at(detectedAt);
    }

    synchronized OptionalLong dnsUpdatedAt() {
        return at(dnsUpdatedAt);
    }

    synchronized OptionalLong withdrawnAt() {
        return at(withdrawnAt);
    }

    synchronized int peersActivated() {
        return peersActivated;
    }

    private static OptionalLong at(long value) {
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
