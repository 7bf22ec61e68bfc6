package org.xenoservice.replicate;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.DoubleSupplier;
import org.xenoservice.overload.OverloadState;

/**
 * The flood's life cycle, CALM → DEFENDING → COOLING → DRAINING → CALM, decided once per tick from
 * the detector's state: when to start a wave and how large (1, 2, 4 … peers, staged and heavier ones
 * first), when the cool-down is over and the peers in DNS serve little enough to be withdrawn (their
 * summed request rate at most what the origin takes calmly), when draining peers are retired (when
 * their own request counters have been quiet long enough for cached DNS answers to die out), and
 * what a flood that returns meanwhile changes. The parts it drives do the rest: {@link BundleStager},
 * {@link DnsReconciler}, {@link RatePoller} and {@link PeerCalls}.
 *
 * <p>Not thread-safe: confined to the replicator's loop thread.
 */
final class PhaseMachine {
    private final List<Replica> replicas;
    private final BundleStager stager;
    private final CertificateKeeper certificates;
    private final DnsReconciler dns;
    private final RatePoller rates;
    private final PeerCalls calls;
    private final StepLog log;
    private final Duration coolDown;
    private final Duration waveInterval;
    private final Duration drainQuiet;
    private final Duration maxDrain;
    private final DoubleSupplier withdrawalRateLimit;

    private ReplicationPhase phase = ReplicationPhase.CALM;
    private int wave;
    private Instant nextWaveAt = Instant.MIN;
    private Instant calmSince = Instant.MIN;
    private Instant withdrawnAt = Instant.MIN;
    private boolean toldStillBusy;
    private boolean toldPeersBusy;
    private boolean toldNoneCertified;

    /**
     * @param withdrawalRateLimit the most requests per second the peers in DNS may serve together to be withdrawn
     */
    PhaseMachine(
            List<Replica> replicas,
            BundleStager stager,
            CertificateKeeper certificates,
            DnsReconciler dns,
            RatePoller rates,
            PeerCalls calls,
            StepLog log,
            ReplicationConfig config,
            DoubleSupplier withdrawalRateLimit) {
        this.replicas = replicas;
        this.stager = stager;
        this.certificates = certificates;
        this.dns = dns;
        this.rates = rates;
        this.calls = calls;
        this.log = log;
        this.coolDown = config.coolDown();
        this.waveInterval = config.waveInterval();
        this.drainQuiet = config.drainQuiet();
        this.maxDrain = config.maxDrain();
        this.withdrawalRateLimit = withdrawalRateLimit;
    }

    ReplicationPhase phase() {
        return phase;
    }

    /** How many activation waves this flood has had. */
    int wave() {
        return wave;
    }

    /** One step: takes what finished, adopts leftovers, rebuilds the bundle if needed, and acts on the phase. */
    void tick(Instant now, OverloadState detector) {
        replicas.forEach(replica -> replica.collect(now, log));
        rates.collect(now);
        adoptLeftovers(now);
        stager.checkSource(now);
        certificates.tick(now);
        boolean flood = detector == OverloadState.SURGING || detector == OverloadState.OVERLOADED;
        switch (phase) {
            case CALM -> {
                if (flood) {
                    startDefending(now, detector);
                } else {
                    stager.keepStaged(now);
                }
            }
            case DEFENDING -> {
                if (detector == OverloadState.NORMAL) {
                    startCoolDown(now);
                    log.step(
                            now,
                            "detector is NORMAL again; withdrawing peers after a cool-down of " + coolDown.toSeconds()
                                    + " s");
                } else {
                    defend(now, flood);
                }
            }
            case COOLING -> cool(now, detector, flood);
            case DRAINING -> {
                if (flood) {
                    startDefending(now, detector);
                } else {
                    drain(now);
                }
            }
        }
    }

    private void adoptLeftovers(Instant now) {
        List<Replica> left = dns.adoptLeftovers(now, phase == ReplicationPhase.CALM);
        if (left.isEmpty()) {
            return;
        }
        left.forEach(Replica::adopt);
        startCoolDown(now);
        log.step(
                now,
                Replica.names(left) + " were still in DNS from an earlier run; withdrawing them after the cool-down");
    }

