package org.xenoservice.benchmarks.attack;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;
import org.xenoservice.samples.demo.CustomerKind;

/**
 * The customers' requests of one run broken down for {@code report.json}: for every request type
 * (page, search, order, and all of them) and every kind of customer, success and latency in the
 * windows of {@link AttackReport} (during: from {@value AttackReport#SETTLE_MILLIS} ms after the
 * onset to the flood's end; after: the calm after it), and how long each kind took to reach the
 * peers. It exists so that the goals that speak of "every kind of customer" and "searches" can be
 * read off the report, apart from the page-load figures the earlier runs report.
 */
final class CustomerFigures {
    static final List<String> REQUEST_TYPES = List.of("page", "search", "order");

    private CustomerFigures() {}

    /** {@code legitimateRequests}: per window, per request type and for all of them. */
    static ObjectNode byRequestType(AttackReport.Run run) {
        return windows(run, line -> true);
    }

    /**
     * {@code byCustomerKind}: per kind of customer that took part (in {@link CustomerKind}'s order),
     * the windows per request type, and {@code reachedPeersAfterMillis} (from the flood's onset to
     * the kind's first request a peer answered; absent when none did) and
     * {@code reachedPeersAfterPeersInDnsMillis} (the same from the moment the peers entered DNS).
     */
    static ObjectNode byCustomerKind(AttackReport.Run run, OptionalLong peersInDns) {
        ObjectNode kinds = JsonNodeFactory.instance.objectNode();
        for (String kind : kindsTakingPart(run)) {
            ObjectNode node = windows(run, line -> line.client().equals(kind));
            OptionalLong reached = firstPeerAnswer(run, kind);
            reached.ifPresent(at -> node.put("reachedPeersAfterMillis", at - run.floodFrom()));
            if (reached.isPresent() && peersInDns.isPresent()) {
                node.put("reachedPeersAfterPeersInDnsMillis", reached.getAsLong() - peersInDns.getAsLong());
            }
            kinds.set(kind, node);
        }
        return kinds;
    }

    private static ObjectNode windows(AttackReport.Run run, Predicate<AttackReport.Line> of) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.set("during", window(run, of, run.floodFrom() + AttackReport.SETTLE_MILLIS, run.floodUntil()));
        node.set("after", window(run, of, run.floodUntil(), run.end()));
        return node;
    }

    private static ObjectNode window(AttackReport.Run run, Predicate<AttackReport.Line> of, long from, long until) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        List<AttackReport.Line> requests = run.customers().stream()
                .filter(of)
                .filter(line -> REQUEST_TYPES.contains(line.kind()) && line.at() >= from && line.at() < until)
                .toList();
        for (String type : REQUEST_TYPES) {
            node.set(
                    type,
                    AttackReport.window(requests.stream()
                            .filter(line -> line.kind().equals(type))
                            .toList()));
        }
        node.set("all", AttackReport.window(requests));
        return node;
    }

    /** The kinds of customer in the run's log, in {@link CustomerKind}'s order. */
    private static Set<String> kindsTakingPart(AttackReport.Run run) {
        Set<String> present = new LinkedHashSet<>();
        run.customers().forEach(line -> present.add(line.client()));
        Set<String> ordered = new LinkedHashSet<>();
        for (CustomerKind kind : CustomerKind.values()) {
            if (present.contains(kind.label())) {
                ordered.add(kind.label());
            }
        }
        ordered.addAll(present);
        return ordered;
    }

    private static OptionalLong firstPeerAnswer(AttackReport.Run run, String kind) {
        String origin = run.originAddress();
        return run.customers().stream()
                .filter(line -> line.client().equals(kind)
                        && REQUEST_TYPES.contains(line.kind())
                        && line.at() >= run.floodFrom()
                        && line.ok()
                        && !line.address().equals(origin))
                .mapToLong(AttackReport.Line::at)
                .findFirst();
    }
}
