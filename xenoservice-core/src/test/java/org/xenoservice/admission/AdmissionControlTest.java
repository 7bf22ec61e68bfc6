package org.xenoservice.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenoservice.admission.AdmissionCounts.TrafficCounts;

/**
 * Who is admitted and how it is counted, with a limit held still ({@code minLimit = maxLimit}) unless
 * a test says otherwise, on a clock that does not move.
 */
class AdmissionControlTest {
    private final ManualNanoClock clock = new ManualNanoClock();

    @Test
    void notEngagedAdmitsEveryRequest() {
        AdmissionControl admission = fixed(20, 0.5);

        List<Long> permits = acquire(admission, Traffic.DIRECT, 1_000);

        assertEquals(1_000, permits.size());
        assertEquals(new TrafficCounts(1_000, 1_000, 0), admission.counts().direct());
        assertFalse(admission.counts().engaged());
    }

    @Test
    void engagedAdmitsDirectRequestsOnlyUpToTheLimitLessThePeersReserve() {
        AdmissionControl admission = fixed(20, 0.25);
        admission.engage(true);

        List<Long> direct = acquire(admission, Traffic.DIRECT, 100);

        assertEquals(15, direct.size());
        AdmissionCounts counts = admission.counts();
        assertEquals(new TrafficCounts(15, 15, 85), counts.direct());
        assertEquals(20, counts.limit());
        assertEquals(5, counts.peerReserve());
        assertTrue(counts.engaged());
    }

    @Test
    void peersAreAdmittedWhileDirectRequestsHoldEveryDirectSlot() {
        AdmissionControl admission = fixed(20, 0.25);
        admission.engage(true);
        List<Long> direct = acquire(admission, Traffic.DIRECT, 100);

        for (int i = 0; i < 50; i++) { // a flood that takes back each freed direct slot at once
            admission.release(direct.remove(0), Outcome.SUCCEEDED);
            direct.addAll(acquire(admission, Traffic.DIRECT, 10));
            long peer = admission.tryAcquire(Traffic.PEER);
            assertNotEquals(
                    AdmissionControl.REJECTED, peer, "a peer was refused while the flood held the direct slots");
            admission.release(peer, Outcome.SUCCEEDED);
        }
        assertEquals(5, acquire(admission, Traffic.PEER, 100).size());
        assertEquals(15, direct.size());
        assertEquals(new TrafficCounts(5, 55, 95), admission.counts().peer());
    }

    @Test
    void peersMayTakeEverySlotWhenDirectTrafficLeavesThemFree() {
        AdmissionControl admission = fixed(20, 0.25);
        admission.engage(true);

        assertEquals(20, acquire(admission, Traffic.PEER, 100).size());
        assertEquals(0, acquire(admission, Traffic.DIRECT, 100).size());
    }

    @Test
    void eachClassKeepsAtLeastOneSlotWhateverTheShare() {
        AdmissionControl tiny = fixed(2, 0.01);
        tiny.engage(true);
        assertEquals(1, acquire(tiny, Traffic.DIRECT, 10).size());
        assertEquals(1, acquire(tiny, Traffic.PEER, 10).size());

        AdmissionControl greedy = fixed(10, 0.99);
        greedy.engage(true);
        assertEquals(9, greedy.counts().peerReserve());
        assertEquals(1, acquire(greedy, Traffic.DIRECT, 10).size());
    }

    @Test
    void countsStayExactWhenEngagedAndReleasedMidFlight() {
        AdmissionControl admission = fixed(20, 0.5);
        List<Long> direct = acquire(admission, Traffic.DIRECT, 30); // calm: all 30 admitted
        List<Long> peers = acquire(admission, Traffic.PEER, 4);

        admission.engage(true); // 34 calm requests in flight: not held against the limit
        assertEquals(10, acquire(admission, Traffic.DIRECT, 15).size(), "up to 20 - 10 engaged");
        assertEquals(10, acquire(admission, Traffic.PEER, 15).size(), "up to 20");
        release(admission, direct, 27); // calm permits: the engaged limit stays full
        assertEquals(0, acquire(admission, Traffic.DIRECT, 5).size());

        admission.engage(false);
        assertEquals(5, acquire(admission, Traffic.DIRECT, 5).size());
        AdmissionCounts counts = admission.counts();
        assertEquals(new TrafficCounts(3 + 10 + 5, 30 + 10 + 5, 5 + 5), counts.direct());
        assertEquals(new TrafficCounts(4 + 10, 4 + 10, 5), counts.peer());
        release(admission, peers, peers.size());
        assertEquals(10, admission.counts().peer().inFlight());
    }

