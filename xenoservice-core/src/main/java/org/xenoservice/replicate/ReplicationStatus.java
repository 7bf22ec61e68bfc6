package org.xenoservice.replicate;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.xenoservice.overload.OverloadState;

/**
 * What the {@link Replicator} is doing, for dashboards, {@code /_xeno/status} and tests. Immutable;
 * a new one is published after every step.
 *
 * @param phase what the replicator is doing for the site
 * @param detectorState the overload detector's state, as last reported
 * @param bundleVersion the version of the current bundle, once built
 * @param bundleBuiltAt when the current bundle was built
 * @param wave how many activation waves this flood has had
 * @param peers every peer of the pool, in configuration order
 * @param addressesInDns the peer addresses the replicator put into the site's DNS name
 * @param originSheltered whether the origin's addresses are out of the name
 * @param dnsUpdates DNS UPDATE messages that succeeded
 * @param dnsFailures DNS UPDATE attempts that failed (and were retried)
 * @param httpsRequired whether a peer must serve a valid certificate for {@code certificateNames}
 *     to enter DNS (false for a site configured HTTP-only)
 * @param certificateNames the names a peer's certificate must cover
 * @param certificatesIssued certificates ordered from the CA and installed on a peer since start
 * @param certificateFailures certificate checks and orders that failed since start
 * @param recentSteps the latest steps, oldest first
 */
public record ReplicationStatus(
        ReplicationPhase phase,
        OverloadState detectorState,
        OptionalLong bundleVersion,
        Optional<Instant> bundleBuiltAt,
        int wave,
        List<ReplicaStatus> peers,
        List<InetAddress> addressesInDns,
        boolean originSheltered,
        long dnsUpdates,
        long dnsFailures,
        boolean httpsRequired,
        List<String> certificateNames,
        long certificatesIssued,
        long certificateFailures,
        List<Step> recentSteps) {

    /**
     * One thing the replicator did or tried, as also logged.
     *
     * @param at when
     * @param message what, in words
     */
    public record Step(Instant at, String message) {
        /** Checks nothing is null. */
        public Step {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Copies the lists. */
    public ReplicationStatus {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(detectorState, "detectorState");
        Objects.requireNonNull(bundleVersion, "bundleVersion");
        Objects.requireNonNull(bundleBuiltAt, "bundleBuiltAt");
        peers = List.copyOf(peers);
        addressesInDns = List.copyOf(addressesInDns);
        certificateNames = List.copyOf(certificateNames);
        recentSteps = List.copyOf(recentSteps);
    }

    /** The peers in a given state. */
    public List<ReplicaStatus> peersIn(ReplicaState state) {
        return peers.stream().filter(peer -> peer.state() == state).toList();
    }
}
