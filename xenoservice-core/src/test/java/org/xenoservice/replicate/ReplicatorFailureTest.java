package org.xenoservice.replicate;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.replicate.ReplicatorFixture.COOL_DOWN;
import static org.xenoservice.replicate.ReplicatorFixture.ORIGIN;
import static org.xenoservice.replicate.ReplicatorFixture.TTL;
import static org.xenoservice.replicate.ReplicatorFixture.WAVE_INTERVAL;
import static org.xenoservice.replicate.ReplicatorFixture.addresses;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.overload.OverloadState;

/**
 * What the replicator does when parts fail or were left behind: peers that fail calls, a DNS
 * server that does not answer, peers an earlier run left in the name, peers that will not retire,
 * and closing in the middle of a flood.
 */
@Timeout(10)
class ReplicatorFailureTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private ReplicatorFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aPeerThatFailsIsSkippedAndTriedAgainAfterABackoffThatDoubles() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(3).start();
        Instant start = fixture.clock.instant();
        fixture.peer("p2").down(true);
        fixture.detector(OverloadState.OVERLOADED);

        fixture.advance(WAVE_INTERVAL);
        ReplicaStatus p2 = fixture.peerStatus("p2");
        assertEquals(ReplicaState.FAILED, p2.state());
        assertEquals(1, p2.failures());
        assertEquals(Optional.of("Connection refused"), p2.lastError());
        assertEquals(Optional.of(start.plusSeconds(3)), p2.nextAttemptAt());
        assertTrue(fixture.steps()
                .contains("p2 failed while activating: Connection refused; skipped, next attempt in" + " 1000 ms"));
        assertEquals(List.of("p1", "p3"), fixture.peersIn(ReplicaState.IN_DNS), "the others go on without it");

        fixture.advance(WAVE_INTERVAL);
        assertEquals(2, fixture.peerStatus("p2").failures(), "tried again in the next wave");
        assertEquals(Optional.of(start.plusSeconds(6)), fixture.peerStatus("p2").nextAttemptAt());
        fixture.advance(WAVE_INTERVAL);
        assertEquals(3, fixture.peerStatus("p2").failures());
        assertEquals(
                Optional.of(start.plusSeconds(10)), fixture.peerStatus("p2").nextAttemptAt());
        assertEquals(4, fixture.status().wave());

        fixture.peer("p2").down(false);
        fixture.advance(WAVE_INTERVAL);
        assertEquals(ReplicaState.FAILED, fixture.peerStatus("p2").state(), "not before its backoff is over");
        assertEquals(4, fixture.status().wave(), "no wave without a peer to activate");
        fixture.advance(WAVE_INTERVAL);
        p2 = fixture.peerStatus("p2");
        assertEquals(ReplicaState.IN_DNS, p2.state());
        assertEquals(0, p2.failures());
        assertEquals(Optional.empty(), p2.lastError());
        assertEquals(Optional.empty(), p2.nextAttemptAt());
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersInName());
    }

    @Test
    void aPeerThatCannotTakeTheBundleInCalmTimesIsStagedAfterItsBackoff() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2);
        fixture.peer("p1").down(true);
        fixture.start();
        assertEquals(ReplicaState.FAILED, fixture.peerStatus("p1").state());
        fixture.peer("p1").down(false);
        fixture.advance(Duration.ofMillis(999));
        assertEquals(ReplicaState.FAILED, fixture.peerStatus("p1").state());
        fixture.advance(Duration.ofMillis(1));
        assertEquals(List.of("p1", "p2"), fixture.peersIn(ReplicaState.STAGED));
    }

    @Test
    void aFailedDnsUpdateIsRetriedWithBackoffAndTakesEveryConfirmedPeerOnceBack() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).start();
        fixture.dns.failNext(2);
        fixture.detector(OverloadState.OVERLOADED);
        assertEquals(List.of("p1"), fixture.peersIn(ReplicaState.SERVING), "confirmed, but not in DNS");
        assertEquals(1, fixture.status().dnsFailures());
        assertEquals(List.of(), fixture.status().addressesInDns());
        assertTrue(fixture.steps()
                .contains("DNS: cannot add [p1] (TIMEOUT: timeout: no server answered); retrying in 1000 ms"));

        fixture.advance(SECOND);
        assertEquals(2, fixture.status().dnsFailures());
        fixture.advance(SECOND);
        assertEquals(List.of("p1", "p2"), fixture.peersIn(ReplicaState.SERVING), "the next wave came meanwhile");
        assertTrue(fixture.dns.updates().isEmpty(), "the second failure's backoff is two seconds");

        fixture.advance(SECOND);
        assertEquals(List.of("p1", "p2"), fixture.peersIn(ReplicaState.IN_DNS));
        assertEquals(
                List.of(addresses("p1", "p2")),
                fixture.dns.updates().stream()
                        .map(RecordingDnsUpdater.Update::add)
                        .toList(),
                "one UPDATE for all that waited");
        assertEquals(1, fixture.status().dnsUpdates());
        assertEquals(2, fixture.status().dnsFailures());
    }

    @Test
    void aFailedWithdrawalIsRetriedAndThePeersStayInDnsMeanwhile() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(1).shelterOrigin().start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.detector(OverloadState.NORMAL);
        for (int second = 1; second < COOL_DOWN.toSeconds(); second++) {
            fixture.advance(SECOND);
        }
        fixture.dns.failNext(1);
        fixture.advance(SECOND);
        assertEquals(ReplicationPhase.COOLING, fixture.status().phase());
        assertEquals(List.of("p1"), fixture.peersIn(ReplicaState.IN_DNS));
        assertTrue(fixture.status().originSheltered());
        fixture.advance(SECOND);
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());
        assertEquals(Set.of(ORIGIN), fixture.dns.records());
    }

    @Test
    void adoptsPeersAnEarlierRunLeftInDnsAndWithdrawsThemAfterTheCoolDown() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(3).shelterOrigin().dnsHolds(addresses("p1", "p2"));
        fixture.peer("p1").serving(5);
        fixture.peer("p2").serving(5);
        fixture.start();
        long version = fixture.bundleVersion();

        assertEquals(ReplicationPhase.COOLING, fixture.status().phase());
        assertEquals(List.of("p1", "p2"), fixture.peersIn(ReplicaState.IN_DNS));
        assertEquals(List.of("p1", "p2"), fixture.peersInDns());
        assertTrue(fixture.status().originSheltered(), "the origin was out of the name");
        assertTrue(fixture.steps()
                .contains("[p1, p2] were still in DNS from an earlier run; withdrawing them after the" + " cool-down"));
        assertEquals(ReplicaState.NEW, fixture.peerStatus("p3").state(), "nothing is staged while cooling");

        for (int second = 1; second < COOL_DOWN.toSeconds(); second++) {
            fixture.advance(SECOND);
        }
        assertEquals(List.of("p1", "p2"), fixture.peersInName());
        fixture.advance(SECOND);
        RecordingDnsUpdater.Update withdrawal = fixture.dns.updates().get(0);
        assertEquals(List.of(ORIGIN), withdrawal.add());
        assertEquals(addresses("p1", "p2"), withdrawal.remove());
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());

        fixture.advance(TTL.multipliedBy(2));
        assertEquals(ReplicationPhase.CALM, fixture.status().phase());
        assertTrue(fixture.serving().isEmpty(), "the adopted peers were retired");
        assertTrue(fixture.peer("p1").calls().contains("retire"));
        assertFalse(fixture.peer("p3").calls().contains("retire"), "a peer that was not in the name is left alone");
        fixture.tick();
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersIn(ReplicaState.STAGED), "back to calm, all staged");
        assertTrue(
                fixture.peers.values().stream().allMatch(peer -> peer.versions().contains(version)));
    }

    @Test
    void readsTheNameAgainWhenItCouldNotAtStart() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).dnsHolds(List.of(ORIGIN, ReplicatorFixture.peerAddress(2)));
        fixture.dns.failNext(1);
        fixture.start();
        assertEquals(ReplicationPhase.CALM, fixture.status().phase());
        assertEquals(1, fixture.status().dnsFailures());
        assertTrue(fixture.steps()
                .contains("DNS: cannot read shop.example (TIMEOUT: timeout: no server answered); retrying in"
                        + " 1000 ms"));

        fixture.advance(SECOND);
        assertEquals(ReplicationPhase.COOLING, fixture.status().phase());
        assertEquals(List.of("p2"), fixture.peersIn(ReplicaState.IN_DNS));
        assertFalse(fixture.status().originSheltered(), "the origin is in the name");
        assertEquals(2, fixture.dns.shows());
        fixture.advance(SECOND);
        assertEquals(2, fixture.dns.shows(), "the name is read once");
    }

    @Test
    void aPeerThatWillNotRetireIsGivenUpAfterFiveAttempts() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(1).start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.detector(OverloadState.NORMAL);
        for (int second = 0; second < COOL_DOWN.toSeconds(); second++) {
            fixture.advance(SECOND);
        }
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());
        fixture.peer("p1").down(true);
        fixture.advance(TTL.multipliedBy(2));
        for (int attempt = 1; attempt < Replicator.RETIRE_ATTEMPTS; attempt++) {
            assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());
            assertEquals(ReplicaState.DRAINING, fixture.peerStatus("p1").state());
            fixture.advance(Duration.ofSeconds(1L << (attempt - 1)));
        }
        assertEquals(ReplicationPhase.CALM, fixture.status().phase(), "given up as soon as the last attempt failed");
        assertEquals(ReplicaState.FAILED, fixture.peerStatus("p1").state());
        assertEquals(
                Replicator.RETIRE_ATTEMPTS,
                fixture.peer("p1").calls().stream().filter("retire"::equals).count());
        assertTrue(fixture.steps()
                .contains("giving up retiring p1 after 5 attempts; it is out of DNS, retire it by hand"));
    }

    @Test
    void closingMidFloodClosesEveryLinkAndTheUpdaterAndLeavesThePeersInDns() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.replicator().close();
        assertTrue(fixture.peers.values().stream().allMatch(FakePeer::closed));
        assertTrue(fixture.dns.closed());
        assertEquals(List.of("p1"), fixture.peersInName(), "the site stays served");
        assertDoesNotThrow(() -> fixture.detector(OverloadState.NORMAL), "events after closing are ignored");
        assertTrue(fixture.loop.isShutdown());
        assertTrue(fixture.calls.isShutdown());
    }
}
