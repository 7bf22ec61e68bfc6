package org.xenoservice.replicate;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.protocol.SiteStatus;

/**
 * Runs the replicator's calls to peers on their own threads ({@code xeno-replicator-peer-*} unless
 * a test gives another executor), so that a slow peer never holds up the others or the decisions.
 * It starts a call on the loop thread, notes it on the {@link Replica}, and wakes the loop when the
 * call finishes; the loop then takes the result ({@link Replica#collect}).
 *
 * <p>Its methods are called on the loop thread only; the calls themselves run on the executor, and
 * {@link #shutdownNow()} may come from any thread.
 */
final class PeerCalls {
    /** A call to a peer that may fail. */
    @FunctionalInterface
    private interface PeerCall<T> {
        T call() throws IOException;
    }

    private final ExecutorService executor;
    private final Runnable wake;

    /**
     * @param executor where the calls run
     * @param wake asks the loop for a tick; called on the executor's thread when a call finishes
     */
    PeerCalls(ExecutorService executor, Runnable wake) {
        this.executor = executor;
        this.wake = wake;
    }

    /** The default pool: one daemon thread per peer, {@code xeno-replicator-peer-1} …, at most 8. */
    static ExecutorService defaultPool(int peers) {
        return DaemonThreads.fixedPool("xeno-replicator-peer", Math.max(1, Math.min(8, peers)));
    }

    /** Pushes {@code bundle} to the peer (only blobs it lacks travel), without serving it. */
    void stage(Replica replica, BuiltBundle bundle) {
        PeerLink link = replica.link();
        replica.begin(
                ReplicaState.STAGING,
                submit(() -> {
                    link.stage(bundle.file());
                    return new Replica.Outcome(
                            bundle.version(), OptionalLong.empty(), "staged v" + bundle.version(), Optional.empty());
                }),
                Optional.of(ReplicaState.FAILED));
    }

    /**
     * Tells the peer to serve {@code bundle}'s version (pushing it first if the peer lacks it) and
     * asks it to confirm: the call fails unless the peer then says it serves exactly that version.
     */
    void activate(Replica replica, BuiltBundle bundle, Optional<ReplicaState> standingOnFailure) {
        PeerLink link = replica.link();
        long version = bundle.version();
        boolean staged = replica.stagedVersion() >= version;
        replica.begin(
                ReplicaState.ACTIVATING,
                submit(() -> {
                    if (!staged) {
                        link.stage(bundle.file());
                    }
                    link.activate(version);
                    SiteStatus seen = link.status();
                    long active = seen.activeVersion().orElse(-1);
                    if (active != version) {
                        throw new IOException("the peer was told to serve v" + version + " but says it serves "
                                + (active < 0 ? "nothing" : "v" + active));
                    }
                    return new Replica.Outcome(
                            version,
                            OptionalLong.of(version),
                            "serves v" + version + " (confirmed)",
                            Optional.of(seen));
                }),
                standingOnFailure);
    }

    /** Tells the peer to stop serving; a failure leaves it draining, to be tried again. */
    void retire(Replica replica) {
        PeerLink link = replica.link();
        replica.countRetireAttempt();
        long staged = replica.stagedVersion();
        replica.begin(
                ReplicaState.RETIRING,
                submit(() -> {
                    link.retire();
                    return new Replica.Outcome(staged, OptionalLong.empty(), "retired", Optional.empty());
                }),
                Optional.of(ReplicaState.DRAINING));
    }

    /** Asks the peer for the site's status (a poll, not an operation: the peer may be busy meanwhile). */
    CompletableFuture<SiteStatus> status(Replica replica) {
        PeerLink link = replica.link();
        return submit(link::status);
    }

    /** Stops the calls under way and refuses new ones. */
    void shutdownNow() {
        executor.shutdownNow();
    }

    /** Waits for the calls under way to stop. */
    void awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        executor.awaitTermination(timeout, unit);
    }

    private <T> CompletableFuture<T> submit(PeerCall<T> call) {
        CompletableFuture<T> result = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return call.call();
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                },
                executor);
        CompletableFuture<?> unused = result.whenComplete((value, error) -> wake.run());
        return result;
    }
}
