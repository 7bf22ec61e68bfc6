package org.xenoservice.replicate;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.xenoservice.acme.IssuanceException;
import org.xenoservice.acme.IssuedCertificate;
import org.xenoservice.client.PeerCallException;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.protocol.CertificateRequest;
import org.xenoservice.protocol.ServedCertificate;

/**
 * Keeps every peer holding a valid certificate for the site's names, so that it may enter DNS the
 * moment a flood comes: it asks each peer what it serves, and where the certificate is missing, for
 * other names, expiring within a day or due for renewal, it has the peer make a request with the key
 * it keeps, orders the certificate from the CA (ACME DNS-01, through {@link CertificateSource}) and
 * hands the chain back to the peer. Renewal comes at the time the CA suggests (ACME Renewal
 * Information) or when a third of the lifetime is left; a failure keeps the peer's current
 * certificate and is tried again after a backoff of {@link #MIN_BACKOFF} doubling to
 * {@link #MAX_BACKOFF}, so that a CA that is down or rate-limits is not hammered. One order per peer
 * and lifetime: nothing is ordered for a peer that already holds a fitting certificate (after an
 * origin restart, say).
 *
 * <p>Without a CA (certificates installed by the peers' operators), it only asks, so that the
 * replicator knows which peers may enter DNS. For an HTTP-only site it does nothing at all.
 *
 * <p>Not thread-safe: confined to the replicator's loop thread; the checks and orders run on the
 * {@code xeno-replicator-tls-*} threads and are taken back in {@link #tick}.
 */
final class CertificateKeeper {
    /** How long a peer's certificate must still be valid for the peer to enter DNS. */
    static final Duration MIN_REMAINING = Duration.ofHours(24);
    /**
     * How often a peer holding a fitting certificate is asked again (it may have lost it); at once
     * when an activation's status already shows it did.
     */
    static final Duration RECHECK_HELD = Duration.ofHours(1);
    /** How often a peer without one is asked again, when there is no CA to order from. */
    static final Duration RECHECK_MISSING = Duration.ofMinutes(5);
    /** The first wait after a failed check or order. */
    static final Duration MIN_BACKOFF = Duration.ofSeconds(10);
    /** The longest wait between attempts; also the least after the CA said its rate limit was reached. */
    static final Duration MAX_BACKOFF = Duration.ofHours(1);

    /** What a finished check or order found. */
    private record Result(
            Optional<ServedCertificate> served, Optional<Instant> renewAt, boolean issued, String message) {}

    /** What the keeper knows of one peer's certificate. */
    private static final class Tracking {
        Optional<CompletableFuture<Result>> running = Optional.empty();
        Instant nextCheck = Instant.MIN;
        Optional<Instant> renewAt = Optional.empty();
        int failuresInRow;
        Optional<String> lastError = Optional.empty();
        boolean operatorManaged;
        boolean toldMissing;
        /** Whether the last check found a fitting certificate (so a loss seen since calls for a check now). */
        boolean heldFitting;
    }

    private final boolean required;
    private final List<String> names;
    private final Optional<CertificateSource> source;
    private final List<Replica> replicas;
    private final ExecutorService executor;
    private final Runnable wake;
    private final Clock clock;
    private final StepLog log;
    private final IdentityHashMap<Replica, Tracking> tracking = new IdentityHashMap<>();
    private long issued;
    private long failures;

    /**
     * @param required whether peers must hold a certificate to enter DNS (false for an HTTP-only site)
     * @param names the names the certificate must cover: the source's, or the site's own without one
     * @param source where certificates are ordered; empty when the peers' operators install them
     * @param executor where checks and orders run
     * @param wake asks the loop for a tick; called on the executor's thread when a task finishes
     */
    CertificateKeeper(
            boolean required,
            List<String> names,
            Optional<CertificateSource> source,
            List<Replica> replicas,
            ExecutorService executor,
            Runnable wake,
            Clock clock,
            StepLog log) {
        this.required = required;
        this.names = List.copyOf(names);
        this.source = source;
        this.replicas = replicas;
        this.executor = executor;
        this.wake = wake;
        this.clock = clock;
        this.log = log;
        replicas.forEach(replica -> tracking.put(replica, new Tracking()));
    }

