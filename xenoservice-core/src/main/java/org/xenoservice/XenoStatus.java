package org.xenoservice;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.xenoservice.admission.AdmissionCounts;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * What a {@link XenoService} sees and does, as {@code /_xeno/status} shows it.
 *
 * @param site the site's host name
 * @param requestsStarted requests the origin has started since the service started
 * @param inFlight requests started and not yet ended
 * @param overload the detector's view
 * @param replication the replicator's view
 * @param intake what the origin's capture intake did, when it has one
 * @param backChannel what the origin made of requests claiming to come from its peers
 * @param fromMemory the static files the origin holds in memory for overload, and how many requests they answered
 * @param originDefence what the origin did to stay useful under fire
 */
public record XenoStatus(
        String site,
        long requestsStarted,
        long inFlight,
        OverloadSnapshot overload,
        ReplicationStatus replication,
        Optional<Intake> intake,
        BackChannel backChannel,
        FromMemory fromMemory,
        OriginDefence originDefence) {
    /**
     * The origin's capture intake, counted since the service started.
     *
     * @param applied captured requests applied
     * @param duplicates redeliveries of requests applied before, acknowledged without applying
     * @param refused requests refused as malformed, misdirected or still being applied (4xx)
     * @param failed requests the handler failed (5xx; the peer delivers them again)
     */
    public record Intake(long applied, long duplicates, long refused, long failed) {}

    /**
     * Requests that claimed to come from one of the site's peers (proxied, or a captured request's
     * delivery), counted since the service started.
     *
     * @param verified signed by a pinned peer's key, fresh, not replayed, with the body signed
     * @param refused refused, by reason id ({@code unsigned}, {@code bad-signature}, {@code replayed}, ...;
     *     every reason, 0 included)
     */
    public record BackChannel(long verified, Map<String, Long> refused) {
        /** Copies the map. */
        public BackChannel {
            refused = Map.copyOf(refused);
        }
    }

    /**
     * The site's static files the origin holds in memory to answer while overloaded
     * ({@link XenoService#staticFromMemory}), from the current bundle.
     *
     * @param served requests answered from memory (200, 304 and {@code HEAD}) since the service started
     * @param bundleVersion the version of the bundle the files held come from; empty while none is held
     * @param filesHeld files held
     * @param filesLeftOut files of that bundle not held, for the memory limits; the application answers them
     * @param bytesHeld bytes held, the estimated overhead of the precomputed answers included
     * @param limitBytes the most bytes held ({@code static-memory-bytes}); 0 when off
     */
    public record FromMemory(
            long served, OptionalLong bundleVersion, int filesHeld, int filesLeftOut, long bytesHeld, long limitBytes) {
        /** Checks nothing is null. */
        public FromMemory {
            Objects.requireNonNull(bundleVersion, "bundleVersion");
        }
    }

    /**
     * What the origin did for itself under fire, counted since the service started.
     *
     * @param connectionsClosed direct clients' connections closed after their response while the site
     *     was sheltered, so that they resolve its name again ({@link XenoService#closeDirectConnection(long)})
     * @param admission the admission control in front of the app ({@link XenoService#admit}): the
     *     limit, and per class (the peers', direct) the requests in flight, admitted and shed
     * @param journaled direct requests of capture routes journalled because the application had no
     *     room for them ({@link XenoService#journalCapture})
     * @param journalApplied journalled requests since applied, once (or found applied before, e.g.
     *     through a peer's delivery of the same key)
     * @param journalPending journalled requests waiting for the application to have room, now (those
     *     from before a restart included)
     * @param journalDead journalled requests the intake refused for what they are: logged at ERROR
     *     and set aside, not applied
     * @param overLinkBudget direct clients' pages answered 503 while sheltered because they were over
     *     {@link XenoConfig#shelteredDirectBytesPerSecond()}
     */
    public record OriginDefence(
            long connectionsClosed,
            AdmissionCounts admission,
            long journaled,
            long journalApplied,
            long journalPending,
            long journalDead,
            long overLinkBudget) {
        /** Checks nothing is null. */
        public OriginDefence {
            Objects.requireNonNull(admission, "admission");
        }
    }

    /**
     * This status as the JSON document {@code /_xeno/status} serves (UTF-8), for an adapter that
     * shows it elsewhere, such as the Spring Boot starter's Actuator endpoint.
     */
    public byte[] json() {
        return StatusDocuments.json(this);
    }

    /**
     * This status as the Prometheus text {@code /_xeno/metrics} serves (UTF-8), for apps without a
     * metrics library of their own.
     */
    public byte[] prometheusText() {
        return StatusDocuments.prometheus(this);
    }

    /** Checks nothing is null. */
    public XenoStatus {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(overload, "overload");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(intake, "intake");
        Objects.requireNonNull(backChannel, "backChannel");
        Objects.requireNonNull(fromMemory, "fromMemory");
        Objects.requireNonNull(originDefence, "originDefence");
    }
}
