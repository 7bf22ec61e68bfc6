package org.xenoservice;

import java.util.Objects;
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
 */
public record XenoStatus(String site, long requestsStarted, long inFlight, OverloadSnapshot overload,
    ReplicationStatus replication) {
  /** Checks nothing is null. */
  public XenoStatus {
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(overload, "overload");
    Objects.requireNonNull(replication, "replication");
  }
}
