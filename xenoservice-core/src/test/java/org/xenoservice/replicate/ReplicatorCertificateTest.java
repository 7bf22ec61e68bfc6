package org.xenoservice.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.replicate.ReplicatorFixture.START;
import static org.xenoservice.replicate.ReplicatorFixture.WAVE_INTERVAL;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.protocol.ServedCertificate;

/**
 * How the replicator keeps its peers' certificates, on fake peers and a fake CA with a manual
 * clock: one order per peer in calm times, none for a peer that holds a fitting certificate,
 * renewal when a third of the lifetime is left, backoff while the CA is down, and no peer in DNS
 * without a certificate valid for another day — unless the site is HTTP-only.
 */
@Timeout(10)
class ReplicatorCertificateTest {
    private static final List<String> NAMES = List.of(ReplicatorFixture.SITE, "www." + ReplicatorFixture.SITE);
    private static final Duration LIFETIME = Duration.ofDays(90);

    @TempDir
    Path dir;

    private ReplicatorFixture fixture;
    private FakeCa ca;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private ReplicatorFixture withCa(int peers) throws IOException {
        fixture = new ReplicatorFixture(dir).peers(peers);
        ca = new FakeCa(NAMES, fixture.clock, LIFETIME);
        return fixture.https(Optional.of(ca));
    }

    @Test
    void inCalmTimesEveryPeerGetsOneCertificateForItsOwnKeyAndNoMore() throws IOException {
        withCa(3).start();

        assertEquals(List.of(NAMES, NAMES, NAMES), ca.orders(), "one order per peer");
        for (String name : List.of("p1", "p2", "p3")) {
            FakePeer peer = fixture.peer(name);
            assertTrue(peer.calls().contains("csr " + NAMES), "the peer made the request: " + peer.calls());
            assertTrue(peer.calls().contains("install"), peer.calls().toString());
            ReplicaStatus status = fixture.peerStatus(name);
            assertEquals(NAMES, status.certificate().orElseThrow().names());
            assertEquals(START.plus(LIFETIME), status.certificate().get().notAfter());
            assertEquals(Optional.of(START.plus(LIFETIME.dividedBy(3).multipliedBy(2))), status.certificateRenewalAt());
        }
        assertEquals(3, fixture.status().certificatesIssued());
        assertTrue(fixture.status().httpsRequired());

        fixture.advance(Duration.ofHours(5));
        fixture.advance(Duration.ofDays(20));
        assertEquals(3, ca.orders().size(), "rechecks order nothing while the certificates are good");
    }

    @Test
    void aPeerThatAlreadyHoldsAFittingCertificateCostsNoOrder() throws IOException {
        withCa(2);
        fixture.peer("p1").holding(ca.certificate(START.minus(Duration.ofDays(10)), LIFETIME));
        fixture.start();

        assertEquals(List.of(NAMES), ca.orders(), "only p2 needed one");
        assertFalse(
                fixture.peer("p1").calls().contains("csr " + NAMES),
                fixture.peer("p1").calls().toString());
        assertEquals(0, fixture.status().certificateFailures());
    }

    @Test
    void renewsWhenAThirdOfTheLifetimeIsLeftAndServesTheNewOne() throws IOException {
        withCa(1).start();
        ServedCertificate first = fixture.peerStatus("p1").certificate().orElseThrow();

        fixture.advance(LIFETIME.dividedBy(3).multipliedBy(2).minus(Duration.ofMinutes(1)));
        assertEquals(1, ca.orders().size(), "not yet due");
        fixture.advance(Duration.ofMinutes(1));

        assertEquals(2, ca.orders().size(), "renewed");
        ServedCertificate renewed = fixture.peerStatus("p1").certificate().orElseThrow();
        assertTrue(renewed.notAfter().isAfter(first.notAfter()));
        assertEquals(renewed, fixture.peer("p1").certificate().orElseThrow());
    }