    /** The default pool: a few daemon threads, {@code xeno-replicator-tls-1} … (orders go one at a time). */
    static ExecutorService defaultPool(int peers) {
        return DaemonThreads.fixedPool("xeno-replicator-tls", Math.max(1, Math.min(4, peers)));
    }

    /** Whether peers must hold a certificate to enter DNS. */
    boolean required() {
        return required;
    }

    /** The names a peer's certificate must cover. */
    List<String> names() {
        return names;
    }

    /**
     * Whether {@code replica} may enter DNS as far as HTTPS goes: always for an HTTP-only site, else
     * only while it serves a certificate for every name that stays valid for {@link #MIN_REMAINING}.
     */
    boolean ready(Replica replica, Instant now) {
        return !required || fits(replica.certificate(), now);
    }

    /** Certificates issued and installed on a peer since start. */
    long issued() {
        return issued;
    }

    /** Checks and orders that failed since start. */
    long failures() {
        return failures;
    }

    /** When {@code replica}'s certificate is to be renewed, once known. */
    Optional<Instant> renewAt(Replica replica) {
        return tracking.get(replica).renewAt;
    }

    /** What the last failed check or order for {@code replica} said, until one succeeds. */
    Optional<String> lastError(Replica replica) {
        return tracking.get(replica).lastError;
    }

    /** Takes the results of finished tasks and starts a check or an order for every peer that is due. */
    void tick(Instant now) {
        if (!required && source.isEmpty()) {
            return;
        }
        for (Replica replica : replicas) {
            Tracking peer = tracking.get(replica);
            collect(now, replica, peer);
            if (peer.running.isEmpty() && peer.heldFitting && !fits(replica.certificate(), now)) {
                // An activation's status showed the certificate gone (a rebuilt peer): check now, not at the recheck.
                peer.heldFitting = false;
                peer.nextCheck = now;
            }
            if (peer.running.isEmpty() && !now.isBefore(peer.nextCheck)) {
                boolean renew = peer.renewAt.map(at -> !now.isBefore(at)).orElse(false);
                peer.running = Optional.of(submit(replica, renew));
            }
        }
    }

    /** Stops the tasks under way and refuses new ones. */
    void shutdownNow() {
        executor.shutdownNow();
    }

