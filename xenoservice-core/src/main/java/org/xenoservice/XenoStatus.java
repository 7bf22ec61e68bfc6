package org.xenoservice;

import java.util.Objects;
import java.util.Optional;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * What a {@link XenoService} sees and does, as {@code /_xeno/status} shows it.
 *
 * @param site the site's host name
 * @param requestsStarted requests the origin has started since the service started
 * @param inFlight requests started and not yet ended
 * @param overload the detector's view
 * @param replication the replicator's view
 * @param intake what the origin's capture intake did, when it has one
 */
public record XenoStatus(
        String site,
        long requestsStarted,
        long inFlight,
        OverloadSnapshot overload,
        ReplicationStatus replication,
        Optional<Intake> intake) {
    /**
     * The origin's capture intake, counted since the service started.
     *
     * @param applied captured requests applied
     * @param duplicates redeliveries of requests applied before, acknowledged without applying
     * @param refused requests refused as malformed, misdirected or still being applied (4xx)
     * @param failed requests the handler failed (5xx; the peer delivers them again)
     */
    public record Intake(long applied, long duplicates, long refused, long failed) {}

    /** Checks nothing is null. */
    public XenoStatus {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(overload, "overload");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(intake, "intake");
    }
}
