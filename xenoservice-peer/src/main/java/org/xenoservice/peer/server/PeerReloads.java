package org.xenoservice.peer.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.peer.BandwidthLimiter;
import org.xenoservice.peer.Captures;
import org.xenoservice.peer.ControlProtocol;
import org.xenoservice.peer.PeerAccounting;
import org.xenoservice.peer.PeerConfig;
import org.xenoservice.peer.PeerException;
import org.xenoservice.peer.PeerSites;
import org.xenoservice.peer.SiteCertificates;
import org.xenoservice.protocol.ControlCodec;
import org.xenoservice.protocol.ControlError;

/**
 * The steps of a running peer's reload and graceful stop, apart from {@link PeerServer}, which holds
 * the parts and the lock: apply a configuration all or nothing, log and answer what a reload did,
 * and give the capture forwarders a last, bounded chance to deliver. Stateless.
 */
final class PeerReloads {
    /** The longest a stop waits for the capture forwarders, within the stop's own bound. */
    static final Duration CAPTURE_FLUSH_LIMIT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(PeerServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POLL_MILLIS = 50;

    private PeerReloads() {}

    /** What a reload changes in a running peer. */
    record Parts(
            PeerSites sites,
            PeerAccounting accounting,
            BandwidthLimiter bandwidth,
            Optional<SiteCertificates> certificates,
            Clock clock) {}

    /**
     * Applies {@code next} to {@code parts}, or nothing: the manual certificates are checked first,
     * then the sites re-enrolled (which checks before it changes anything), then the certificates
     * (the sites are put back when that fails), and only then the counters and bandwidth, which
     * cannot fail.
     *
     * @param started the configuration the peer started with (what its listeners use)
     * @param before the configuration applied last
     */
    static ReloadResult apply(Parts parts, PeerConfig started, PeerConfig before, PeerConfig next) {
        List<String> changes = new ArrayList<>(ConfigChanges.sites(before.enrollments(), next.enrollments()));
        changes.addAll(ConfigChanges.manualCertificates(before.manualCertificates(), next.manualCertificates()));
        changes.addAll(ConfigChanges.applied(before, next));
        try {
            if (parts.certificates().isPresent()) {
                SiteCertificates.check(next.manualCertificates(), parts.clock());
            }
            parts.sites().reenroll(next.enrollments());
            if (parts.certificates().isPresent()) {
                renewCertificates(parts, before, next, changes);
            }
        } catch (PeerException | IOException | IllegalArgumentException e) {
            return ReloadResult.refused(e.getMessage());
        }
        parts.accounting().reenroll(next.enrollments());
        parts.bandwidth().reenroll(next.enrollments(), next.bandwidthBytesPerSecond());
        parts.sites().forwardRetiredFor(next.retiredForwarding());
        return new ReloadResult(Optional.empty(), changes, ConfigChanges.restartNeeded(started, next));
    }

    private static void renewCertificates(Parts parts, PeerConfig before, PeerConfig next, List<String> changes)
            throws PeerException, IOException {
        SiteCertificates certificates = parts.certificates().orElseThrow();
        Set<String> renewed;
        try {
            renewed = certificates.reenroll(next.enrollments(), next.manualCertificates());
        } catch (IOException | IllegalArgumentException e) {
            parts.sites().reenroll(before.enrollments()); // the sites of the configuration kept
            throw e;
        }
        for (String site : renewed) {
            changes.add("certificate renewed: " + site + " ("
                    + certificates
                            .served(site)
                            .map(served -> String.join(", ", served.names()) + " until " + served.notAfter())
                            .orElse("")
                    + ")");
        }
    }

    /** Logs what a reload did, one line per event, and returns it. */
    static ReloadResult logged(ReloadResult result) {
        if (result.refusal().isPresent()) {
            LOG.warn(
                    "peer: reload refused, still serving the previous configuration: {}",
                    result.refusal().get());
            return result;
        }
        LOG.info(
                "peer: reload applied: {}",
                result.changes().isEmpty()
                        ? "nothing changed"
                        : result.changes().size() + " change(s)");
        result.changes().forEach(change -> LOG.info("peer: reload: {}", change));
        result.restartNeeded().forEach(setting -> LOG.warn("peer: reload: {}", setting));
        return result;
    }

    /** The operator's control call's answer: 200 with what changed, or 422 with why nothing did. */
    static ControlProtocol.Response answer(ReloadResult result) {
        if (result.refusal().isPresent()) {
            return new ControlProtocol.Response(
                    422,
                    ControlCodec.JSON_TYPE,
                    ControlCodec.writeError(new ControlError(
                            "config-rejected",
                            result.refusal().get() + "; the peer still serves its previous configuration")));
        }
        ObjectNode body = JSON.createObjectNode().put("applied", true);
        result.changes().forEach(body.putArray("changes")::add);
        result.restartNeeded().forEach(body.putArray("restart-needed")::add);
        try {
            return new ControlProtocol.Response(200, ControlCodec.JSON_TYPE, JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a JSON tree", e);
        }
    }

    /**
     * Waits, until {@code deadline} (a {@link System#nanoTime()} value) and at most
     * {@link #CAPTURE_FLUSH_LIMIT}, for the forwarders to deliver the captured requests pending,
     * and logs how many stay in the journal for the next start.
     */
    static void flushCaptures(Captures captures, Set<String> sites, long deadline) throws InterruptedException {
        long until = Math.min(deadline, System.nanoTime() + CAPTURE_FLUSH_LIMIT.toNanos());
        int pending = pending(captures, sites);
        if (pending == 0) {
            LOG.info("peer: captures: nothing pending; the journals are on disk");
            return;
        }
        LOG.info("peer: captures: {} captured request(s) pending; giving the forwarders a last chance", pending);
        while (pending > 0 && System.nanoTime() < until) {
            Thread.sleep(POLL_MILLIS);
            pending = pending(captures, sites);
        }
        if (pending == 0) {
            LOG.info("peer: captures: every captured request delivered");
        } else {
            LOG.warn(
                    "peer: captures: {} captured request(s) not delivered yet; they stay in the journal and the "
                            + "next start delivers them",
                    pending);
        }
    }

    private static int pending(Captures captures, Set<String> sites) {
        int pending = 0;
        for (String site : sites) {
            pending += captures.pendingCount(site);
        }
        return pending;
    }
}
