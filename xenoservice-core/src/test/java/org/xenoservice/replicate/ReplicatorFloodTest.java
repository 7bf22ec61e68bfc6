package org.xenoservice.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.replicate.ReplicatorFixture.COOL_DOWN;
import static org.xenoservice.replicate.ReplicatorFixture.ORIGIN;
import static org.xenoservice.replicate.ReplicatorFixture.TTL;
import static org.xenoservice.replicate.ReplicatorFixture.WAVE_INTERVAL;
import static org.xenoservice.replicate.ReplicatorFixture.addresses;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.overload.OverloadState;

/**
 * The replicator's decisions through a whole flood, on fake peers, a recording DNS name and a
 * manual clock: staging, waves, shelter, confirmation, cool-down, the withdrawal rate rule,
 * draining, a flood that returns, and content that changes while peers serve.
 */
@Timeout(10)
class ReplicatorFloodTest {
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
    void stagesTheBundleOnEveryPeerInCalmTimes() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(3).start();
        long version = fixture.bundleVersion();
        assertEquals(ReplicationPhase.CALM, fixture.status().phase());
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersIn(ReplicaState.STAGED));
        for (FakePeer peer : fixture.peers.values()) {
            assertEquals(List.of("stage " + version), peer.calls());
            assertEquals(OptionalLong.empty(), peer.active(), "staged, not served");
        }
        assertEquals(OptionalLong.of(version), fixture.peerStatus("p1").stagedVersion());
        assertTrue(fixture.dns.updates().isEmpty(), "nothing enters DNS in calm times");
    }

    @Test
    void theStagedBundleCarriesTheSitesHttpsSettings() throws IOException {
        HttpsSettings https = HttpsSettings.redirectOnly().withHsts("max-age=31536000; includeSubDomains");
        fixture = new ReplicatorFixture(dir).peers(1).https(https).start();

        try (InputStream in = Files.newInputStream(fixture.bundles.resolve(fixture.bundleVersion() + ".xsb"))) {
            assertEquals(https, BundleReader.peekManifest(in).https());
        }
    }

    @Test
    void activatesPeersInWavesOfOneTwoFourAndAddsEachWaveInOneUpdate() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(7).start();
        long version = fixture.bundleVersion();

        fixture.detector(OverloadState.OVERLOADED);
        assertEquals(ReplicationPhase.DEFENDING, fixture.status().phase());
        assertEquals(1, fixture.status().wave());
        assertEquals(List.of("p1"), fixture.peersIn(ReplicaState.IN_DNS));
        assertTrue(fixture.steps().contains("wave 1: activating [p1] with version " + version));

        fixture.advance(WAVE_INTERVAL.minus(SECOND));
        assertEquals(1, fixture.status().wave(), "the next wave waits for the wave interval");

        fixture.advance(SECOND);
        assertEquals(2, fixture.status().wave());
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersIn(ReplicaState.IN_DNS));

        fixture.advance(WAVE_INTERVAL);
        assertEquals(3, fixture.status().wave());
        assertEquals(List.of("p1", "p2", "p3", "p4", "p5", "p6", "p7"), fixture.peersIn(ReplicaState.IN_DNS));
        assertEquals(
                List.of(addresses("p1"), addresses("p2", "p3"), addresses("p4", "p5", "p6", "p7")),
                fixture.dns.updates().stream()
                        .map(RecordingDnsUpdater.Update::add)
                        .toList());
        assertTrue(
                fixture.dns.updates().stream()
                        .allMatch(update ->
                                update.remove().isEmpty() && update.ttl().equals(TTL)),
                "the origin stays in the name unless sheltered");
        assertEquals(List.of("p1", "p2", "p3", "p4", "p5", "p6", "p7"), fixture.peersInName());
        assertEquals(fixture.status().addressesInDns(), addresses("p1", "p2", "p3", "p4", "p5", "p6", "p7"));
        for (FakePeer peer : fixture.peers.values()) {
            assertEquals(
                    List.of("stage " + version, "activate " + version, "status"),
                    peer.calls(),
                    "a staged peer is only told to serve and asked to confirm");
        }

        fixture.advance(WAVE_INTERVAL);
        assertEquals(3, fixture.status().wave(), "no peer is left for a fourth wave");
    }

    @Test
    void aWaveEntersDnsOnlyOnceEveryPeerOfItHasAnswered() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(3).start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.clock.advance(WAVE_INTERVAL);
        fixture.loop.runPeriodic();
        assertEquals(2, fixture.calls.pending(), "wave 2 activates two peers");

        fixture.calls.runNext();
        fixture.loop.runPending();
        assertEquals(
                List.of("p2"), fixture.peersIn(ReplicaState.SERVING), "confirmed, waiting for the rest of its wave");
        assertEquals(List.of("p3"), fixture.peersIn(ReplicaState.ACTIVATING));
        assertEquals(1, fixture.dns.updates().size(), "only wave 1 is in DNS");

        fixture.settle();
        assertEquals(
                List.of(addresses("p1"), addresses("p2", "p3")),
                fixture.dns.updates().stream()
                        .map(RecordingDnsUpdater.Update::add)
                        .toList());
    }

    @Test
    void prefersStagedPeersThenHeavierOnes() throws IOException {
        fixture = new ReplicatorFixture(dir).weighted(1, 5, 1, 3, 2);
        fixture.peer("p2").down(true);
        fixture.start();
        long version = fixture.bundleVersion();
        assertEquals(List.of("p2"), fixture.peersIn(ReplicaState.FAILED));
        fixture.peer("p2").down(false);
        fixture.peer("p2").forgetCalls();
        fixture.clock.advance(Duration.ofSeconds(1)); // p2's backoff is over, but it holds no bundle

        fixture.detector(OverloadState.OVERLOADED);
        assertEquals(List.of("p4"), fixture.peersIn(ReplicaState.IN_DNS), "the heaviest staged peer goes first");
        fixture.advance(WAVE_INTERVAL);
        assertEquals(List.of("p1", "p4", "p5"), fixture.peersIn(ReplicaState.IN_DNS));
        fixture.advance(WAVE_INTERVAL);
        assertEquals(
                List.of("p1", "p2", "p3", "p4", "p5"),
                fixture.peersIn(ReplicaState.IN_DNS),
                "the unstaged peer comes last, whatever its weight");
        assertEquals(
                List.of("stage " + version, "activate " + version, "status"),
                fixture.peer("p2").calls(),
                "a peer without the bundle gets it pushed before it is told to serve");
    }

    @Test
    void sheltersTheOriginInTheFirstWaveAndRestoresItOnWithdrawal() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(3).shelterOrigin().start();
        fixture.detector(OverloadState.OVERLOADED);
        RecordingDnsUpdater.Update first = fixture.dns.updates().get(0);
        assertEquals(addresses("p1"), first.add());
        assertEquals(List.of(ORIGIN), first.remove(), "the first wave's UPDATE also takes the origin out");
        assertTrue(fixture.status().originSheltered());
        assertEquals(Set.copyOf(addresses("p1")), fixture.dns.records());

        fixture.advance(WAVE_INTERVAL);
        RecordingDnsUpdater.Update second = fixture.dns.updates().get(1);
        assertEquals(addresses("p2", "p3"), second.add());
        assertEquals(List.of(), second.remove(), "the origin is out already");

        fixture.detector(OverloadState.NORMAL);
        passCoolDown();
        RecordingDnsUpdater.Update withdrawal = fixture.dns.updates().get(2);
        assertEquals(List.of(ORIGIN), withdrawal.add(), "the origin comes back in the UPDATE that withdraws the peers");
        assertEquals(addresses("p1", "p2", "p3"), withdrawal.remove());
        assertEquals(Set.of(ORIGIN), fixture.dns.records());
        assertFalse(fixture.status().originSheltered());
        assertEquals(3, fixture.dns.updates().size());
    }

    @Test
    void aPeerEntersDnsOnlyOnceItConfirmsItServesTheCurrentVersion() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).start();
        long version = fixture.bundleVersion();
        fixture.peer("p1").claimsToServe(OptionalLong.of(version - 1));

        fixture.detector(OverloadState.OVERLOADED);
        ReplicaStatus p1 = fixture.peerStatus("p1");
        assertEquals(ReplicaState.FAILED, p1.state());
        assertFalse(p1.inDns());
        assertEquals(
                "the peer was told to serve v" + version + " but says it serves v" + (version - 1),
                p1.lastError().orElseThrow());
        assertTrue(fixture.dns.updates().isEmpty(), "an unconfirmed peer never enters DNS");

        fixture.advance(WAVE_INTERVAL);
        assertEquals(List.of("p2"), fixture.peersIn(ReplicaState.IN_DNS), "the next wave goes on without it");
        assertEquals(List.of("p2"), fixture.peersInName());
    }

    @Test
    void withdrawsPeersOnlyAfterTheCoolDownThenDrainsForTwiceTheTtlAndRetiresThem() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(3).start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersIn(ReplicaState.IN_DNS));

        fixture.detector(OverloadState.NORMAL);
        assertEquals(ReplicationPhase.COOLING, fixture.status().phase());
        for (int second = 1; second < COOL_DOWN.toSeconds(); second++) {
            fixture.advance(SECOND);
            assertEquals(
                    List.of("p1", "p2", "p3"),
                    fixture.peersInName(),
                    "still in DNS " + second + " s into the cool-down");
        }
        fixture.advance(SECOND);
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());
        assertEquals(List.of(), fixture.peersInName());
        assertEquals(List.of(ORIGIN), List.copyOf(fixture.dns.records()));
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersIn(ReplicaState.DRAINING));
        assertEquals(
                addresses("p1", "p2", "p3"), fixture.dns.updates().get(2).remove(), "one UPDATE withdraws them all");
        assertEquals(List.of(), fixture.status().addressesInDns());

        fixture.advance(TTL.multipliedBy(2).minus(SECOND));
        assertTrue(
                fixture.peers.values().stream().allMatch(peer -> peer.active().isPresent()),
                "draining peers keep serving clients that hold a cached answer");
        fixture.advance(SECOND);
        assertEquals(ReplicationPhase.CALM, fixture.status().phase());
        assertEquals(0, fixture.status().wave());
        assertTrue(fixture.serving().isEmpty(), "every peer was retired");
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersIn(ReplicaState.STAGED));
        assertTrue(fixture.steps().contains("flood over: every peer retired, back to calm"));
    }

    @Test
    void aDetectorThatFiresAgainDuringTheCoolDownKeepsThePeers() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.detector(OverloadState.NORMAL);
        fixture.advance(COOL_DOWN.dividedBy(2));
        fixture.detector(OverloadState.SURGING);
        assertEquals(ReplicationPhase.DEFENDING, fixture.status().phase());
        fixture.advance(WAVE_INTERVAL);
        assertEquals(List.of("p1", "p2"), fixture.peersIn(ReplicaState.IN_DNS), "the flood goes on: the waves go on");

        fixture.detector(OverloadState.NORMAL);
        fixture.advance(COOL_DOWN.dividedBy(2));
        fixture.advance(SECOND);
        assertEquals(ReplicationPhase.COOLING, fixture.status().phase(), "the cool-down starts over");
    }

    @Test
    void peersAreWithdrawnOnlyOnceTheirSummedRequestRateFallsBelowTheOriginsCalmRate() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).calmRate(100).start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        fixture.detector(OverloadState.NORMAL);

        for (int second = 0; second < COOL_DOWN.toSeconds() + 10; second++) {
            fixture.peer("p1").serve(70);
            fixture.peer("p2").serve(50);
            fixture.advance(SECOND);
        }
        assertEquals(ReplicationPhase.COOLING, fixture.status().phase(), "120 requests/s at the peers is not calm");
        assertEquals(List.of("p1", "p2"), fixture.peersInName());
        List<String> busy = fixture.steps().stream()
                .filter(step -> step.contains("still serve"))
                .toList();
        assertEquals(
                List.of("cool-down over, but the peers still serve 120 requests/s together, more than the origin"
                        + " takes calmly (100/s): the flood goes on at them; keeping them"),
                busy,
                "said once");

        fixture.peer("p1").serve(60);
        fixture.peer("p2").serve(50);
        fixture.advance(SECOND);
        assertEquals(ReplicationPhase.COOLING, fixture.status().phase(), "110 requests/s is still more than 100");
        fixture.peer("p1").serve(50);
        fixture.peer("p2").serve(40);
        fixture.advance(SECOND);
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase(), "90 requests/s: the origin takes that");
        assertEquals(List.of(), fixture.peersInName());
    }

    @Test
    void aPeerThatCannotBePolledCountsAsServingNothing() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).calmRate(100).start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        fixture.detector(OverloadState.NORMAL);
        fixture.peer("p2").down(true);
        for (int second = 0; second < COOL_DOWN.toSeconds(); second++) {
            fixture.peer("p1").serve(90);
            fixture.advance(SECOND);
        }
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());
    }

    @Test
    void aFloodThatReturnsWhilePeersDrainPutsThemBackInDnsWithoutRetiringThem() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(3).shelterOrigin().start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        fixture.detector(OverloadState.NORMAL);
        passCoolDown();
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());
        fixture.advance(TTL);
        fixture.peers.values().forEach(FakePeer::forgetCalls);
        int updates = fixture.dns.updates().size();

        fixture.detector(OverloadState.OVERLOADED);
        assertEquals(ReplicationPhase.DEFENDING, fixture.status().phase());
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersIn(ReplicaState.IN_DNS));
        assertEquals(updates + 1, fixture.dns.updates().size(), "back in one UPDATE");
        RecordingDnsUpdater.Update back = fixture.dns.updates().get(updates);
        assertEquals(addresses("p1", "p2", "p3"), back.add());
        assertEquals(List.of(ORIGIN), back.remove(), "the origin is sheltered again");
        assertTrue(
                fixture.peers.values().stream().allMatch(peer -> peer.calls().isEmpty()),
                "draining peers serve already: no retire, no activation");
        assertEquals(0, fixture.status().wave(), "no wave was needed");

        fixture.advance(TTL.multipliedBy(2));
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersInName(), "nothing retires them while the flood lasts");
    }

    @Test
    void servingPeersMoveToContentChangedMidFloodAndStayInDns() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).start();
        long first = fixture.bundleVersion();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        assertEquals(List.of("p1", "p2"), fixture.peersIn(ReplicaState.IN_DNS));
        fixture.peers.values().forEach(FakePeer::forgetCalls);

        fixture.changePage("<h1>Antiquarian books: the Folio is sold</h1>\n");
        long second = fixture.bundleVersion();
        assertTrue(second > first);
        for (FakePeer peer : fixture.peers.values()) {
            assertEquals(List.of("stage " + second, "activate " + second, "status"), peer.calls());
            assertEquals(OptionalLong.of(second), peer.active());
        }
        assertEquals(List.of("p1", "p2"), fixture.peersIn(ReplicaState.IN_DNS));
        assertEquals(2, fixture.dns.updates().size(), "moving to a new version does not touch DNS");
        assertEquals(OptionalLong.of(second), fixture.peerStatus("p1").activeVersion());
        assertFalse(Files.exists(fixture.bundles.resolve(first + ".xsb")), "the old bundle is deleted once unused");
    }

    @Test
    void aPeerInDnsThatCannotMoveToNewContentKeepsServingTheOldInDnsAndRetriesAfterItsBackoff() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).start();
        long first = fixture.bundleVersion();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        fixture.peer("p2").down(true);

        fixture.changePage("<h1>Antiquarian books: the Folio is sold</h1>\n");
        long second = fixture.bundleVersion();
        ReplicaStatus p2 = fixture.peerStatus("p2");
        assertEquals(ReplicaState.IN_DNS, p2.state());
        assertTrue(p2.inDns());
        assertEquals(OptionalLong.of(first), p2.activeVersion());
        assertEquals(1, p2.failures(), "tried once, not again at once");
        assertEquals(List.of("p1", "p2"), fixture.peersInName());

        fixture.advance(Duration.ofMillis(500));
        assertEquals(1, fixture.peerStatus("p2").failures(), "its backoff is not over");
        fixture.advance(Duration.ofMillis(500));
        assertEquals(2, fixture.peerStatus("p2").failures());
        fixture.peer("p2").down(false);
        fixture.advance(Duration.ofSeconds(2));
        assertEquals(OptionalLong.of(second), fixture.peerStatus("p2").activeVersion());
        assertEquals(ReplicaState.IN_DNS, fixture.peerStatus("p2").state());
        assertEquals(2, fixture.dns.updates().size(), "it never left DNS");
    }

    @Test
    void restagesEveryPeerWhenTheContentChangesInCalmTimes() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).start();
        long first = fixture.bundleVersion();
        fixture.changePage("<h1>Antiquarian books, new stock</h1>\n");
        long second = fixture.bundleVersion();
        assertTrue(second > first);
        assertEquals(
                List.of("stage " + first, "stage " + second), fixture.peer("p1").calls());
        assertEquals(List.of("p1", "p2"), fixture.peersIn(ReplicaState.STAGED));
        assertEquals(OptionalLong.of(second), fixture.peerStatus("p2").stagedVersion());

        fixture.advance(ReplicationConfig.DEFAULTS.restageInterval());
        assertEquals(second, fixture.bundleVersion(), "an unchanged source is not rebuilt");
    }

    @Test
    void withoutDnsPeersServeAndAreRetiredOnTheDetectorAlone() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(2).withoutDns().start();
        fixture.detector(OverloadState.OVERLOADED);
        assertEquals(List.of("p1"), fixture.peersIn(ReplicaState.IN_DNS));
        assertTrue(fixture.steps()
                .contains("[p1] serve the site (no DNS configured: clients must be sent to them" + " otherwise)"));
        fixture.advance(WAVE_INTERVAL);
        fixture.detector(OverloadState.NORMAL);
        passCoolDown();
        fixture.tick();
        assertEquals(ReplicationPhase.CALM, fixture.status().phase(), "no TTL to wait out");
        assertTrue(fixture.serving().isEmpty());
        assertTrue(fixture.dns.updates().isEmpty());
        assertEquals(0, fixture.dns.shows(), "no DNS, nothing to adopt");
    }

    /** Ticks each second through the cool-down, until the peers were withdrawn. */
    private void passCoolDown() {
        for (int second = 0; second < COOL_DOWN.toSeconds(); second++) {
            fixture.advance(SECOND);
        }
    }
}
