package org.xenoservice.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.xenoservice.XenoService;
import org.xenoservice.XenoStatus;
import org.xenoservice.admission.AdmissionCounts;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.overload.Signal;
import org.xenoservice.overload.SignalReading;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicationPhase;

/**
 * Binds what a {@link XenoService} counts to a Micrometer {@link MeterRegistry}, so that an app that
 * already ships its metrics through Micrometer (a Prometheus scrape, an OTLP push, ...) sees the
 * flood and the defence beside its own figures: requests and those in flight, latency percentiles,
 * the detector's state, the replicator's phase, peers by state and addresses in DNS, DNS updates and
 * certificates, the origin's capture intake and its journal of captures, the back-channel, static
 * files from memory and the admission control. The names follow {@code /_xeno/metrics} (dots for
 * underscores, as Micrometer names go), and every meter carries the tag {@code site}.
 *
 * <pre>{@code
 * new XenoServiceMeters(xeno).bindTo(registry);
 * }</pre>
 *
 * <p>Every meter reads the service when the registry asks (a scrape), never on a request thread;
 * one {@link XenoService#status()} serves all meters of a scrape (it is taken again when older than
 * {@link #STATUS_MAX_AGE}). The Spring Boot starter registers one of these for its service when the
 * app has a {@code MeterRegistry}. Safe for concurrent use.
 */
public final class XenoServiceMeters implements MeterBinder {
    /** How long one status serves the meters: a scrape reads them all within it. */
    public static final Duration STATUS_MAX_AGE = Duration.ofMillis(500);

    private final XenoService service;
    private final AtomicReference<Taken> last = new AtomicReference<>();

