package org.xenoservice.replicate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.protocol.SiteStatus;

/**
 * One peer of the pool and what the replicator knows of it: the versions it holds and serves, the
 * call under way to it, its failures and backoff, and where it stands in the flood's life cycle.
 * Whether its addresses are in the site's name is not kept here: the {@link DnsReconciler} owns that
 * fact, and the state reported for the peer ({@link #state(boolean)}) derives {@code IN_DNS} from it.
 *
 * <p>Each fact has one home: "serves the site" is {@code activeVersion >= 0}; "busy" is the call
 * under way, whose kind is the reported state (STAGING, ACTIVATING, RETIRING) while it runs; the
 * standing (NEW, STAGED, SERVING, DRAINING or FAILED) says what the peer is for between calls.
 * SERVING means confirmed and wanted in the name; DRAINING means withdrawn and due for retirement.
 *
 * <p>Not thread-safe: confined to the replicator's loop thread. Calls run elsewhere, but only their
 * futures are touched there; their results are taken in {@link #collect} on the loop thread.
 */
final class Replica {
    /**
     * What a finished call to the peer found.
     *
     * @param seen the site's status on the peer, when the call asked for it
     */
    record Outcome(long stagedVersion, OptionalLong activeVersion, String message, Optional<SiteStatus> seen) {}

    /** A call under way: its kind (the state reported meanwhile) and the standing a failure leaves. */
    private record Call(
            ReplicaState kind, CompletableFuture<Outcome> result, Optional<ReplicaState> standingOnFailure) {}

    private final PeerSpec spec;
    private final PeerLink link;
    private ReplicaState standing = ReplicaState.NEW;
    private long stagedVersion = -1;
    private long activeVersion = -1;
    private int failures;
    private int retireAttempts;
    private Optional<String> lastError = Optional.empty();
    private Instant nextAttempt = Instant.MIN;
    private Optional<Call> call = Optional.empty();
    private Optional<ServedCertificate> certificate = Optional.empty();

    Replica(PeerSpec spec, PeerLink link) {
        this.spec = spec;
        this.link = link;
    }

    PeerSpec spec() {
        return spec;
    }

    PeerLink link() {
        return link;
    }

    /** NEW, STAGED, SERVING, DRAINING or FAILED: never a call's kind, never IN_DNS. */
    ReplicaState standing() {
        return standing;
    }

    /** The newest version the peer is known to hold, or -1. */
    long stagedVersion() {
        return stagedVersion;
    }

    /** The version the peer confirmed it serves (0 when adopted without knowing which), or -1. */
    long activeVersion() {
        return activeVersion;
    }

    /** The certificate the peer last said it serves for the site over HTTPS, if any. */
    Optional<ServedCertificate> certificate() {
        return certificate;
    }

    /** Notes what the peer said it serves over HTTPS. */
    void certificate(Optional<ServedCertificate> value) {
        this.certificate = value;
    }

    int retireAttempts() {
        return retireAttempts;
    }

    /** Whether the peer serves the site: confirmed, in DNS, draining, or failed while serving. */
    boolean serves() {
        return activeVersion >= 0;
    }

    /** Whether no call to the peer is under way. */
    boolean idle() {
        return call.isEmpty();
    }

    /** Whether a call of {@code kind} is under way. */
    boolean busyWith(ReplicaState kind) {
        return call.map(running -> running.kind() == kind).orElse(false);
    }

    /** The call under way, for whoever must wait until it no longer reads a bundle file. */
    Optional<CompletableFuture<?>> running() {
        return call.map(Call::result);
    }

    /** Whether a failed peer's backoff is over (always, for a peer that did not fail). */
    boolean eligible(Instant now) {
        return !now.isBefore(nextAttempt);
    }

    /** Whether the peer confirmed the current version and waits to enter the name. */
    boolean awaitsDns(boolean inDns) {
        return idle() && standing == ReplicaState.SERVING && !inDns;
    }

    /** Notes a call that has started; a failure leaves {@code standingOnFailure}, or the standing as it is. */
    void begin(ReplicaState kind, CompletableFuture<Outcome> result, Optional<ReplicaState> standingOnFailure) {
        call = Optional.of(new Call(kind, result, standingOnFailure));
    }

