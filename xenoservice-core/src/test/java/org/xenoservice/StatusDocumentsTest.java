package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationPhase;
import org.xenoservice.replicate.ReplicationStatus;

/** What {@code /_xeno/status} shows of the addresses in DNS. */
class StatusDocumentsTest {
    private static final XenoStatus.OriginDefence NO_DEFENCE = new XenoStatus.OriginDefence(
            0,
            new org.xenoservice.admission.AdmissionCounts(
                    false,
                    20,
                    10,
                    new org.xenoservice.admission.AdmissionCounts.TrafficCounts(0, 0, 0),
                    new org.xenoservice.admission.AdmissionCounts.TrafficCounts(0, 0, 0)),
            0,
            0,
            0,
            0,
            0);
    private static final XenoStatus.FromMemory NOTHING_FROM_MEMORY =
            new XenoStatus.FromMemory(0, OptionalLong.empty(), 0, 0, 0, XenoConfig.DEFAULT_STATIC_MEMORY_BYTES);

    @Test
    void whatIsServedFromMemoryIsShownAndCounted() throws IOException {
        OverloadSnapshot overload = new OverloadSnapshot(
                OverloadState.OVERLOADED, Duration.ofSeconds(1), false, true, Map.of(), 100, 150, 1);
        ReplicationStatus replication = new ReplicationStatus(
                ReplicationPhase.CALM,
                OverloadState.OVERLOADED,
                OptionalLong.of(7),
                Optional.empty(),
                0,
                List.of(),
                List.of(),
                false,
                0,
                0,
                false,
                List.of(),
                0,
                0,
                List.of());
        XenoStatus status = new XenoStatus(
                "books.example",
                10,
                2,
                overload,
                replication,
                Optional.empty(),
                new XenoStatus.BackChannel(0, Map.of()),
                new XenoStatus.FromMemory(1234, OptionalLong.of(7), 12, 3, 56_789, 1 << 20),
                NO_DEFENCE);

        JsonNode memory =
                new ObjectMapper().readTree(StatusDocuments.json(status)).path("fromMemory");
        assertEquals(1234, memory.path("served").asLong());
        assertEquals(7, memory.path("bundleVersion").asLong());
        assertEquals(12, memory.path("filesHeld").asInt());
        assertEquals(3, memory.path("filesLeftOut").asInt());
        assertEquals(56_789, memory.path("bytesHeld").asLong());
        assertEquals(1 << 20, memory.path("limitBytes").asLong());

        String metrics = new String(StatusDocuments.prometheus(status), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("# TYPE xeno_static_from_memory_total counter"), metrics);
        assertTrue(metrics.contains("xeno_static_from_memory_total{site=\"books.example\"} 1234"), metrics);
        assertTrue(metrics.contains("xeno_static_memory_bytes{site=\"books.example\"} 56789"), metrics);
        assertTrue(metrics.contains("xeno_static_memory_files{site=\"books.example\"} 12"), metrics);
    }

