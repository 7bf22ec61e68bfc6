package org.xenoservice;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * Whether the site is sheltered now: some peer is in the site's DNS name, so a client that resolves
 * the name again may land on a peer instead of the flooded origin. The adapters ask on every direct
 * request, so the answer is read from the replicator's latest published status and recomputed only
 * when that status object changes (once a replicator tick): a volatile read and a reference
 * comparison per request, no allocation. Counts the connections the adapters close because of it.
 * Safe for concurrent use; two threads racing on a new status compute the same answer.
 */
final class ShelterSignal {
    private record Seen(ReplicationStatus status, boolean sheltered) {}

    private final Supplier<ReplicationStatus> statuses;
    private final LongAdder connectionsClosed = new LongAdder();
    private volatile Seen seen = new Seen(null, false);

    ShelterSignal(Supplier<ReplicationStatus> statuses) {
        this.statuses = statuses;
    }

    /** Whether some peer is in the site's name now. */
    boolean sheltered() {
        ReplicationStatus now = statuses.get();
        Seen last = seen;
        @SuppressWarnings("ReferenceEquality") // the same published object: equals would compare every peer
        boolean unchanged = last.status() == now;
        if (unchanged) {
            return last.sheltered();
        }
        boolean sheltered = now != null && now.peers().stream().anyMatch(ReplicaStatus::inDns);
        seen = new Seen(now, sheltered);
        return sheltered;
    }

    /** Whether to close a direct client's connection after its response; counted when so. */
    boolean closeDirectConnection() {
        if (!sheltered()) {
            return false;
        }
        connectionsClosed.increment();
        return true;
    }

    long connectionsClosed() {
        return connectionsClosed.sum();
    }
}