    /** Counts one more attempt to retire the peer. */
    void countRetireAttempt() {
        retireAttempts++;
    }

    /** Takes the result of a finished call, if any. */
    void collect(Instant now, StepLog log) {
        if (call.isEmpty() || !call.get().result().isDone()) {
            return;
        }
        Call done = call.get();
        call = Optional.empty();
        Outcome outcome;
        try {
            outcome = done.result().join();
        } catch (RuntimeException e) {
            failed(now, done, e.getCause() == null ? e : e.getCause(), log);
            return;
        }
        succeeded(done.kind(), outcome);
        log.step(now, spec.name() + " " + outcome.message());
    }

    private void succeeded(ReplicaState kind, Outcome outcome) {
        failures = 0;
        nextAttempt = Instant.MIN;
        lastError = Optional.empty();
        stagedVersion = Math.max(stagedVersion, outcome.stagedVersion());
        outcome.seen().ifPresent(status -> certificate = status.certificate());
        switch (kind) {
            case ACTIVATING -> {
                activeVersion = outcome.activeVersion().orElse(activeVersion);
                standing = ReplicaState.SERVING;
            }
            case RETIRING -> {
                activeVersion = -1;
                retireAttempts = 0;
                standing = ReplicaState.STAGED;
            }
            default -> standing = ReplicaState.STAGED;
        }
    }

    private void failed(Instant now, Call done, Throwable cause, StepLog log) {
        failures++;
        Duration backoff = Backoff.after(failures);
        nextAttempt = now.plus(backoff);
        lastError = Optional.of(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        standing = done.standingOnFailure().orElse(standing);
        log.step(
                now,
                spec.name() + " failed while " + done.kind().name().toLowerCase(Locale.ROOT) + ": " + lastError.get()
                        + "; skipped, next attempt in " + backoff.toMillis() + " ms");
    }

    /** The peer was found in the name at start: it serves some version, to be withdrawn like any other. */
    void adopt() {
        activeVersion = Math.max(activeVersion, 0);
        standing = ReplicaState.SERVING;
    }

    /** The peer left the name; it keeps serving until it is retired. */
    void withdrawn() {
        standing = ReplicaState.DRAINING;
    }

    /** A flood came back while the peer drained: it serves already, so it goes straight back into the name. */
    void rejoin() {
        standing = ReplicaState.SERVING;
    }

    /** Retiring failed too often: the peer is left alone (it is out of DNS already). */
    void abandon() {
        activeVersion = -1;
        retireAttempts = 0;
        standing = ReplicaState.FAILED;
    }

    /** Where the peer stands, as reported: the call under way, else IN_DNS when in the name, else its standing. */
    ReplicaState state(boolean inDns) {
        return call.map(Call::kind).orElse(inDns ? ReplicaState.IN_DNS : standing);
    }

    /**
     * The peer as reported, with what the certificate keeper knows of its certificate.
     *
     * @param renewAt when its certificate is to be renewed, once known
     * @param certificateError what the last failed certificate check or order said
     * @param drain while it drains, the traffic it still carries
     */
    ReplicaStatus status(
            boolean inDns,
            Optional<Instant> renewAt,
            Optional<String> certificateError,
            Optional<ReplicaStatus.Drain> drain) {
        return new ReplicaStatus(
                spec.name(),
                spec.region(),
                state(inDns),
                stagedVersion < 0 ? OptionalLong.empty() : OptionalLong.of(stagedVersion),
                activeVersion < 0 ? OptionalLong.empty() : OptionalLong.of(activeVersion),
                inDns,
                failures,
                lastError,
                nextAttempt.equals(Instant.MIN) ? Optional.empty() : Optional.of(nextAttempt),
                certificate,
                renewAt,
                certificateError,
                standing == ReplicaState.DRAINING ? drain : Optional.empty());
    }

    /** The peers' names, as steps list them: {@code [p1, p2]}. */
    static String names(List<Replica> replicas) {
        return replicas.stream().map(replica -> replica.spec.name()).toList().toString();
    }
}
