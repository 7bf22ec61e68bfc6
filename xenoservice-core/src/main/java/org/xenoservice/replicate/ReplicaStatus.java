package org.xenoservice.replicate;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.xenoservice.protocol.ServedCertificate;

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
 * @param certificate the certificate the peer last said it serves for the site over HTTPS
 * @param certificateRenewalAt when the origin renews that certificate, once known
 * @param certificateError what the last failed certificate check or order said, until one succeeds
 * @param drain while the peer drains (out of DNS, still serving): the requests it still carries;
 *     empty otherwise
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
        Optional<Instant> nextAttemptAt,
        Optional<ServedCertificate> certificate,
        Optional<Instant> certificateRenewalAt,
        Optional<String> certificateError,
        Optional<Drain> drain) {
    /**
     * A draining peer's traffic, as the origin's last poll of its request counter saw it: clients
     * with cached DNS answers still reach it, and it retires once they stop.
     *
     * @param requestsPerSecond the requests per second it served between the last two polls
     * @param quietSince since when it has served no request (its withdrawal at the earliest)
     */
    public record Drain(double requestsPerSecond, Instant quietSince) {
        /** Checks nothing is null. */
        public Drain {
            Objects.requireNonNull(quietSince, "quietSince");
        }
    }

    /** Checks nothing is null. */
    public ReplicaStatus {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stagedVersion, "stagedVersion");
        Objects.requireNonNull(activeVersion, "activeVersion");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(certificateRenewalAt, "certificateRenewalAt");
        Objects.requireNonNull(certificateError, "certificateError");
        Objects.requireNonNull(drain, "drain");
    }
}
