package org.xenoservice;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xenoservice.admission.AdmissionCounts;
import org.xenoservice.dns.AddressLiterals;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.overload.Signal;
import org.xenoservice.overload.SignalReading;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationPhase;
import org.xenoservice.replicate.ReplicationStatus;

/** Writes a {@link XenoStatus} as the JSON of {@code /_xeno/status} and the text of {@code /_xeno/metrics}. */
final class StatusDocuments {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusDocuments() {}

    static byte[] json(XenoStatus status) {
        ObjectNode root = JSON.createObjectNode();
        root.put("site", status.site());
        root.put("requestsStarted", status.requestsStarted());
        root.put("inFlight", status.inFlight());
        OverloadSnapshot overload = status.overload();
        ObjectNode detector = root.putObject("overload");
        detector.put("state", overload.state().name());
        detector.put("inStateForMillis", overload.inStateFor().toMillis());
        detector.put("forced", overload.forced());
        detector.put("warmedUp", overload.warmedUp());
        detector.put("capacityPerSecond", overload.capacityPerSecond());
        detector.put("surgeThresholdPerSecond", overload.surgeThresholdPerSecond());
        ObjectNode readings = detector.putObject("readings");
        for (Map.Entry<Signal, SignalReading> entry : overload.readings().entrySet()) {
            ObjectNode reading = readings.putObject(entry.getKey().name());
            reading.put("value", finite(entry.getValue().value()));
            entry.getValue().baseline().ifPresent(baseline -> reading.put("baseline", finite(baseline)));
        }
        ReplicationStatus replication = status.replication();
        ObjectNode replicator = root.putObject("replication");
        replicator.put("phase", replication.phase().name());
        replicator.put("detectorState", replication.detectorState().name());
        replication.bundleVersion().ifPresent(version -> replicator.put("bundleVersion", version));
        replication.bundleBuiltAt().ifPresent(at -> replicator.put("bundleBuiltAt", at.toString()));
        replicator.put("wave", replication.wave());
        replicator.put("originSheltered", replication.originSheltered());
        replicator.put("dnsUpdates", replication.dnsUpdates());
        replicator.put("dnsFailures", replication.dnsFailures());
        replicator.put("httpsRequired", replication.httpsRequired());
        ArrayNode certificateNames = replicator.putArray("certificateNames");
        replication.certificateNames().forEach(certificateNames::add);
        replicator.put("certificatesIssued", replication.certificatesIssued());
        replicator.put("certificateFailures", replication.certificateFailures());
        ArrayNode addresses = replicator.putArray("addressesInDns");
        replication.addressesInDns().forEach(address -> addresses.add(AddressLiterals.format(address)));
        ArrayNode peers = replicator.putArray("peers");
        replication.peers().forEach(peer -> peer(peers.addObject(), peer));
        status.intake()
                .ifPresent(intake -> root.putObject("intake")
                        .put("applied", intake.applied())
                        .put("duplicates", intake.duplicates())
                        .put("refused", intake.refused())
                        .put("failed", intake.failed()));
        ObjectNode backChannel = root.putObject("backChannel");
        backChannel.put("verified", status.backChannel().verified());
        ObjectNode refusedByReason = backChannel.putObject("refused");
        new java.util.TreeMap<>(status.backChannel().refused()).forEach(refusedByReason::put);
        XenoStatus.FromMemory fromMemory = status.fromMemory();
        ObjectNode memory = root.putObject("fromMemory");
        memory.put("served", fromMemory.served());
        fromMemory.bundleVersion().ifPresent(version -> memory.put("bundleVersion", version));
        memory.put("filesHeld", fromMemory.filesHeld());
        memory.put("filesLeftOut", fromMemory.filesLeftOut());
        memory.put("bytesHeld", fromMemory.bytesHeld());
        memory.put("limitBytes", fromMemory.limitBytes());
        originDefence(root.putObject("originDefence"), status.originDefence());
        ArrayNode steps = replicator.putArray("recentSteps");
        for (ReplicationStatus.Step step : replication.recentSteps()) {
            steps.addObject().put("at", step.at().toString()).put("message", step.message());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values always writes", e);
        }
    }