    private void startCoolDown(Instant now) {
        phase = ReplicationPhase.COOLING;
        calmSince = now;
        toldPeersBusy = false;
    }

    private void startDefending(Instant now, OverloadState detector) {
        phase = ReplicationPhase.DEFENDING;
        wave = 0;
        nextWaveAt = now;
        toldNoneCertified = false;
        log.step(now, "detector is " + detector + "; activating peers in waves");
        // Peers still draining from the last flood serve already: they go straight back into DNS.
        replicas.stream()
                .filter(replica -> replica.idle() && replica.standing() == ReplicaState.DRAINING)
                .forEach(Replica::rejoin);
        defend(now, true);
    }

    /**
     * Once no activation is under way: moves serving peers to the current version and puts confirmed
     * peers into DNS; during a flood, also starts the next wave when it is due.
     */
    private void defend(Instant now, boolean flood) {
        Optional<BuiltBundle> current = stager.current();
        if (current.isEmpty()) {
            return;
        }
        boolean activating = replicas.stream().anyMatch(replica -> replica.busyWith(ReplicaState.ACTIVATING));
        if (!activating) {
            moveToVersion(now, current.get());
            admitConfirmed(now);
        }
        if (flood && !activating && !now.isBefore(nextWaveAt)) {
            nextWave(now, current.get());
        }
    }

    /**
     * Peers that serve an older version than the current bundle (the site changed mid-flood) move on;
     * one that failed to is tried again after its backoff, like every other call.
     */
    private void moveToVersion(Instant now, BuiltBundle bundle) {
        for (Replica replica : replicas) {
            if (replica.serves()
                    && replica.activeVersion() < bundle.version()
                    && replica.idle()
                    && replica.eligible(now)) {
                // a confirmed peer not yet in DNS that fails to move is FAILED; others keep their standing
                boolean awaitsDns = replica.awaitsDns(dns.contains(replica));
                calls.activate(replica, bundle, awaitsDns ? Optional.of(ReplicaState.FAILED) : Optional.empty());
            }
        }
    }

    /** Puts confirmed peers into DNS: those that serve a valid certificate, unless the site is HTTP-only. */
    private void admitConfirmed(Instant now) {
        dns.admitConfirmed(now, replica -> certificates.ready(replica, now));
    }

    private void nextWave(Instant now, BuiltBundle bundle) {
        long version = bundle.version();
        int size = 1 << Math.min(wave, 16);
        List<Replica> idle = replicas.stream()
                .filter(replica -> !replica.serves() && replica.idle() && replica.eligible(now))
                .toList();
        List<Replica> candidates = idle.stream()
                .filter(replica -> certificates.ready(replica, now))
                .sorted(Comparator.comparing((Replica replica) -> replica.stagedVersion() != version)
                        .thenComparing(replica -> -replica.spec().weight()))
                .limit(size)
                .toList();
        if (candidates.isEmpty()) {
            if (!idle.isEmpty() && !toldNoneCertified) {
                toldNoneCertified = true;
                log.step(
                        now,
                        "no further peer can be activated: " + Replica.names(idle) + " serve no certificate valid for "
                                + certificates.names() + " for another " + CertificateKeeper.MIN_REMAINING.toHours()
                                + " h (see each peer's certificate error)");
            }
            return;
        }
        wave++;
        nextWaveAt = now.plus(waveInterval);
        log.step(now, "wave " + wave + ": activating " + Replica.names(candidates) + " with version " + version);
        candidates.forEach(replica -> calls.activate(replica, bundle, Optional.of(ReplicaState.FAILED)));
    }

    private void cool(Instant now, OverloadState detector, boolean flood) {
        if (detector != OverloadState.NORMAL) {
            phase = ReplicationPhase.DEFENDING;
            log.step(now, "detector is " + detector + " again during the cool-down; still defending");
            defend(now, flood);
            return;
        }
        rates.poll(now, dns.inDns());
        if (!now.isBefore(calmSince.plus(coolDown)) && peersCalm(now)) {
            withdraw(now);
        } else {
            admitConfirmed(now);
        }
    }