    @Test
    void addressesInDnsAreInTheirCanonicalForm() throws IOException {
        ReplicationStatus replication = new ReplicationStatus(
                ReplicationPhase.DEFENDING,
                OverloadState.OVERLOADED,
                OptionalLong.of(3),
                Optional.empty(),
                1,
                List.of(),
                List.of(
                        InetAddress.getByName("192.0.2.10"),
                        InetAddress.getByName("2001:db8:0:0:0:0:0:10"),
                        InetAddress.getByName("0:0:0:0:0:0:0:1")),
                true,
                1,
                0,
                true,
                List.of("books.example"),
                0,
                0,
                List.of());
        OverloadSnapshot overload = new OverloadSnapshot(
                OverloadState.OVERLOADED, Duration.ofSeconds(1), false, true, Map.of(), 100, 150, 1);
        XenoStatus status = new XenoStatus(
                "books.example",
                10,
                2,
                overload,
                replication,
                Optional.empty(),
                new XenoStatus.BackChannel(3, java.util.Map.of("bad-signature", 2L)),
                NOTHING_FROM_MEMORY,
                new XenoStatus.OriginDefence(
                        7,
                        new org.xenoservice.admission.AdmissionCounts(
                                true,
                                20,
                                10,
                                new org.xenoservice.admission.AdmissionCounts.TrafficCounts(3, 40, 1),
                                new org.xenoservice.admission.AdmissionCounts.TrafficCounts(7, 900, 5000)),
                        5,
                        3,
                        1,
                        1,
                        42));

        JsonNode json = new ObjectMapper().readTree(StatusDocuments.json(status));

        assertEquals(
                List.of("192.0.2.10", "2001:db8::10", "::1"),
                new ObjectMapper().convertValue(json.path("replication").path("addressesInDns"), List.class));
        assertEquals(7, json.path("originDefence").path("connectionsClosed").asLong());
        assertEquals(
                5000,
                json.path("originDefence")
                        .path("admission")
                        .path("direct")
                        .path("shed")
                        .asLong());
        assertEquals(
                3,
                json.path("originDefence")
                        .path("admission")
                        .path("peer")
                        .path("inFlight")
                        .asLong());
        String metrics = new String(StatusDocuments.prometheus(status), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(metrics.contains("xeno_origin_connections_closed_total{site=\"books.example\"} 7"), metrics);
        JsonNode defence = json.path("originDefence");
        assertEquals(5, defence.path("journaled").asLong());
        assertEquals(3, defence.path("journalApplied").asLong());
        assertEquals(1, defence.path("journalPending").asLong());
        assertEquals(1, defence.path("journalDead").asLong());
        assertTrue(metrics.contains("xeno_origin_journal_captured_total{site=\"books.example\"} 5"), metrics);
        assertTrue(metrics.contains("xeno_origin_journal_applied_total{site=\"books.example\"} 3"), metrics);
        assertTrue(metrics.contains("# TYPE xeno_origin_journal_pending gauge"), metrics);
        assertTrue(metrics.contains("xeno_origin_journal_pending{site=\"books.example\"} 1"), metrics);
        assertTrue(metrics.contains("xeno_origin_journal_dead_total{site=\"books.example\"} 1"), metrics);
        assertTrue(metrics.contains("xeno_origin_link_budget_refused_total{site=\"books.example\"} 42"), metrics);
    }

    @Test
    void eachPeersCertificateIsShownWithItsRenewalAndInTheMetrics() throws IOException {
        Instant notAfter = Instant.parse("2027-03-01T00:00:00Z");
        ReplicaStatus peer = new ReplicaStatus(
                "p1",
                Optional.empty(),
                ReplicaState.STAGED,
                OptionalLong.of(3),
                OptionalLong.empty(),
                false,
                0,
                Optional.empty(),
                Optional.empty(),
                Optional.of(new ServedCertificate(
                        List.of("books.example", "www.books.example"),
                        Instant.parse("2026-12-01T00:00:00Z"),
                        notAfter,
                        "0a1b")),
                Optional.of(Instant.parse("2027-01-30T00:00:00Z")),
                Optional.of("ca-unreachable: the CA is down"),
                Optional.of(new ReplicaStatus.Drain(2.54, Instant.parse("2026-12-06T10:00:00Z"))));
        ReplicationStatus replication = new ReplicationStatus(
                ReplicationPhase.CALM,
                OverloadState.NORMAL,
                OptionalLong.of(3),
                Optional.empty(),
                0,
                List.of(peer),
                List.of(),
                false,
                0,
                0,
                true,
                List.of("books.example", "www.books.example"),
                4,
                1,
                List.of());
        OverloadSnapshot overload =
                new OverloadSnapshot(OverloadState.NORMAL, Duration.ofSeconds(1), false, true, Map.of(), 100, 150, 1);
        XenoStatus status = new XenoStatus(
                "books.example",
                10,
                2,
                overload,
                replication,
                Optional.empty(),
                new XenoStatus.BackChannel(3, java.util.Map.of("bad-signature", 2L)),
                NOTHING_FROM_MEMORY,
                new XenoStatus.OriginDefence(
                        7,
                        new org.xenoservice.admission.AdmissionCounts(
                                true,
                                20,
                                10,
                                new org.xenoservice.admission.AdmissionCounts.TrafficCounts(3, 40, 1),
                                new org.xenoservice.admission.AdmissionCounts.TrafficCounts(7, 900, 5000)),
                        5,
                        3,
                        1,
                        1,
                        42));

        JsonNode json = new ObjectMapper().readTree(StatusDocuments.json(status));
        JsonNode shown = json.path("replication").path("peers").path(0);
        assertEquals(
                notAfter.toString(), shown.path("certificate").path("notAfter").asText());
        assertEquals(
                "www.books.example",
                shown.path("certificate").path("names").path(1).asText());
        assertEquals("2027-01-30T00:00:00Z", shown.path("certificateRenewalAt").asText());
        assertEquals(
                "ca-unreachable: the CA is down", shown.path("certificateError").asText());
        assertEquals(4, json.path("replication").path("certificatesIssued").asLong());
        assertEquals(
                2.5, shown.path("drain").path("requestsPerSecond").asDouble(), "what a draining peer still carries");
        assertEquals(
                "2026-12-06T10:00:00Z", shown.path("drain").path("quietSince").asText());
        assertTrue(new String(StatusDocuments.prometheus(status), java.nio.charset.StandardCharsets.UTF_8)
                .contains("xeno_draining_requests_per_second{site=\"books.example\"} 2.54"));
        assertTrue(json.path("replication").path("httpsRequired").asBoolean());

        String metrics = new String(StatusDocuments.prometheus(status), StandardCharsets.UTF_8);
        assertTrue(
                metrics.contains("xeno_peer_certificate_expiry_seconds{site=\"books.example\",peer=\"p1\"} "
                        + notAfter.getEpochSecond()),
                metrics);
        assertTrue(metrics.contains("xeno_certificates_issued_total{site=\"books.example\"} 4"), metrics);
        assertTrue(metrics.contains("xeno_certificate_failures_total{site=\"books.example\"} 1"), metrics);
    }
}