    /** Meters for {@code service}, which stays the caller's to close. */
    public XenoServiceMeters(XenoService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    private record Taken(long atNanos, XenoStatus status) {}

    private XenoStatus status() {
        long now = System.nanoTime();
        Taken taken = last.get();
        if (taken == null || now - taken.atNanos() > STATUS_MAX_AGE.toNanos()) {
            taken = new Taken(now, service.status());
            last.set(taken);
        }
        return taken.status();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags site = Tags.of("site", service.config().site());
        Binder bind = new Binder(registry, site);
        bind.counter("xeno.requests", "Requests the origin started.", XenoStatus::requestsStarted);
        bind.gauge("xeno.requests.in.flight", "Requests started and not yet ended.", XenoStatus::inFlight);
        // a gauge per percentile, not a Prometheus summary: tagged "percentile", since "quantile" belongs to summaries
        Map.of("p50", Signal.LATENCY_P50_MS, "p90", Signal.LATENCY_P90_MS, "p99", Signal.LATENCY_P99_MS)
                .forEach((percentile, signal) -> bind.gauge(
                        "xeno.request.latency",
                        Tags.of("percentile", percentile),
                        "Request latency over the last few seconds, milliseconds, as the detector reads it.",
                        status -> reading(status, signal)));
        for (Signal signal : Signal.values()) {
            bind.gauge(
                    "xeno.overload.signal",
                    Tags.of("signal", signal.name().toLowerCase(Locale.ROOT)),
                    "The detector's signals, as last read.",
                    status -> reading(status, signal));
        }
        for (OverloadState state : OverloadState.values()) {
            bind.gauge(
                    "xeno.overload.state",
                    Tags.of("state", state.name()),
                    "1 for the detector's current state.",
                    status -> status.overload().state() == state ? 1 : 0);
        }
        bind.gauge(
                "xeno.capacity",
                "The learned healthy completion rate, per second.",
                status -> status.overload().capacityPerSecond());
        bindReplication(bind);
        bindOrigin(bind);
    }

    private void bindReplication(Binder bind) {
        for (ReplicationPhase phase : ReplicationPhase.values()) {
            bind.gauge(
                    "xeno.replication.phase",
                    Tags.of("phase", phase.name()),
                    "1 for the replicator's current phase.",
                    status -> status.replication().phase() == phase ? 1 : 0);
        }
        for (ReplicaState state : ReplicaState.values()) {
            bind.gauge(
                    "xeno.peers",
                    Tags.of("state", state.name()),
                    "Peers of the pool in each state.",
                    status -> status.replication().peersIn(state).size());
        }
        bind.gauge(
                "xeno.dns.addresses",
                "Peer addresses the replicator put in the site's DNS name.",
                status -> status.replication().addressesInDns().size());
        bind.gauge(
                "xeno.origin.sheltered",
                "1 while the origin's addresses are out of the site's DNS name.",
                status -> status.replication().originSheltered() ? 1 : 0);
        bind.counter(
                "xeno.dns.updates",
                "DNS UPDATE messages that succeeded.",
                status -> status.replication().dnsUpdates());
        bind.counter(
                "xeno.dns.failures",
                "DNS UPDATE attempts that failed.",
                status -> status.replication().dnsFailures());
        bind.counter(
                "xeno.certificates.issued",
                "Certificates ordered from the CA and installed on a peer.",
                status -> status.replication().certificatesIssued());
        bind.counter(
                "xeno.certificate.failures",
                "Certificate checks and orders that failed (and were retried).",
                status -> status.replication().certificateFailures());
    }

    private void bindOrigin(Binder bind) {
        XenoStatus now = status();
        if (now.intake().isPresent()) {
            Map<String, Function<XenoStatus.Intake, Long>> outcomes = Map.of(
                    "applied", XenoStatus.Intake::applied,
                    "duplicate", XenoStatus.Intake::duplicates,
                    "refused", XenoStatus.Intake::refused,
                    "failed", XenoStatus.Intake::failed);
            outcomes.forEach((outcome, count) -> bind.counter(
                    "xeno.intake.requests",
                    Tags.of("outcome", outcome),
                    "Captured requests the origin's intake answered, by outcome.",
                    status -> status.intake().map(count).orElse(0L)));
        }
        bind.counter(
                "xeno.backchannel.requests",
                Tags.of("outcome", "verified", "reason", ""),
                "Requests claiming to come from the site's peers, verified or refused by reason.",
                status -> status.backChannel().verified());
        for (String reason : now.backChannel().refused().keySet()) {
            bind.counter(
                    "xeno.backchannel.requests",
                    Tags.of("outcome", "refused", "reason", reason),
                    "Requests claiming to come from the site's peers, verified or refused by reason.",
                    status -> status.backChannel().refused().getOrDefault(reason, 0L));
        }
        bind.counter(
                "xeno.static.from.memory",
                "Requests for static files the origin answered from memory, without the application.",
                status -> status.fromMemory().served());
        bind.gauge(
                "xeno.static.memory",
                "Bytes of static files the origin holds in memory for overload.",
                status -> status.fromMemory().bytesHeld());
        bind.gauge(
                "xeno.static.memory.files",
                "Static files the origin holds in memory for overload.",
                status -> status.fromMemory().filesHeld());
        bindDefence(bind);
    }

    private void bindDefence(Binder bind) {
        bind.counter(
                "xeno.origin.connections.closed",
                "Direct clients' connections the origin closed after their answer while sheltered.",
                status -> status.originDefence().connectionsClosed());
        bind.gauge(
                "xeno.admission.engaged",
                "1 while the admission limit applies.",
                status -> status.originDefence().admission().engaged() ? 1 : 0);
        bind.gauge(
                "xeno.admission.limit",
                "The adaptive concurrency limit in front of the app.",
                status -> status.originDefence().admission().limit());
        for (String traffic : new String[] {"peer", "direct"}) {
            Function<XenoStatus, AdmissionCounts.TrafficCounts> counts = status -> traffic.equals("peer")
                    ? status.originDefence().admission().peer()
                    : status.originDefence().admission().direct();
            Tags tags = Tags.of("traffic", traffic);
            bind.gauge(
                    "xeno.admission.in.flight",
                    tags,
                    "Requests in the app, by traffic (peer or direct).",
                    status -> counts.apply(status).inFlight());
            bind.counter(
                    "xeno.admission.admitted",
                    tags,
                    "Requests admitted to the app, by traffic.",
                    status -> counts.apply(status).admitted());
            bind.counter(
                    "xeno.admission.shed",
                    tags,
                    "Requests refused without the app, by traffic.",
                    status -> counts.apply(status).shed());
        }
        bind.counter(
                "xeno.origin.journal.captured",
                "Direct requests of capture routes the origin journalled because the app had no room.",
                status -> status.originDefence().journaled());
        bind.counter(
                "xeno.origin.journal.applied",
                "Journalled requests applied once (or found applied before).",
                status -> status.originDefence().journalApplied());
        bind.gauge(
                "xeno.origin.journal.pending",
                "Journalled requests waiting for the app to have room.",
                status -> status.originDefence().journalPending());
        bind.counter(
                "xeno.origin.journal.dead",
                "Journalled requests the intake refused for what they are: set aside, not applied.",
                status -> status.originDefence().journalDead());
        bind.counter(
                "xeno.origin.link.budget.refused",
                "Direct clients' pages answered 503 while sheltered: over sheltered-direct-bytes-per-second.",
                status -> status.originDefence().overLinkBudget());
    }

    private static double reading(XenoStatus status, Signal signal) {
        SignalReading reading = status.overload().readings().get(signal);
        return reading == null || !Double.isFinite(reading.value()) ? 0 : reading.value();
    }

    /** Registers meters that read this binder's status, with the site's tag. */
    private final class Binder {
        private final MeterRegistry registry;
        private final Tags site;

        Binder(MeterRegistry registry, Tags site) {
            this.registry = registry;
            this.site = site;
        }

        void gauge(String name, String help, ToDoubleFunction<XenoStatus> value) {
            gauge(name, Tags.empty(), help, value);
        }

        void gauge(String name, Iterable<Tag> tags, String help, ToDoubleFunction<XenoStatus> value) {
            Gauge.builder(name, XenoServiceMeters.this, meters -> value.applyAsDouble(meters.status()))
                    .tags(site.and(tags))
                    .description(help)
                    .register(registry);
        }

        void counter(String name, String help, ToDoubleFunction<XenoStatus> value) {
            counter(name, Tags.empty(), help, value);
        }

        void counter(String name, Iterable<Tag> tags, String help, ToDoubleFunction<XenoStatus> value) {
            FunctionCounter.builder(name, XenoServiceMeters.this, meters -> value.applyAsDouble(meters.status()))
                    .tags(site.and(tags))
                    .description(help)
                    .register(registry);
        }
    }
}
