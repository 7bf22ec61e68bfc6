package org.xenoservice.replicate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.acme.AcmeIssuer;
import org.xenoservice.acme.AcmeSettings;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.bundle.StaticSource;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.dns.ChallengeRecords;
import org.xenoservice.dns.DnsUpdater;
import org.xenoservice.dns.Rfc2136DnsUpdater;
import org.xenoservice.overload.OverloadEvent;
import org.xenoservice.overload.OverloadListener;
import org.xenoservice.overload.OverloadState;

/**
 * Replicates the site onto its peer pool, driven by the overload detector's events:
 *
 * <ol>
 *   <li>in calm times it builds the site's bundle from its static source, rebuilds it when the
 *       source changes, and keeps every peer staged with it (delta pushes: only blobs a peer lacks
 *       travel, at most {@link ReplicationConfig#maxUploadBytesPerSecond()} per peer);
 *   <li>on SURGING or OVERLOADED it activates peers in waves of 1, 2, 4 … (preferring staged and
 *       heavier peers), asks each to confirm it serves the current version, and adds the confirmed
 *       peers' addresses to the site's DNS name in one UPDATE per wave;
 *   <li>if configured, the first such UPDATE also removes the origin's own addresses ("shelters"
 *       it), so clients go to the peers while the peers still reach it on its back-channel;
 *   <li>unless the site is {@linkplain Builder#httpOnly() HTTP-only}, a peer enters the name only
 *       while it serves a certificate for the site's names that is valid for at least another day:
 *       in calm times the replicator has each peer make a request with its own key, orders the
 *       certificate by ACME DNS-01 ({@link Builder#acme}), installs it on the peer and renews it in
 *       time; without ACME, the peers' operators install certificates and the replicator only checks;
 *   <li>once the detector has been NORMAL for the cool-down, one UPDATE takes the peers out of
 *       the name (and puts the origin back); the peers keep serving for twice the TTL, so that
 *       clients holding a cached answer never meet a dead peer, and are then retired.
 * </ol>
 *
 * <p>A peer that fails a call (down, refusing, slow) is skipped and tried again after a backoff
 * that doubles up to {@link #MAX_RETRY_BACKOFF}; a DNS update that fails is retried likewise. Every
 * step is logged at INFO and kept in {@link #status()}.
 *
 * <p>All decisions are taken on one thread, {@code xeno-replicator}; calls to peers run on
 * {@code xeno-replicator-peer-*} threads so that a slow peer never holds up the others. If the
 * process starts while pool addresses are still in the DNS name (e.g. after a crash during a flood),
 * the replicator adopts them and withdraws them after the cool-down like any other flood.
 * Safe for concurrent use; close it to stop its threads.
 *
 * <p>This class owns the decision thread and the wiring; each job is a package-private part:
 * {@code PhaseMachine} (the flood's life cycle and waves), {@code BundleStager} (building and
 * staging bundles), {@code DnsReconciler} (what is in the name), {@code RatePoller} (the peers'
 * request rates), {@code PeerCalls} over the {@code PeerLink} seam (calls to peers and their
 * threads), {@code Replica} (one peer) and {@code StepLog} (the steps the status shows).
 */