    /** Waits for the tasks under way to stop. */
    void awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        executor.awaitTermination(timeout, unit);
    }

    private CompletableFuture<Result> submit(Replica replica, boolean renew) {
        boolean operatorManaged = tracking.get(replica).operatorManaged;
        CompletableFuture<Result> result = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return checkOrOrder(replica.link(), renew && !operatorManaged, operatorManaged);
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                },
                executor);
        CompletableFuture<?> unused = result.whenComplete((value, error) -> wake.run());
        return result;
    }

    /**
     * Runs on a certificate thread: asks the peer what it serves, and orders a new certificate when
     * that one does not fit, or when {@code renew} says it is time.
     */
    private Result checkOrOrder(PeerLink link, boolean renew, boolean operatorManaged) throws IOException {
        Optional<ServedCertificate> served = link.status().certificate();
        Instant now = clock.instant();
        boolean fits = fits(served, now);
        if (fits && !renew && now.isBefore(thirdLeft(served.get()))) {
            return new Result(served, Optional.of(thirdLeft(served.get())), false, "holds a certificate");
        }
        if (source.isEmpty() || operatorManaged) {
            return new Result(served, Optional.empty(), false, "holds a certificate");
        }
        CertificateSource ca = source.get();
        Instant started = clock.instant();
        CertificateRequest request = link.certificateRequest(names);
        IssuedCertificate certificate = ca.issue(names, request.der());
        ServedCertificate installed = link.installCertificate(certificate.pemChain());
        Instant renewAt = ca.renewalTime(certificate);
        long seconds = Duration.between(started, clock.instant()).toSeconds();
        String why = served.isEmpty() ? "it had none" : fits ? "renewal was due" : "its certificate did not fit";
        return new Result(
                Optional.of(installed),
                Optional.of(renewAt),
                true,
                "got a certificate for " + names + " (" + why + "), valid until " + installed.notAfter() + ", in "
                        + seconds + " s; renewal at " + renewAt);
    }

    private void collect(Instant now, Replica replica, Tracking peer) {
        if (peer.running.isEmpty() || !peer.running.get().isDone()) {
            return;
        }
        CompletableFuture<Result> done = peer.running.get();
        peer.running = Optional.empty();
        try {
            succeeded(now, replica, peer, done.join());
        } catch (RuntimeException e) {
            failed(now, replica, peer, e.getCause() == null ? e : e.getCause());
        }
    }

    private void succeeded(Instant now, Replica replica, Tracking peer, Result result) {
        replica.certificate(result.served());
        peer.failuresInRow = 0;
        peer.lastError = Optional.empty();
        peer.renewAt = result.renewAt();
        boolean fits = fits(result.served(), now);
        peer.heldFitting = fits;
        Instant recheck = now.plus(fits ? RECHECK_HELD : RECHECK_MISSING);
        peer.nextCheck = result.renewAt()
                .filter(at -> at.isAfter(now) && at.isBefore(recheck))
                .orElse(recheck);
        if (result.issued()) {
            issued++;
            log.step(now, replica.spec().name() + " " + result.message());
        }
        if (fits) {
            peer.toldMissing = false;
        } else if (required && !peer.toldMissing) {
            peer.toldMissing = true;
            log.step(
                    now,
                    replica.spec().name() + " serves no certificate valid for " + names + " for another "
                            + MIN_REMAINING.toHours() + " h; it cannot enter DNS until it does (configure acme.*,"
                            + " have its operator install one, or declare the site http-only)");
        }
    }

    private void failed(Instant now, Replica replica, Tracking peer, Throwable cause) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        if (cause instanceof PeerCallException call && "operator-managed".equals(call.reason())) {
            peer.operatorManaged = true;
            peer.nextCheck = now;
            log.step(now, replica.spec().name() + "'s operator manages its certificate for the site; ordering none");
            return;
        }
        failures++;
        peer.failuresInRow++;
        Duration backoff = backoff(peer.failuresInRow, cause);
        peer.nextCheck = now.plus(backoff);
        peer.lastError = Optional.of(message);
        String keeps = replica.certificate()
                .map(held -> "it keeps its certificate, valid until " + held.notAfter())
                .orElse("it has none");
        log.step(
                now,
                replica.spec().name() + ": cannot get a certificate: " + message + "; " + keeps + "; next attempt in "
                        + backoff.toSeconds() + " s");
    }

    /** Doubling from {@link #MIN_BACKOFF} to {@link #MAX_BACKOFF}; the maximum at once when rate-limited. */
    static Duration backoff(int failuresInRow, Throwable cause) {
        if (cause instanceof IssuanceException issuance && issuance.reason() == IssuanceException.Reason.RATE_LIMITED) {
            return MAX_BACKOFF;
        }
        long millis = MIN_BACKOFF.toMillis() << Math.min(Math.max(failuresInRow - 1, 0), 20);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    private boolean fits(Optional<ServedCertificate> certificate, Instant now) {
        return certificate
                .filter(held -> held.covers(names) && held.validFor(now, MIN_REMAINING))
                .isPresent();
    }

    /** When a third of the certificate's lifetime is left: the renewal time without the CA's advice. */
    private static Instant thirdLeft(ServedCertificate certificate) {
        Duration lifetime = Duration.between(certificate.notBefore(), certificate.notAfter());
        return certificate.notAfter().minus(lifetime.dividedBy(3));
    }
}