    /**
     * Whether the peers in DNS together serve few enough requests that the origin could take them
     * calmly: each must have a fresh rate (or be unreachable, which counts as serving nothing).
     */
    private boolean peersCalm(Instant now) {
        OptionalDouble total = rates.totalRate(now, dns.inDns());
        if (total.isEmpty()) {
            return false;
        }
        double limit = withdrawalRateLimit.getAsDouble();
        if (total.getAsDouble() <= limit) {
            return true;
        }
        if (!toldPeersBusy) {
            toldPeersBusy = true;
            log.step(
                    now,
                    String.format(
                            Locale.ROOT,
                            "cool-down over, but the peers still serve %.0f requests/s"
                                    + " together, more than the origin takes calmly (%.0f/s): the flood goes on at them; keeping them",
                            total.getAsDouble(),
                            limit));
        }
        return false;
    }

    /** Takes every peer out of DNS in one UPDATE (and puts the origin back), then drains. */
    private void withdraw(Instant now) {
        Optional<List<Replica>> left = dns.withdrawAll(now);
        if (left.isEmpty()) {
            return;
        }
        left.get().forEach(Replica::withdrawn);
        withdrawnAt = now;
        toldStillBusy = false;
        phase = ReplicationPhase.DRAINING;
        log.step(
                now,
                "peers left DNS; each keeps serving until it has served no request for " + drainQuiet.toSeconds()
                        + " s (cached answers outlive the TTL), at most " + maxDrain.toSeconds() + " s, then retires");
    }

    /**
     * Retires each draining peer once it has drained: at least twice the TTL after the withdrawal,
     * and its own counter quiet for {@link ReplicationConfig#drainQuiet()} (or the longest drain
     * over); then goes back to calm.
     */
    private void drain(Instant now) {
        rates.poll(now, draining());
        if (now.isBefore(withdrawnAt.plus(dns.drainTime()))) {
            return;
        }
        boolean busy = false;
        for (Replica replica : replicas) {
            if (!replica.idle()) {
                busy = true;
            } else if (replica.standing() == ReplicaState.DRAINING && !drained(now, replica)) {
                busy = true;
            } else if (replica.serves()) {
                busy |= retireOrGiveUp(now, replica);
            }
        }
        if (!busy) {
            phase = ReplicationPhase.CALM;
            wave = 0;
            log.step(now, "flood over: every peer retired, back to calm");
        }
    }

    /** The peers that left DNS and still serve. */
    List<Replica> draining() {
        return replicas.stream()
                .filter(replica -> replica.standing() == ReplicaState.DRAINING)
                .toList();
    }

    /** Whether a draining peer may retire: quiet long enough, or drained for the longest time allowed. */
    private boolean drained(Instant now, Replica replica) {
        if (dns.drainTime().isZero()) {
            return true; // no DNS: no client holds a cached answer that names the peer
        }
        if (!now.isBefore(withdrawnAt.plus(maxDrain))) {
            if (!toldStillBusy) {
                toldStillBusy = true;
                log.step(
                        now,
                        "peers still serve requests " + maxDrain.toSeconds() + " s after leaving DNS; retiring them"
                                + " anyway (they forward what still reaches them to the origin)");
            }
            return true;
        }
        return !now.isBefore(rates.quietSince(replica, withdrawnAt).plus(drainQuiet));
    }

    /** What a draining {@code replica} still carries, for the status; empty unless it drains. */
    Optional<ReplicaStatus.Drain> drain(Replica replica) {
        if (replica.standing() != ReplicaState.DRAINING || phase != ReplicationPhase.DRAINING) {
            return Optional.empty();
        }
        return Optional.of(new ReplicaStatus.Drain(rates.lastRate(replica), rates.quietSince(replica, withdrawnAt)));
    }

    /** Retires a serving peer when its backoff allows; true while it still has to be waited for. */
    private boolean retireOrGiveUp(Instant now, Replica replica) {
        if (replica.retireAttempts() >= Replicator.RETIRE_ATTEMPTS) {
            if (replica.standing() != ReplicaState.FAILED) {
                log.step(
                        now,
                        "giving up retiring " + replica.spec().name() + " after " + Replicator.RETIRE_ATTEMPTS
                                + " attempts; it is out of DNS, retire it by hand");
                replica.abandon();
            }
            return false;
        }
        if (replica.eligible(now)) {
            calls.retire(replica);
        }
        return true;
    }
}
