package org.xenoservice.samples.demo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.xenoservice.XenoStatus;
import org.xenoservice.admission.AdmissionCounts;
import org.xenoservice.dns.AddressLiterals;
import org.xenoservice.overload.OverloadEvent;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.peer.PeerAccounting;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * What the dashboard shows, as the JSON its page polls ({@code /_xeno/api/state}): the latest
 * figures of a running {@link Demo} (flood, origin, peers, their certificates, customers,
 * detector, replicator, orders) and the last two minutes of samples. Read on the dashboard's
 * thread; everything it reads is safe to read from there.
 */
final class DashboardState {
    /** What the origin did for itself: admitted and shed by class, served from memory, journalled, moved on. */
    private static void putDefence(ObjectNode node, XenoStatus status) {
        XenoStatus.OriginDefence defence = status.originDefence();
        AdmissionCounts admission = defence.admission();
        node.put("engaged", admission.engaged());
        node.put("limit", admission.limit());
        node.put("peerAdmitted", admission.peer().admitted());
        node.put("peerShed", admission.peer().shed());
        node.put("directAdmitted", admission.direct().admitted());
        node.put("directShed", admission.direct().shed());
        node.put("servedFromMemory", status.fromMemory().served());
        node.put("journaled", defence.journaled());
        node.put("connectionsClosed", defence.connectionsClosed());
    }

    private final Demo demo;

    DashboardState(Demo demo) {
        this.demo = demo;
    }