    @Test
    void aCaThatIsDownLeavesPeersTheirCertificatesReportsTheErrorAndBacksOff() throws IOException {
        withCa(1).start();
        ServedCertificate held = fixture.peerStatus("p1").certificate().orElseThrow();
        ca.down(true);
        Instant due = START.plus(LIFETIME.dividedBy(3).multipliedBy(2));
        fixture.advance(Duration.between(fixture.clock.instant(), due));

        ReplicaStatus status = fixture.peerStatus("p1");
        assertEquals(Optional.of(held), status.certificate(), "the peer keeps what it has");
        assertTrue(status.certificateError().orElseThrow().contains("ca-unreachable"), status.toString());
        assertEquals(1, fixture.status().certificateFailures());
        assertTrue(
                fixture.steps().stream()
                        .anyMatch(step -> step.contains("p1: cannot get a certificate")
                                && step.contains("it keeps its certificate, valid until " + held.notAfter())),
                fixture.steps().toString());

        fixture.advance(CertificateKeeper.MIN_BACKOFF.minusSeconds(1));
        assertEquals(1, fixture.status().certificateFailures(), "no attempt before the backoff");
        fixture.advance(Duration.ofSeconds(1));
        assertEquals(2, fixture.status().certificateFailures());
        fixture.advance(CertificateKeeper.MIN_BACKOFF);
        assertEquals(2, fixture.status().certificateFailures(), "the backoff doubles");
        fixture.advance(CertificateKeeper.MIN_BACKOFF);
        assertEquals(3, fixture.status().certificateFailures());

        ca.down(false);
        fixture.advance(CertificateKeeper.MIN_BACKOFF.multipliedBy(4));
        assertEquals(Optional.empty(), fixture.peerStatus("p1").certificateError());
        assertTrue(
                fixture.peerStatus("p1").certificate().orElseThrow().notAfter().isAfter(held.notAfter()));
    }

    @Test
    void aFloodPutsNoPeerWithoutACertificateIntoDnsAndTakesItOnceItHasOne() throws IOException {
        withCa(2);
        ca.down(true);
        fixture.start();

        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        assertEquals(List.of(), fixture.peersInName(), "no certificate, no DNS");
        assertTrue(fixture.dns.updates().isEmpty());
        assertTrue(
                fixture.steps().stream().anyMatch(step -> step.startsWith("no further peer can be activated")),
                fixture.steps().toString());

        ca.down(false);
        fixture.advance(CertificateKeeper.MIN_BACKOFF);
        fixture.advance(WAVE_INTERVAL);
        assertEquals(List.of("p1", "p2"), fixture.peersInName());
    }

    @Test
    void aPeerAnActivationFindsWithoutItsCertificateGetsANewOneAtOnceAndEntersDns() throws IOException {
        withCa(2).start();
        fixture.peer("p1").losingCertificate(); // rebuilt since its last check, an hour ago at most

        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        fixture.advance(WAVE_INTERVAL);

        assertEquals(3, ca.orders().size(), "ordered once the activation showed the loss, not at the next recheck");
        assertEquals(List.of("p1", "p2"), fixture.peersInName());
        assertEquals(fixture.peer("p1").certificate(), fixture.peerStatus("p1").certificate());
    }

    @Test
    void aCertificateThatEndsWithinADayKeepsThePeerOutOfDnsUntilReplaced() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).https(Optional.empty());
        FakeCa issuerOfOld = new FakeCa(NAMES, fixture.clock, LIFETIME);
        fixture.peer("p1").holding(issuerOfOld.certificate(START.minus(LIFETIME).plusSeconds(3600), LIFETIME));
        fixture.peer("p2").holding(issuerOfOld.certificate(START.minus(Duration.ofDays(1)), LIFETIME));
        fixture.start();

        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        fixture.advance(WAVE_INTERVAL);
        assertEquals(List.of("p2"), fixture.peersInName(), "p1's certificate ends in an hour");
        assertFalse(fixture.peer("p1").calls().stream().anyMatch(call -> call.startsWith("activate")));
        assertTrue(
                fixture.steps().stream()
                        .anyMatch(step -> step.startsWith(
                                "p1 serves no certificate valid for " + List.of(ReplicatorFixture.SITE))),
                fixture.steps().toString());
        assertTrue(
                fixture.peer("p1").calls().stream().noneMatch(call -> call.startsWith("csr")),
                "without a CA, no orders");
    }

    @Test
    void anHttpOnlySitePutsPeersIntoDnsWithoutAskingForCertificates() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(1).start();

        fixture.detector(OverloadState.OVERLOADED);
        assertEquals(List.of("p1"), fixture.peersInName());
        assertTrue(fixture.peer("p1").calls().stream().noneMatch(call -> call.startsWith("csr")));
        assertFalse(fixture.status().httpsRequired());
    }
}
