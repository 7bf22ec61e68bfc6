package org.xenoservice.peer;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.xenoservice.protocol.CapturedRequest;

/**
 * The per-site token buckets behind {@link CaptureLimits}: one for requests and one for body bytes,
 * each refilled at its rate up to one second's worth (and at least one request of
 * {@link CapturedRequest#MAX_BODY_BYTES}). Time comes from an injectable nanosecond clock. Safe for
 * concurrent use: each site's buckets are guarded by their own lock.
 */
final class CaptureBudget {
    private final Function<String, CaptureLimits> limits;
    private final LongSupplier nanoTime;
    private final Map<String, Buckets> sites = new ConcurrentHashMap<>();

    CaptureBudget(Function<String, CaptureLimits> limits, LongSupplier nanoTime) {
        this.limits = limits;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes one request of {@code bodyBytes} from {@code site}'s buckets, or refuses with
     * {@link CaptureRefusedException.Reason#RATE RATE} and how long until it would fit.
     */
    void take(String site, int bodyBytes) throws CaptureRefusedException {
        CaptureLimits limit = limits.apply(site);
        Buckets buckets = sites.computeIfAbsent(site, unused -> new Buckets(limit, nanoTime.getAsLong()));
        Optional<Duration> wait = buckets.take(limit, bodyBytes, nanoTime.getAsLong());
        if (wait.isPresent()) {
            throw new CaptureRefusedException(
                    CaptureRefusedException.Reason.RATE,
                    "this site takes at most " + limit.requestsPerSecond() + " captured requests and "
                            + limit.bytesPerSecond() + " bytes per second on this peer; retry after "
                            + wait.get().toSeconds() + " s",
                    wait);
        }
    }

    /** A site's two buckets; every field is guarded by the instance's lock. */
    private static final class Buckets {
        private double requests;
        private double bytes;
        private long last;

        Buckets(CaptureLimits limit, long now) {
            this.requests = requestBurst(limit);
            this.bytes = byteBurst(limit);
            this.last = now;
        }

        synchronized Optional<Duration> take(CaptureLimits limit, int bodyBytes, long now) {
            double seconds = Math.max(0, now - last) / 1e9;
            last = now;
            requests = Math.min(requestBurst(limit), requests + seconds * limit.requestsPerSecond());
            bytes = Math.min(byteBurst(limit), bytes + seconds * limit.bytesPerSecond());
            if (requests >= 1 && bytes >= bodyBytes) {
                requests -= 1;
                bytes -= bodyBytes;
                return Optional.empty();
            }
            double wait =
                    Math.max((1 - requests) / limit.requestsPerSecond(), (bodyBytes - bytes) / limit.bytesPerSecond());
            return Optional.of(Duration.ofSeconds(Math.max(1, (long) Math.ceil(wait))));
        }

        private static double requestBurst(CaptureLimits limit) {
            return Math.max(1, limit.requestsPerSecond());
        }

        private static double byteBurst(CaptureLimits limit) {
            return Math.max(CapturedRequest.MAX_BODY_BYTES, limit.bytesPerSecond());
        }
    }
}