    /** The dashboard's JSON: the latest figures and the last two minutes of samples. */
    ObjectNode json() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("site", Demo.SITE);
        root.put("dnsMode", demo.printedDns() ? "printed" : "bind");
        root.put("scheme", demo.scheme());
        root.put("atMillis", demo.nowMillis());
        List<Timeline.Sample> recent = demo.timeline.lastSamples(10);
        Timeline.Sample last = recent.isEmpty() ? null : recent.get(recent.size() - 1);
        ObjectNode floodNode = root.putObject("flood");
        floodNode.put("running", demo.flood().running());
        floodNode.put("ratePerSecond", demo.flood().ratePerSecond());
        floodNode.put("sent", demo.flood().sent());
        ObjectNode originNode = root.putObject("origin");
        originNode.put("address", Demo.ORIGIN_ADDRESS + ":" + demo.port());
        originNode.put("ratePerSecond", last == null ? 0 : Math.round(last.originPerSecond()));
        originNode.put("capacityPerSecond", Math.round(demo.options.capacityPerSecond()));
        putDefence(originNode.putObject("defence"), demo.xeno().status());
        ReplicationStatus replication = demo.xeno().replicator().status();
        putPeers(root.putArray("peers"), replication, last);
        putLegit(root.putObject("legit"));
        putDetector(root.putObject("detector"));
        putReplication(root.putObject("replication"), replication);
        root.put("certificates", certificates(replication));
        putOrders(root.putObject("orders"));
        putHistory(root.putArray("history"));
        return root;
    }

    private void putPeers(ArrayNode peerNodes, ReplicationStatus replication, Timeline.Sample last) {
        for (int i = 0; i < demo.peers().size(); i++) {
            ReplicaStatus status = replication.peers().get(i);
            ObjectNode peer = peerNodes.addObject();
            peer.put("name", status.name());
            peer.put("address", Demo.PEER_ADDRESSES.get(i));
            peer.put("state", status.state().name());
            peer.put(
                    "ratePerSecond",
                    last == null ? 0 : Math.round(last.peerPerSecond().getOrDefault(status.name(), 0.0)));
            PeerAccounting.Snapshot counted = demo.peers().get(i).accounting().snapshot(Demo.SITE);
            peer.put("requests", counted.requests());
            // after retirement: clients with cached answers, sent on to the origin instead of a 421
            peer.put("forwarded", counted.forwarded());
            peer.put("capturesPending", demo.peers().get(i).capturesPending(Demo.SITE));
        }
    }

    /** How many peers hold a certificate for the site, and until when the first one is valid. */
    private String certificates(ReplicationStatus replication) {
        if (demo.httpsPort().isEmpty()) {
            return "none needed (plain HTTP)";
        }
        List<ServedCertificate> held = replication.peers().stream()
                .flatMap(peer -> peer.certificate().stream())
                .toList();
        return held.size() + " of " + replication.peers().size() + " peers hold one"
                + (held.isEmpty()
                        ? ""
                        : " (valid until " + held.get(0).notAfter().toString().substring(0, 10) + ")");
    }

    private void putLegit(ObjectNode legitNode) {
        List<LegitLog.Entry> window = demo.legit.between(demo.nowMillis() - 2000, Long.MAX_VALUE);
        legitNode.put("p50Ms", LegitLog.percentile(window, 50));
        legitNode.put("p95Ms", LegitLog.percentile(window, 95));
        long ok = window.stream().filter(LegitLog.Entry::ok).count();
        legitNode.put("successPercent", window.isEmpty() ? 100 : Math.round(1000.0 * ok / window.size()) / 10.0);
        List<LegitLog.Entry> all = demo.legit.all();
        legitNode.put("requests", all.size());
        legitNode.put("failures", all.stream().filter(entry -> !entry.ok()).count());
        legitNode.put(
                "servedByPeers", all.stream().filter(LegitLog.Entry::byPeer).count());
    }

    private void putDetector(ObjectNode detector) {
        OverloadSnapshot snapshot = demo.xeno().detector().snapshot();
        detector.put("state", snapshot.state().name());
        detector.put("forced", snapshot.forced());
        detector.put("warmedUp", snapshot.warmedUp());
        detector.put("capacityPerSecond", Math.round(snapshot.capacityPerSecond()));
        ArrayNode reasons = detector.putArray("reasons");
        List<OverloadEvent> events = demo.xeno().detector().recentEvents();
        if (!events.isEmpty()) {
            OverloadEvent latest = events.get(events.size() - 1);
            latest.reasons().forEach(reason -> reasons.add(reason.name()));
            ArrayNode hot = detector.putArray("hotPaths");
            latest.hotPaths().forEach(hot::add);
            detector.put("since", latest.at().toString());
        }
    }

    private static void putReplication(ObjectNode replicationNode, ReplicationStatus replication) {
        replicationNode.put("phase", replication.phase().name());
        replicationNode.put("wave", replication.wave());
        replicationNode.put("originSheltered", replication.originSheltered());
        ArrayNode inDns = replicationNode.putArray("addressesInDns");
        replication.addressesInDns().forEach(address -> inDns.add(AddressLiterals.format(address)));
        ArrayNode steps = replicationNode.putArray("steps");
        List<ReplicationStatus.Step> recentSteps = replication.recentSteps();
        recentSteps
                .subList(Math.max(0, recentSteps.size() - 8), recentSteps.size())
                .forEach(step -> steps.add(step.at() + " " + step.message()));
    }

    private void putOrders(ObjectNode orders) {
        orders.put("attempted", demo.customers().ordersAttempted.get());
        orders.put("placed", demo.customers().ordersPlaced.get());
        long captured = demo.customers().ordersCapturedByPeers.get();
        int pending = demo.capturesPending();
        orders.put("captured", captured);
        orders.put("pendingAtPeers", pending);
        orders.put("forwarded", Math.max(0, captured - pending));
        orders.put("recorded", demo.shop().ordersRecorded());
        orders.put("duplicatesRefused", demo.shop().duplicatesRefused());
    }

    private void putHistory(ArrayNode history) {
        for (Timeline.Sample sample : demo.timeline.lastSamples(120)) {
            ObjectNode point = history.addObject();
            point.put("t", sample.atMillis());
            point.put("origin", Math.round(sample.originPerSecond()));
            point.put("peers", Math.round(sample.peersPerSecond()));
            point.put("p95", sample.legitP95Ms());
            point.put("state", sample.detector());
        }
    }
}
