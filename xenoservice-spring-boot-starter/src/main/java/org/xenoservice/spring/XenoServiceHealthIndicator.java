package org.xenoservice.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.xenoservice.XenoService;
import org.xenoservice.dns.AddressLiterals;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * The site's defence as Actuator health ({@code /actuator/health/xenoservice}): the detector's state,
 * the replicator's phase, the peer addresses in DNS, and the DNS and peer errors. A flood is not a
 * fault of the app, and a health check that failed under it would have load balancers and
 * orchestrators take away the very capacity the site needs, so:
 *
 * <ul>
 *   <li>{@code UP} in calm times, and under a flood the peers absorb: while any peer address is in
 *       the site's DNS name (the origin sheltered or not), whatever the detector says;
 *   <li>{@code OUT_OF_SERVICE} while the detector says OVERLOADED and no peer is in DNS: the origin
 *       takes the flood alone (the first wave is on its way, or no peer could be activated);
 *   <li>{@code DOWN} when the pool has peers and every one of them FAILED: no flood can be absorbed
 *       until an operator looks.
 * </ul>
 *
 * Details: {@code detector}, {@code forced} ("under attack"), {@code phase}, {@code wave},
 * {@code peersInDns}, {@code originSheltered}, {@code dnsUpdates}, {@code dnsFailures},
 * {@code certificateFailures}, and {@code peers}, each peer's state and last error.
 */
public final class XenoServiceHealthIndicator implements HealthIndicator {
    private final XenoService service;

    /** The health of {@code service}'s defence. */
    public XenoServiceHealthIndicator(XenoService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    @Override
    public Health health() {
        OverloadSnapshot detector = service.detector().snapshot(); // as of the detector's last tick
        OverloadState state = service.detector().state();
        ReplicationStatus replication = service.replicator().status();
        boolean peersInDns = !replication.addressesInDns().isEmpty();
        boolean allFailed = !replication.peers().isEmpty()
                && replication.peersIn(ReplicaState.FAILED).size()
                        == replication.peers().size();
        Health.Builder health;
        if (allFailed) {
            health = Health.down();
        } else if (state == OverloadState.OVERLOADED && !peersInDns) {
            health = Health.outOfService();
        } else {
            health = Health.up();
        }
        Map<String, Object> peers = new LinkedHashMap<>();
        for (ReplicaStatus peer : replication.peers()) {
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("state", peer.state().name());
            detail.put("inDns", peer.inDns());
            detail.put("failures", peer.failures());
            peer.lastError().ifPresent(error -> detail.put("lastError", error));
            peer.certificateError().ifPresent(error -> detail.put("certificateError", error));
            peers.put(peer.name(), detail);
        }
        return health.withDetail("site", service.config().site())
                .withDetail("detector", state.name())
                .withDetail("forced", detector.forced())
                .withDetail("phase", replication.phase().name())
                .withDetail("wave", replication.wave())
                .withDetail(
                        "peersInDns",
                        replication.addressesInDns().stream()
                                .map(AddressLiterals::format)
                                .toList())
                .withDetail("originSheltered", replication.originSheltered())
                .withDetail("dnsUpdates", replication.dnsUpdates())
                .withDetail("dnsFailures", replication.dnsFailures())
                .withDetail("certificateFailures", replication.certificateFailures())
                .withDetail("peers", peers)
                .build();
    }
}
