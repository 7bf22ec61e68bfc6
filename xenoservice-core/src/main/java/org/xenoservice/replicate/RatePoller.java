package org.xenoservice.replicate;

import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import org.xenoservice.protocol.SiteStatus;

/**
 * Learns how many requests per second the peers in DNS serve, by asking each for its request
 * counter about once a second, so that the replicator withdraws them only once the flood has left
 * them too; and, for peers that left DNS, when they last served a request, so that they retire only
 * once the clients holding cached answers have gone ({@link #quietSince}). A peer that cannot be
 * asked counts as serving nothing: it must not hold the others back.
 *
 * <p>Not thread-safe: confined to the replicator's loop thread (the polls themselves run through
 * {@link PeerCalls}).
 */
final class RatePoller {
    /** How often a peer in DNS is asked. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    /** A rate older than this is stale: withdrawal waits for a fresh one. */
    static final Duration FRESH_FOR = POLL_INTERVAL.multipliedBy(3);

    /** One peer's counter and the rate derived from it. */
    private static final class Meter {
        Optional<CompletableFuture<SiteStatus>> poll = Optional.empty();
        Instant polledAt = Instant.MIN;
        long requestsSeen = -1;
        Instant rateAt = Instant.MIN;
        double requestsPerSecond;
        /** When a poll last saw the counter grow. */
        Instant activeAt = Instant.MIN;
    }

    private final PeerCalls calls;
    private final IdentityHashMap<Replica, Meter> meters = new IdentityHashMap<>();

    RatePoller(List<Replica> replicas, PeerCalls calls) {
        this.calls = calls;
        replicas.forEach(replica -> meters.put(replica, new Meter()));
    }

    /** Asks every peer of {@code peers} that was not asked in the last second and has no poll under way. */
    void poll(Instant now, List<Replica> peers) {
        for (Replica replica : peers) {
            Meter meter = meters.get(replica);
            if (meter.poll.isEmpty() && !now.isBefore(meter.polledAt.plus(POLL_INTERVAL))) {
                meter.poll = Optional.of(calls.status(replica));
            }
        }
    }

    /** Takes the answers of finished polls: each peer's request rate since its last answer. */
    void collect(Instant now) {
        meters.values().forEach(meter -> collect(now, meter));
    }

    private static void collect(Instant now, Meter meter) {
        if (meter.poll.isEmpty() || !meter.poll.get().isDone()) {
            return;
        }
        CompletableFuture<SiteStatus> done = meter.poll.get();
        meter.poll = Optional.empty();
        Instant previous = meter.polledAt;
        meter.polledAt = now;
        try {
            long requests = done.join().requests();
            if (meter.requestsSeen >= 0 && requests > meter.requestsSeen) {
                meter.activeAt = now;
            }
            if (meter.requestsSeen >= 0 && now.isAfter(previous)) {
                meter.requestsPerSecond = Math.max(0, requests - meter.requestsSeen)
                        * 1000.0
                        / Math.max(1, Duration.between(previous, now).toMillis());
                meter.rateAt = now;
            }
            meter.requestsSeen = requests;
        } catch (RuntimeException e) {
            meter.requestsPerSecond = 0; // an unreachable peer serves nobody: it must not hold the others back
            meter.rateAt = now;
        }
    }

    /**
     * Since when {@code replica} has served no request as far as the polls saw, counted from
     * {@code notBefore} at the earliest (its withdrawal): a peer that cannot be asked shows no
     * request, so it does not drain for ever.
     */
    Instant quietSince(Replica replica, Instant notBefore) {
        Instant activeAt = meters.get(replica).activeAt;
        return activeAt.isAfter(notBefore) ? activeAt : notBefore;
    }

    /** The requests per second {@code replica} served at its last poll (0 before the first rate). */
    double lastRate(Replica replica) {
        return meters.get(replica).requestsPerSecond;
    }

    /** The summed rate of {@code inDns}, or empty while one of them has no fresh rate yet. */
    OptionalDouble totalRate(Instant now, List<Replica> inDns) {
        double total = 0;
        for (Replica replica : inDns) {
            Meter meter = meters.get(replica);
            if (now.isAfter(meter.rateAt.plus(FRESH_FOR))) {
                return OptionalDouble.empty();
            }
            total += meter.requestsPerSecond;
        }
        return OptionalDouble.of(total);
    }
}