    private static void peer(ObjectNode node, ReplicaStatus peer) {
        node.put("name", peer.name());
        peer.region().ifPresent(region -> node.put("region", region));
        node.put("state", peer.state().name());
        peer.stagedVersion().ifPresent(version -> node.put("stagedVersion", version));
        peer.activeVersion().ifPresent(version -> node.put("activeVersion", version));
        node.put("inDns", peer.inDns());
        node.put("failures", peer.failures());
        peer.lastError().ifPresent(error -> node.put("lastError", error));
        peer.nextAttemptAt().ifPresent(at -> node.put("nextAttemptAt", at.toString()));
        peer.certificate().ifPresent(certificate -> {
            ObjectNode held = node.putObject("certificate");
            ArrayNode names = held.putArray("names");
            certificate.names().forEach(names::add);
            held.put("notBefore", certificate.notBefore().toString());
            held.put("notAfter", certificate.notAfter().toString());
            held.put("serialNumber", certificate.serialNumber());
        });
        peer.certificateRenewalAt().ifPresent(at -> node.put("certificateRenewalAt", at.toString()));
        peer.certificateError().ifPresent(error -> node.put("certificateError", error));
        peer.drain().ifPresent(drain -> {
            ObjectNode draining = node.putObject("drain");
            draining.put("requestsPerSecond", Math.round(drain.requestsPerSecond() * 10) / 10.0);
            draining.put("quietSince", drain.quietSince().toString());
        });
    }

