package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationPhase;
import org.xenoservice.replicate.ReplicationStatus;

class ShelterSignalTest {
    private final AtomicReference<ReplicationStatus> published = new AtomicReference<>();
    private final ShelterSignal shelter = new ShelterSignal(published::get);

    @Test
    void directConnectionsAreClosedOnlyWhileSomePeerIsInTheName() {
        assertFalse(shelter.closeDirectConnection(), "no status published yet");
        published.set(status(ReplicationPhase.CALM, false, false));
        assertFalse(shelter.closeDirectConnection(), "calm: peers staged, none in DNS");
        published.set(status(ReplicationPhase.DEFENDING, false, false));
        assertFalse(shelter.closeDirectConnection(), "defending, but no peer in DNS yet: nowhere to move to");
        published.set(status(ReplicationPhase.DEFENDING, true, false));
        assertTrue(shelter.closeDirectConnection(), "one peer in DNS");
        assertTrue(shelter.closeDirectConnection());
        published.set(status(ReplicationPhase.DRAINING, false, false));
        assertFalse(shelter.closeDirectConnection(), "the peers left the name: the origin takes its clients back");
        assertEquals(2, shelter.connectionsClosed(), "each close counted once");
    }

    @Test
    void theAnswerFollowsEachNewStatusObject() {
        ReplicationStatus sheltered = status(ReplicationPhase.COOLING, false, true);
        published.set(sheltered);
        assertTrue(shelter.sheltered());
        assertTrue(shelter.sheltered(), "the same status again");
        published.set(status(ReplicationPhase.COOLING, false, false));
        assertFalse(shelter.sheltered(), "a new status without peers in DNS");
        published.set(sheltered);
        assertTrue(shelter.sheltered());
        assertEquals(0, shelter.connectionsClosed(), "asking is not closing");
    }

    private static ReplicationStatus status(ReplicationPhase phase, boolean firstInDns, boolean secondInDns) {
        return new ReplicationStatus(
                phase,
                phase == ReplicationPhase.CALM ? OverloadState.NORMAL : OverloadState.OVERLOADED,
                OptionalLong.of(1),
                Optional.empty(),
                1,
                List.of(peer("p1", firstInDns), peer("p2", secondInDns)),
                List.of(),
                false,
                0,
                0,
                false,
                List.of(),
                0,
                0,
                List.of());
    }

    private static ReplicaStatus peer(String name, boolean inDns) {
        return new ReplicaStatus(
                name,
                Optional.empty(),
                inDns ? ReplicaState.IN_DNS : ReplicaState.STAGED,
                OptionalLong.of(1),
                inDns ? OptionalLong.of(1) : OptionalLong.empty(),
                inDns,
                0,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }
}
