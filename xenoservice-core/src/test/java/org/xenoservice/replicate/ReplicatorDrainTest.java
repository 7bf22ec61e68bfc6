package org.xenoservice.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.replicate.ReplicatorFixture.COOL_DOWN;
import static org.xenoservice.replicate.ReplicatorFixture.DRAIN_QUIET;
import static org.xenoservice.replicate.ReplicatorFixture.MAX_DRAIN;
import static org.xenoservice.replicate.ReplicatorFixture.TTL;
import static org.xenoservice.replicate.ReplicatorFixture.WAVE_INTERVAL;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.overload.OverloadState;

/**
 * Withdrawal that survives real caches: a peer that left DNS keeps serving while clients holding a
 * cached answer still reach it, as its own request counter shows, and retires only once that
 * counter has been quiet for the quiet period, or after the longest drain.
 */
@Timeout(20)
class ReplicatorDrainTest {
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
    void aPeerThatStillServesAfterLeavingDnsRetiresOnlyOnceItsCounterIsQuiet() throws IOException {
        withdrawnPeers();
        FakePeer busy = fixture.peers.get("p1");
        Duration pastTwiceTheTtl = TTL.multipliedBy(2).plusSeconds(30);
        for (long second = 0; second < pastTwiceTheTtl.toSeconds(); second++) {
            busy.serve(5); // a browser that keeps the peer's address for minutes
            fixture.advance(SECOND);
        }
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());
        assertEquals(
                List.of("p1"), List.copyOf(fixture.serving().keySet()), "the quiet peers retired, the busy one serves");
        ReplicaStatus.Drain drain = fixture.peerStatus("p1").drain().orElseThrow();
        assertTrue(drain.requestsPerSecond() > 3, "the status shows what it still carries: " + drain);
        assertEquals(fixture.clock.instant(), drain.quietSince(), "a request came at the last poll");

        for (long second = 1; second < DRAIN_QUIET.toSeconds(); second++) {
            fixture.advance(SECOND);
        }
        assertFalse(fixture.serving().isEmpty(), "quiet for less than the quiet period: still serving");
        assertEquals(0, fixture.peerStatus("p1").drain().orElseThrow().requestsPerSecond());
        fixture.advance(SECOND);
        fixture.advance(SECOND);
        assertTrue(fixture.serving().isEmpty(), "quiet for the quiet period: retired");
        assertEquals(ReplicationPhase.CALM, fixture.status().phase());
        assertTrue(fixture.peerStatus("p1").drain().isEmpty());
    }

    @Test
    void aPeerThatNeverGoesQuietIsRetiredAfterTheLongestDrain() throws IOException {
        withdrawnPeers();
        FakePeer busy = fixture.peers.get("p2");
        for (long second = 0; second < MAX_DRAIN.toSeconds() - 1; second++) {
            busy.serve(1);
            fixture.advance(SECOND);
        }
        assertEquals(List.of("p2"), List.copyOf(fixture.serving().keySet()));
        busy.serve(1);
        fixture.advance(SECOND);
        fixture.advance(SECOND);
        assertTrue(fixture.serving().isEmpty(), "retired after the longest drain, requests or not");
        assertTrue(
                fixture.steps().stream().anyMatch(step -> step.contains("retiring them anyway")),
                fixture.steps().toString());
    }

    @Test
    void aPeerThatCannotBeAskedShowsNoRequestAndDoesNotDrainForEver() throws IOException {
        withdrawnPeers();
        fixture.peers.get("p3").down(true);
        fixture.advance(TTL.multipliedBy(2));
        fixture.advance(SECOND);
        assertEquals(List.of("p3"), List.copyOf(fixture.serving().keySet()), "its retirement fails while it is down");
        fixture.peers.get("p3").down(false);
        for (int second = 0; second < 120 && !fixture.serving().isEmpty(); second++) {
            fixture.advance(SECOND);
        }
        assertTrue(fixture.serving().isEmpty(), "retired once it answers again");
    }

    /** Three peers in DNS, the flood over, the cool-down passed: every peer drains. */
    private void withdrawnPeers() throws IOException {
        fixture = new ReplicatorFixture(dir).peers(3).start();
        fixture.detector(OverloadState.OVERLOADED);
        fixture.advance(WAVE_INTERVAL);
        fixture.detector(OverloadState.NORMAL);
        for (long second = 0; second < COOL_DOWN.toSeconds(); second++) {
            fixture.advance(SECOND);
        }
        assertEquals(ReplicationPhase.DRAINING, fixture.status().phase());
        assertEquals(List.of("p1", "p2", "p3"), fixture.peersIn(ReplicaState.DRAINING));
        assertTrue(fixture.steps().stream().anyMatch(step -> step.contains("has served no request for 20 s")));
    }
}