    static byte[] prometheus(XenoStatus status) {
        StringBuilder out = new StringBuilder(2048);
        String site = "site=\"" + status.site() + "\"";
        counter(out, "xeno_requests_total", "Requests the origin started.", site, status.requestsStarted());
        gauge(out, "xeno_requests_in_flight", "Requests started and not yet ended.", site, status.inFlight());
        help(out, "xeno_overload_state", "gauge", "1 for the detector's current state.");
        for (OverloadState state : OverloadState.values()) {
            sample(
                    out,
                    "xeno_overload_state",
                    site + ",state=\"" + state.name() + "\"",
                    status.overload().state() == state ? 1 : 0);
        }
        gauge(
                out,
                "xeno_capacity_per_second",
                "The learned healthy completion rate.",
                site,
                status.overload().capacityPerSecond());
        help(out, "xeno_overload_signal", "gauge", "The detector's signals, as last read.");
        for (Map.Entry<Signal, SignalReading> entry :
                status.overload().readings().entrySet()) {
            sample(
                    out,
                    "xeno_overload_signal",
                    site + ",signal=\"" + entry.getKey().name().toLowerCase(Locale.ROOT) + "\"",
                    finite(entry.getValue().value()));
        }
        ReplicationStatus replication = status.replication();
        help(out, "xeno_replication_phase", "gauge", "1 for the replicator's current phase.");
        for (ReplicationPhase phase : ReplicationPhase.values()) {
            sample(
                    out,
                    "xeno_replication_phase",
                    site + ",phase=\"" + phase.name() + "\"",
                    replication.phase() == phase ? 1 : 0);
        }
        peers(out, site, replication);
        gauge(
                out,
                "xeno_bundle_version",
                "The version of the current bundle (0 before the first).",
                site,
                replication.bundleVersion().orElse(0));
        gauge(
                out,
                "xeno_dns_addresses",
                "Peer addresses the replicator put in the site's DNS name.",
                site,
                replication.addressesInDns().size());
        gauge(
                out,
                "xeno_origin_sheltered",
                "1 while the origin's addresses are out of the site's DNS name.",
                site,
                replication.originSheltered() ? 1 : 0);
        counter(out, "xeno_dns_updates_total", "DNS UPDATE messages that succeeded.", site, replication.dnsUpdates());
        counter(out, "xeno_dns_failures_total", "DNS UPDATE attempts that failed.", site, replication.dnsFailures());
        certificates(out, site, replication);
        status.intake().ifPresent(intake -> intake(out, site, intake));
        backChannel(out, site, status.backChannel());
        fromMemory(out, site, status.fromMemory());
        originDefence(out, site, status.originDefence());
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The peers in each state, and what those that left DNS still serve. */
    private static void peers(StringBuilder out, String site, ReplicationStatus replication) {
        help(out, "xeno_peers", "gauge", "Peers of the pool in each state.");
        for (ReplicaState state : ReplicaState.values()) {
            sample(
                    out,
                    "xeno_peers",
                    site + ",state=\"" + state.name() + "\"",
                    replication.peersIn(state).size());
        }
        gauge(
                out,
                "xeno_draining_requests_per_second",
                "Requests per second the peers that left DNS still serve (clients with cached answers).",
                site,
                replication.peers().stream()
                        .flatMap(peer -> peer.drain().stream())
                        .mapToDouble(ReplicaStatus.Drain::requestsPerSecond)
                        .sum());
    }

    private static void intake(StringBuilder out, String site, XenoStatus.Intake intake) {
        help(
                out,
                "xeno_intake_requests_total",
                "counter",
                "Captured requests the origin's intake answered, by outcome.");
        sample(out, "xeno_intake_requests_total", site + ",outcome=\"applied\"", intake.applied());
        sample(out, "xeno_intake_requests_total", site + ",outcome=\"duplicate\"", intake.duplicates());
        sample(out, "xeno_intake_requests_total", site + ",outcome=\"refused\"", intake.refused());
        sample(out, "xeno_intake_requests_total", site + ",outcome=\"failed\"", intake.failed());
    }

    private static void originDefence(ObjectNode json, XenoStatus.OriginDefence defence) {
        json.put("connectionsClosed", defence.connectionsClosed())
                .put("journaled", defence.journaled())
                .put("journalApplied", defence.journalApplied())
                .put("journalPending", defence.journalPending())
                .put("journalDead", defence.journalDead())
                .put("overLinkBudget", defence.overLinkBudget());
        AdmissionCounts admission = defence.admission();
        ObjectNode limit = json.putObject("admission")
                .put("engaged", admission.engaged())
                .put("limit", admission.limit())
                .put("peerReserve", admission.peerReserve());
        for (Map.Entry<String, AdmissionCounts.TrafficCounts> traffic : trafficCounts(admission)) {
            limit.putObject(traffic.getKey())
                    .put("inFlight", traffic.getValue().inFlight())
                    .put("admitted", traffic.getValue().admitted())
                    .put("shed", traffic.getValue().shed());
        }
    }

    private static List<Map.Entry<String, AdmissionCounts.TrafficCounts>> trafficCounts(AdmissionCounts admission) {
        return List.of(Map.entry("peer", admission.peer()), Map.entry("direct", admission.direct()));
    }

    private static void originDefence(StringBuilder out, String site, XenoStatus.OriginDefence defence) {
        help(
                out,
                "xeno_origin_connections_closed_total",
                "counter",
                "Direct clients' connections the origin closed after their answer while sheltered, so that they"
                        + " resolve the name again.");
        sample(out, "xeno_origin_connections_closed_total", site, defence.connectionsClosed());
        AdmissionCounts admission = defence.admission();
        gauge(out, "xeno_admission_engaged", "1 while the admission limit applies.", site, admission.engaged() ? 1 : 0);
        gauge(
                out,
                "xeno_admission_limit",
                "The adaptive concurrency limit in front of the app.",
                site,
                admission.limit());
        help(out, "xeno_admission_in_flight", "gauge", "Requests in the app, by traffic (peer or direct).");
        trafficCounts(admission)
                .forEach(t -> sample(
                        out,
                        "xeno_admission_in_flight",
                        site + ",traffic=\"" + t.getKey() + "\"",
                        t.getValue().inFlight()));
        help(out, "xeno_admission_admitted_total", "counter", "Requests admitted to the app, by traffic.");
        trafficCounts(admission)
                .forEach(t -> sample(
                        out,
                        "xeno_admission_admitted_total",
                        site + ",traffic=\"" + t.getKey() + "\"",
                        t.getValue().admitted()));
        help(out, "xeno_admission_shed_total", "counter", "Requests refused without the app, by traffic.");
        trafficCounts(admission)
                .forEach(t -> sample(
                        out,
                        "xeno_admission_shed_total",
                        site + ",traffic=\"" + t.getKey() + "\"",
                        t.getValue().shed()));
        originJournal(out, site, defence);
    }

    /** The origin's journal of capture requests it had no room for ({@link XenoService#journalCapture}). */
    private static void originJournal(StringBuilder out, String site, XenoStatus.OriginDefence defence) {
        counter(
                out,
                "xeno_origin_journal_captured_total",
                "Direct requests of capture routes the origin journalled because the app had no room.",
                site,
                defence.journaled());
        counter(
                out,
                "xeno_origin_journal_applied_total",
                "Journalled requests applied once (or found applied before).",
                site,
                defence.journalApplied());
        gauge(
                out,
                "xeno_origin_journal_pending",
                "Journalled requests waiting for the app to have room.",
                site,
                defence.journalPending());
        counter(
                out,
                "xeno_origin_journal_dead_total",
                "Journalled requests the intake refused for what they are: set aside, not applied.",
                site,
                defence.journalDead());
        counter(
                out,
                "xeno_origin_link_budget_refused_total",
                "Direct clients' pages answered 503 while sheltered: over sheltered-direct-bytes-per-second.",
                site,
                defence.overLinkBudget());
    }

    private static void backChannel(StringBuilder out, String site, XenoStatus.BackChannel backChannel) {
        help(
                out,
                "xeno_backchannel_requests_total",
                "counter",
                "Requests claiming to come from the site's peers, verified or refused by reason.");
        sample(out, "xeno_backchannel_requests_total", site + ",outcome=\"verified\"", backChannel.verified());
        new java.util.TreeMap<>(backChannel.refused())
                .forEach((reason, count) -> sample(
                        out,
                        "xeno_backchannel_requests_total",
                        site + ",outcome=\"refused\",reason=\"" + reason + "\"",
                        count));
    }

    private static void fromMemory(StringBuilder out, String site, XenoStatus.FromMemory fromMemory) {
        counter(
                out,
                "xeno_static_from_memory_total",
                "Requests for static files the origin answered from memory, without the application.",
                site,
                fromMemory.served());
        gauge(
                out,
                "xeno_static_memory_bytes",
                "Bytes of static files the origin holds in memory for overload.",
                site,
                fromMemory.bytesHeld());
        gauge(out, "xeno_static_memory_files", "Static files the origin holds in memory for overload.", site, (long)
                fromMemory.filesHeld());
    }

    private static void certificates(StringBuilder out, String site, ReplicationStatus replication) {
        counter(
                out,
                "xeno_certificates_issued_total",
                "Certificates ordered from the CA and installed on a peer.",
                site,
                replication.certificatesIssued());
        counter(
                out,
                "xeno_certificate_failures_total",
                "Certificate checks and orders that failed (and were retried).",
                site,
                replication.certificateFailures());
        help(
                out,
                "xeno_peer_certificate_expiry_seconds",
                "gauge",
                "When the certificate each peer serves for the site expires, in seconds since the epoch.");
        for (ReplicaStatus peer : replication.peers()) {
            peer.certificate()
                    .ifPresent(certificate -> sample(
                            out,
                            "xeno_peer_certificate_expiry_seconds",
                            site + ",peer=\"" + peer.name() + "\"",
                            certificate.notAfter().getEpochSecond()));
        }
    }

    private static void counter(StringBuilder out, String name, String help, String labels, long value) {
        help(out, name, "counter", help);
        sample(out, name, labels, value);
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        help(out, name, "gauge", help);
        sample(out, name, labels, value);
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, long value) {
        help(out, name, "gauge", help);
        sample(out, name, labels, value);
    }

    private static void help(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append('{').append(labels).append("} ");
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        out.append('\n');
    }

    /** A count, exactly: a long never goes through a double, which is exact only up to 2^53. */
    private static void sample(StringBuilder out, String name, String labels, long value) {
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }
}