public final class Replicator implements OverloadListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    /** The first wait after a failed peer call or DNS update. */
    public static final Duration MIN_RETRY_BACKOFF = Duration.ofSeconds(1);
    /** The longest wait between attempts. */
    public static final Duration MAX_RETRY_BACKOFF = Duration.ofMinutes(1);
    /** How many attempts a retirement gets before the peer is left alone (it is out of DNS already). */
    public static final int RETIRE_ATTEMPTS = 5;
    /** How long a peer's certificate must still be valid for the peer to enter DNS. */
    public static final Duration MIN_CERTIFICATE_VALIDITY = CertificateKeeper.MIN_REMAINING;

    private static final Duration TICK = Duration.ofMillis(100);

    private final String site;
    private final Clock clock;
    private final List<Replica> replicas;
    private final Optional<DnsUpdater> updater;
    private final ScheduledExecutorService loop;
    private final PeerCalls calls;
    private final Optional<DnsUpdater> challengeUpdater;
    private final StepLog log;
    // The parts below are confined to the loop: only tick() and publish() touch them.
    private final BundleStager stager;
    private final CertificateKeeper certificates;
    private final DnsReconciler dns;
    private final PhaseMachine machine;

    private volatile OverloadState detectorState = OverloadState.NORMAL;
    private volatile ReplicationStatus status;
    private volatile boolean closed;

    private Replicator(Builder builder) throws IOException {
        this.site = builder.site;
        this.clock = builder.clock;
        Files.createDirectories(builder.bundleDirectory);
        Function<PeerSpec, PeerLink> links = builder.peerLinks.orElse(spec -> HttpPeerLink.connect(
                spec,
                site,
                builder.siteKey,
                builder.config.peerCallTimeout(),
                builder.config.maxUploadBytesPerSecond(),
                builder.sslContext));
        this.replicas = builder.peers.stream()
                .map(spec -> new Replica(spec, links.apply(spec)))
                .toList();
        this.updater = builder.dnsUpdater.or(() -> builder.dns.map(DnsSettings::updater));
        this.loop = builder.loopExecutor.orElseGet(() -> DaemonThreads.singleScheduled("xeno-replicator"));
        this.calls = new PeerCalls(
                builder.peerCallExecutor.orElseGet(() -> PeerCalls.defaultPool(replicas.size())), this::wake);
        this.log = new StepLog(site);
        Optional<Rfc2136DnsUpdater> ownChallengeUpdater = builder.ownChallengeUpdater();
        this.challengeUpdater = ownChallengeUpdater.map(DnsUpdater.class::cast);
        Optional<CertificateSource> source = builder.certificateSource.or(() ->
                builder.acme.map(settings -> CertificateSource.of(AcmeIssuer.builder()
                        .settings(settings)
                        .site(site)
                        .challengeRecords(ownChallengeUpdater
                                .map(ChallengeRecords.class::cast)
                                .orElseGet(() -> (ChallengeRecords) builder.dnsUpdater.orElseThrow()))
                        .build())));
        this.certificates = new CertificateKeeper(
                !builder.httpOnly,
                source.map(CertificateSource::names).orElse(List.of(site)),
                source,
                replicas,
                builder.certificateExecutor.orElseGet(() -> CertificateKeeper.defaultPool(replicas.size())),
                this::wake,
                clock,
                log);
        this.stager = new BundleStager(
                site,
                builder.siteKey,
                builder.source,
                builder.routes,
                builder.https,
                builder.bundleDirectory,
                builder.config.restageInterval(),
                clock,
                replicas,
                calls,
                log,
                builder.bundleListener);
        this.dns = new DnsReconciler(builder.dns, updater, replicas, log);
        this.machine = new PhaseMachine(
                replicas,
                stager,
                certificates,
                dns,
                new RatePoller(replicas, calls),
                calls,
                log,
                builder.config,
                builder.withdrawalRateLimit);
        publish();
    }

    /**
     * A builder for the replicator of {@code site}, whose bundles {@code siteKey} signs and whose
     * static files come from {@code source}.
     */
    public static Builder builder(String site, PrivateKey siteKey, StaticSource source) {
        return new Builder(site, siteKey, source);
    }

    /** Starts the replicator's thread: it builds the first bundle and stages it on every peer. */
    public Replicator start() {
        // tick() catches what a step throws, so the schedule runs until close() shuts the loop down.
        ScheduledFuture<?> unused = loop.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Takes the detector's state; the replicator acts on it on its own thread. */
    @Override
    public void onEvent(OverloadEvent event) {
        detectorState = event.current();
        wake();
    }

    /** Rebuilds the bundle now if the static source changed, instead of at the next periodic check. */
    public void restage() {
        loop.execute(() -> {
            stager.requestRestage();
            tick();
        });
    }

    /** What the replicator is doing now. */
    public ReplicationStatus status() {
        return status;
    }

    /**
     * Stops the threads and closes the peer clients and the DNS updater. Peers in DNS stay there (the
     * site keeps being served); the next start adopts and withdraws them.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.shutdownNow();
        calls.shutdownNow();
        certificates.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
            calls.awaitTermination(5, TimeUnit.SECONDS);
            certificates.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long inDns = status.peers().stream().filter(ReplicaStatus::inDns).count();
        if (inDns > 0) {
            LOG.warn(
                    "replicator of {} closed with {} peers still in DNS; the next start withdraws them after the cool-down",
                    site,
                    inDns);
        }
        replicas.forEach(replica -> replica.link().close());
        updater.ifPresent(DnsUpdater::close);
        challengeUpdater.ifPresent(DnsUpdater::close);
    }

    private void wake() {
        if (!closed) {
            try {
                loop.execute(this::tick);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        try {
            machine.tick(clock.instant(), detectorState);
        } catch (RuntimeException e) {
            LOG.error("replicator of {} failed a step; trying again on the next tick", site, e);
        }
        publish();
    }

    private void publish() {
        List<ReplicaStatus> peers = replicas.stream()
                .map(replica -> replica.status(
                        dns.contains(replica),
                        certificates.renewAt(replica),
                        certificates.lastError(replica),
                        machine.drain(replica)))
                .toList();
        Optional<BuiltBundle> current = stager.current();
        status = new ReplicationStatus(
                machine.phase(),
                detectorState,
                current.map(b -> OptionalLong.of(b.version())).orElse(OptionalLong.empty()),
                current.map(BuiltBundle::builtAt),
                machine.wave(),
                peers,
                dns.addresses(),
                dns.originSheltered(),
                dns.updates(),
                dns.failures(),
                certificates.required(),
                certificates.names(),
                certificates.issued(),
                certificates.failures(),
                log.recent());
    }

    /** Configures a {@link Replicator}; every setter checks its value. */
    public static final class Builder {
        private final String site;
        private final PrivateKey siteKey;
        private final StaticSource source;
        private List<DynamicRoute> routes = List.of();
        private HttpsSettings https = HttpsSettings.NONE;
        private List<PeerSpec> peers = List.of();
        private Optional<DnsSettings> dns = Optional.empty();
        private Optional<DnsUpdater> dnsUpdater = Optional.empty();
        private Path bundleDirectory;
        private ReplicationConfig config = ReplicationConfig.DEFAULTS;
        private Optional<SSLContext> sslContext = Optional.empty();
        private Clock clock = Clock.systemUTC();
        private DoubleSupplier withdrawalRateLimit = () -> Double.POSITIVE_INFINITY;
        private Optional<Function<PeerSpec, PeerLink>> peerLinks = Optional.empty();
        private Optional<ScheduledExecutorService> loopExecutor = Optional.empty();
        private Optional<ExecutorService> peerCallExecutor = Optional.empty();
        private boolean httpOnly;
        private Optional<AcmeSettings> acme = Optional.empty();
        private Optional<CertificateSource> certificateSource = Optional.empty();
        private Optional<ExecutorService> certificateExecutor = Optional.empty();
        private BundleListener bundleListener = (version, file) -> {};

        private Builder(String site, PrivateKey siteKey, StaticSource source) {
            this.site = Objects.requireNonNull(site, "site");
            this.siteKey = Objects.requireNonNull(siteKey, "siteKey");
            this.source = Objects.requireNonNull(source, "source");
        }

        /** The dynamic routes the bundle carries. */
        public Builder routes(List<DynamicRoute> value) {
            this.routes = List.copyOf(value);
            return this;
        }

        /** What the bundle asks of replicas' plain HTTP and HTTPS answers; {@link HttpsSettings#NONE} by default. */
        public Builder https(HttpsSettings value) {
            this.https = Objects.requireNonNull(value, "https");
            return this;
        }

        /**
         * Told of every bundle the replicator builds, on the replicator's thread (see
         * {@link BundleListener} for the contract); {@code XenoService} loads each into memory. None by
         * default.
         */
        public Builder bundleListener(BundleListener listener) {
            this.bundleListener = Objects.requireNonNull(listener, "bundleListener");
            return this;
        }

        /** The peer pool. */
        public Builder peers(List<PeerSpec> value) {
            this.peers = List.copyOf(value);
            long names = value.stream().map(PeerSpec::name).distinct().count();
            if (names != value.size()) {
                throw new IllegalArgumentException("peer names must be unique, but got "
                        + value.stream().map(PeerSpec::name).toList());
            }
            return this;
        }

        /** How the site's DNS name is changed; without it, peers are activated but no DNS is touched. */
        public Builder dns(DnsSettings value) {
            this.dns = Optional.of(value);
            return this;
        }

        /**
         * Sends the DNS changes through {@code updater} instead of the {@link org.xenoservice.dns.Rfc2136DnsUpdater}
         * that {@link #dns(DnsSettings)} would build from the settings' servers and TSIG key. The settings
         * are still required: they give the name, the TTL and the origin's addresses; their servers and
         * key are then unused. For a site whose DNS provider takes changes some other way than RFC 2136,
         * and for demonstrations that keep the records in memory. The replicator closes the updater
         * when it is closed.
         */
        public Builder dnsUpdater(DnsUpdater updater) {
            this.dnsUpdater = Optional.of(Objects.requireNonNull(updater, "dnsUpdater"));
            return this;
        }

        /** Where bundles are built (required). */
        public Builder bundleDirectory(Path value) {
            this.bundleDirectory = Objects.requireNonNull(value, "bundleDirectory");
            return this;
        }

        /** The timings and limits; {@link ReplicationConfig#DEFAULTS} by default. */
        public Builder config(ReplicationConfig value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** The TLS context for peers' {@code https} control URLs; the JDK default otherwise. */
        public Builder sslContext(SSLContext value) {
            this.sslContext = Optional.of(value);
            return this;
        }

        /**
         * The most requests per second the peers in DNS may still serve together for them to be
         * withdrawn after the cool-down: while the flood still hits them (the origin, sheltered, sees
         * nothing of it), sending it back would only overload the origin again. {@code XenoService}
         * gives the detector's calm limit (its surge threshold times the exit factor); unlimited by
         * default, which withdraws on the detector alone.
         */
        public Builder withdrawalRateLimit(DoubleSupplier requestsPerSecond) {
            this.withdrawalRateLimit = Objects.requireNonNull(requestsPerSecond, "withdrawalRateLimit");
            return this;
        }

        /**
         * Declares the site HTTP-only: peers enter DNS without a certificate. By default a peer enters
         * only while it serves one for the site's names valid for {@link #MIN_CERTIFICATE_VALIDITY}
         * more, since an HTTPS site whose name leads to a peer without its certificate is dead for
         * every browser sent there.
         */
        public Builder httpOnly() {
            this.httpOnly = true;
            return this;
        }

        /**
         * Gets the peers' certificates by ACME DNS-01 from {@code settings}' CA, writing the challenge
         * records with the {@link #dns(DnsSettings) DNS settings'} servers and key (or through the
         * {@link #dnsUpdater} if it writes {@link ChallengeRecords}). Without it, the peers' operators
         * install certificates and the replicator only checks that they are valid.
         */
        public Builder acme(AcmeSettings settings) {
            this.acme = Optional.of(Objects.requireNonNull(settings, "acme"));
            return this;
        }

        /** Where certificates come from, instead of an ACME CA: for unit tests with a fake CA. */
        Builder certificateSource(CertificateSource value) {
            this.certificateSource = Optional.of(Objects.requireNonNull(value, "certificateSource"));
            return this;
        }

        /**
         * The executor that checks and orders certificates, instead of the {@code xeno-replicator-tls-*}
         * pool: for unit tests. The replicator shuts it down when closed.
         */
        Builder certificateExecutor(ExecutorService value) {
            this.certificateExecutor = Optional.of(Objects.requireNonNull(value, "certificateExecutor"));
            return this;
        }

        /**
         * The updater that writes ACME challenge records, when the replicator must make its own: with
         * ACME and RFC 2136 settings, one managing every name a certificate carries; empty when there
         * is no ACME, or the given {@link #dnsUpdater} writes challenge records itself.
         */
        private Optional<Rfc2136DnsUpdater> ownChallengeUpdater() {
            if (acme.isEmpty() || certificateSource.isPresent() || dnsUpdater.isPresent()) {
                return Optional.empty();
            }
            return Optional.of(dns.orElseThrow().updater(acme.get().names(site)));
        }

        /** The clock for timestamps and bundle versions; the system clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * How the replicator reaches each peer, instead of signed HTTP calls through a
         * {@link org.xenoservice.peer.PeerClient}: for unit tests with fake peers.
         */
        Builder peerLinks(Function<PeerSpec, PeerLink> value) {
            this.peerLinks = Optional.of(Objects.requireNonNull(value, "peerLinks"));
            return this;
        }

        /**
         * The executor that takes every decision, instead of the {@code xeno-replicator} thread: for
         * unit tests that run its ticks by hand. It must run one task at a time; the replicator shuts it
         * down when closed.
         */
        Builder loopExecutor(ScheduledExecutorService value) {
            this.loopExecutor = Optional.of(Objects.requireNonNull(value, "loopExecutor"));
            return this;
        }

        /**
         * The executor that runs calls to peers, instead of the {@code xeno-replicator-peer-*} pool: for
         * unit tests that decide when a call finishes. The replicator shuts it down when closed.
         */
        Builder peerCallExecutor(ExecutorService value) {
            this.peerCallExecutor = Optional.of(Objects.requireNonNull(value, "peerCallExecutor"));
            return this;
        }

        /**
         * Builds the replicator (not started).
         *
         * @throws IOException if the bundle directory cannot be created
         */
        public Replicator build() throws IOException {
            if (bundleDirectory == null) {
                throw new IllegalStateException("bundleDirectory is required: where the replicator builds bundles");
            }
            if (dnsUpdater.isPresent() && dns.isEmpty()) {
                throw new IllegalStateException(
                        "a dnsUpdater needs dns(DnsSettings) too: the settings give the name, the TTL"
                                + " and the origin's addresses that the updater changes");
            }
            if (acme.isPresent() && dns.isEmpty()) {
                throw new IllegalStateException("ACME certificates need dns(DnsSettings) too: the challenge TXT"
                        + " records are written with its TSIG key to its servers");
            }
            if (acme.isPresent() && dnsUpdater.isPresent() && !(dnsUpdater.get() instanceof ChallengeRecords)) {
                throw new IllegalStateException("ACME needs the dnsUpdater to write challenge TXT records too"
                        + " (implement org.xenoservice.dns.ChallengeRecords), or drop the dnsUpdater so that"
                        + " RFC 2136 updates go to the dns servers");
            }
            if (httpOnly && (acme.isPresent() || certificateSource.isPresent())) {
                throw new IllegalStateException("an HTTP-only site orders no certificates: drop httpOnly() or acme()");
            }
            return new Replicator(this);
        }
    }
}
