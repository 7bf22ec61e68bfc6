package org.xenoservice.replicate;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One peer in a {@link ReplicationStatus}.
 *
 * @param name the peer's configured name
 * @param region the peer's configured region, if any
 * @param state where the peer stands
 * @param stagedVersion the newest version the peer is known to hold
 * @param activeVersion the version the peer confirmed it serves
 * @param inDns whether the peer's addresses are in the site's DNS name
 * @param failures calls that failed in a row
 * @param lastError what the last failed call said
 * @param nextAttemptAt when a failed peer is tried again
 */
public record ReplicaStatus(
        String name,
        Optional<String> region,
        ReplicaState state,
        OptionalLong stagedVersion,
        OptionalLong activeVersion,
        boolean inDns,
        int failures,
        Optional<String> lastError,
        Optional<Instant> nextAttemptAt) {
    /** Checks nothing is null. */
    public ReplicaStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stagedVersion, "stagedVersion");
        Objects.requireNonNull(activeVersion, "activeVersion");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    }
}