    @Test
    void aPermitReleasesTheClassThatAcquiredIt() {
        AdmissionControl admission = fixed(20, 0.5);
        long peer = admission.tryAcquire(Traffic.PEER);
        long direct = admission.tryAcquire(Traffic.DIRECT);

        admission.release(peer, Outcome.IGNORED);

        assertEquals(0, admission.counts().peer().inFlight());
        assertEquals(1, admission.counts().direct().inFlight());
        admission.release(direct, Outcome.FAILED);
        assertEquals(0, admission.counts().inFlight());
    }

    @Test
    void releasingARefusalIsRefused() {
        AdmissionControl admission = fixed(20, 0.5);

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> admission.release(AdmissionControl.REJECTED, Outcome.SUCCEEDED));

        assertTrue(e.getMessage().contains("a refused request has nothing to release"), e.getMessage());
        assertEquals(0, admission.counts().inFlight());
    }

    @Test
    void releasingMorePermitsThanAdmittedIsRefusedAndLeavesTheCountAlone() {
        AdmissionControl admission = fixed(20, 0.5);
        admission.engage(true); // an engaged permit is counted, so a second release is seen
        long permit = admission.tryAcquire(Traffic.DIRECT);
        admission.release(permit, Outcome.SUCCEEDED);

        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> admission.release(permit, Outcome.SUCCEEDED));

        assertTrue(e.getMessage().contains("exactly once"), e.getMessage());
        assertEquals(10, acquire(admission, Traffic.DIRECT, 20).size());
    }

    @Test
    void hasRoomSaysWhetherARequestWouldBeAdmittedWithoutAdmittingIt() {
        AdmissionControl admission = fixed(20, 0.5);
        assertTrue(admission.hasRoom(Traffic.DIRECT), "calm: always");
        admission.engage(true);
        List<Long> direct = acquire(admission, Traffic.DIRECT, 10);
        assertFalse(admission.hasRoom(Traffic.DIRECT), "the 10 direct slots are taken");
        assertTrue(admission.hasRoom(Traffic.PEER), "the peers' share is free");
        assertEquals(10, admission.counts().inFlight(), "asking admitted nothing");
        release(admission, direct, 1);
        assertTrue(admission.hasRoom(Traffic.DIRECT));
    }

    @Test
    void aPermitIsNeverTheRefusal() {
        AdmissionControl admission = AdmissionControl.builder().clock(() -> 0L).build();
        assertNotEquals(AdmissionControl.REJECTED, admission.tryAcquire(Traffic.DIRECT));
        assertNotEquals(AdmissionControl.REJECTED, admission.tryAcquire(Traffic.PEER));
    }

    @Test
    void outcomeOfAStatus() {
        assertEquals(Outcome.IGNORED, Outcome.ofStatus(0));
        assertEquals(Outcome.SUCCEEDED, Outcome.ofStatus(200));
        assertEquals(Outcome.SUCCEEDED, Outcome.ofStatus(404));
        assertEquals(Outcome.FAILED, Outcome.ofStatus(500));
        assertEquals(Outcome.FAILED, Outcome.ofStatus(503));
    }

    @Test
    void retryAfterIsInWholeSecondsRoundedUp() {
        assertEquals(2, AdmissionControl.builder().build().retryAfterSeconds());
        assertEquals(
                2,
                AdmissionControl.builder()
                        .retryAfter(Duration.ofMillis(1_500))
                        .build()
                        .retryAfterSeconds());
    }

    private AdmissionControl fixed(int limit, double peerShare) {
        return AdmissionControl.builder()
                .minLimit(limit)
                .initialLimit(limit)
                .maxLimit(limit)
                .peerShare(peerShare)
                .clock(clock)
                .build();
    }

    /** Tries {@code attempts} times and returns the permits admitted. */
    private static List<Long> acquire(AdmissionControl admission, Traffic traffic, int attempts) {
        List<Long> permits = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            long permit = admission.tryAcquire(traffic);
            if (permit != AdmissionControl.REJECTED) {
                permits.add(permit);
            }
        }
        return permits;
    }

    private static void release(AdmissionControl admission, List<Long> permits, int count) {
        for (int i = 0; i < count; i++) {
            admission.release(permits.remove(permits.size() - 1), Outcome.SUCCEEDED);
        }
    }
}
