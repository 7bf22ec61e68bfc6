package org.xenoservice.replicate;

import java.time.Duration;

/**
 * How long the replicator waits after failures in a row, of a peer call or of a DNS update:
 * {@link Replicator#MIN_RETRY_BACKOFF}, doubling with each failure up to
 * {@link Replicator#MAX_RETRY_BACKOFF}. Stateless.
 */
final class Backoff {
    private Backoff() {}

    /** The wait after {@code failuresInRow} failures (at least 1). */
    static Duration after(int failuresInRow) {
        long millis = Replicator.MIN_RETRY_BACKOFF.toMillis() << Math.min(failuresInRow - 1, 20);
        return Duration.ofMillis(Math.min(millis, Replicator.MAX_RETRY_BACKOFF.toMillis()));
    }
}
