package org.xenoservice.peer.server;

import io.undertow.server.handlers.GracefulShutdownHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.peer.BandwidthLimiter;
import org.xenoservice.peer.Captures;
import org.xenoservice.peer.ConnectionLimits;
import org.xenoservice.peer.ControlProtocol;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.OperatorCalls;
import org.xenoservice.peer.PeerAccounting;
import org.xenoservice.peer.PeerConfig;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.peer.PeerSites;
import org.xenoservice.peer.SiteCertificates;
import org.xenoservice.peer.TlsEngine;

/**
 * A peer host (a "Xenoserver"): serves the sites it has enrolled, by {@code Host} header, on its
 * serving port, and takes their owners' signed bundles on its control port. An ISP or a friendly
 * operator runs it; site owners push to it with {@code xenoservice peer push}.
 *
 * <pre>{@code
 * try (PeerServer peer = PeerServer.builder()
 *     .servingPort(8080).controlPort(8081)
 *     .storeDirectory(Path.of("/var/lib/xenoservice"))
 *     .enroll(new Enrollment("books.example", SiteKeys.readPublicKey(Path.of("books.pub")), SiteQuota.DEFAULT))
 *     .build()) {
 *   peer.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>With an {@linkplain Builder#httpsPort HTTPS port}, the same sites are served there too, over
 * TLS 1.3 or 1.2 with HTTP/2 (ALPN) or HTTP/1.1, each with its own certificate chosen by the
 * client's SNI ({@link SiteCertificates}): a key the peer made and a chain the site's owner had
 * issued for it, or a certificate the operator installed. A handshake for a name the peer holds no
 * certificate for fails; it never gets another site's.
 *
 * <p>Under the store directory: {@code blobs/sites/<site>/} (each site's own content-addressed
 * blobs, written only by its own signed bundles), {@code state/} (each site's manifests and active version), {@code spool/} (uploads
 * being checked), {@code tls/<site>/} (the site's TLS key, mode 600, and chain) and {@code capture/<site>/} (the journal of requests captured by the site's
 * {@code capture} routes, forwarded to the origin by a thread per site until acknowledged).
 * Everything survives a restart; {@link #close()} stops the forwarders and closes the journals.
 *
 * <p>Slow and idle clients are bounded by the {@link ConnectionLimits} (timeouts, connections per
 * address and in all, uploads at once), and each site's bytes are paced to its share of the
 * bandwidth by a {@link BandwidthLimiter}; the serving ports and the control port have threads and
 * connection caps of their own, so that a flood of one never starves the other.
 */
public final class PeerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerServer.class);

    /** The configuration the peer started with: its ports, address, store and limits hold until a restart. */
    private final PeerConfig config;
    /** Where {@link #reload()} reads the next configuration from; null when built without one. */
    private final Callable<PeerConfig> reloadSource;
    /** The configuration last applied: that of the start or of the last successful reload. */
    private volatile PeerConfig applied;

    private final BlobCache blobCache;
    private final Clock clock;
    private final int proxyMaxInFlightPerSite;
    /** The serving ports, HTTP and HTTPS, on one worker and one connection cap. */
    private GuardedListeners serving;
    /** The control port, on a worker and a connection cap of its own, so that a flood of one never starves the other. */
    private GuardedListeners control;

    /** Lets the requests in flight finish when the peer stops; one per worker. */
    private GracefulShutdownHandler servingGate;

    private GracefulShutdownHandler controlGate;
    private volatile boolean stopping;

    private volatile PeerSites sites;
    private PeerAccounting accounting;
    private BandwidthLimiter bandwidth;
    private Optional<SiteCertificates> certificates = Optional.empty();
    private Captures captures;
    private PeerIdentity identity;
    private SiteHandler siteHandler;
    private int servingPort;
    private int controlPort;
    /** The engine the HTTPS port handshakes with, once started with one. */
    private volatile TlsEngine httpsEngine;
    /** Read by the serving port's redirects on request threads; set once the HTTPS listener is bound. */
    private volatile int httpsPort = -1;

    private PeerServer(
            PeerConfig config,
            Callable<PeerConfig> reloadSource,
            BlobCache blobCache,
            Clock clock,
            int proxyMaxInFlightPerSite) {
        this.config = config;
        this.applied = config;
        this.reloadSource = reloadSource;
        this.blobCache = blobCache;
        this.clock = clock;
        this.proxyMaxInFlightPerSite = proxyMaxInFlightPerSite;
    }

    /** Starts configuring a peer; the settings are those of {@link PeerConfig}, checked there. */
    public static Builder builder() {
        return new Builder();
    }

    /** A peer configured as {@code config} says (ports, address, store, limits, TLS, enrolments). */
    public static PeerServer fromConfig(PeerConfig config) {
        return new PeerServer(
                Objects.requireNonNull(config, "config"),
                null,
                BlobCache.withDefaults(),
                Clock.systemUTC(),
                DynamicPaths.DEFAULT_PROXY_MAX_IN_FLIGHT_PER_SITE);
    }

    /**
     * A peer configured as {@code config} says, whose {@link #reload()} (on SIGHUP, or the operator's
     * signed control call) takes its next configuration from {@code reloadSource}: typically the
     * configuration file read again. The source runs on the reloading thread; what it throws is the
     * reason the reload is refused, so its message should name the file and key at fault.
     */
    public static PeerServer fromConfig(PeerConfig config, Callable<PeerConfig> reloadSource) {
        return new PeerServer(
                Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(reloadSource, "reloadSource"),
                BlobCache.withDefaults(),
                Clock.systemUTC(),
                DynamicPaths.DEFAULT_PROXY_MAX_IN_FLIGHT_PER_SITE);
    }

    /** Configures a {@link PeerServer}: a {@link PeerConfig} plus the in-process parts (cache, clock). */
    public static final class Builder {
        private final PeerConfig.Builder config = PeerConfig.builder();
        private BlobCache blobCache = BlobCache.withDefaults();
        private Clock clock = Clock.systemUTC();
        private int proxyMaxInFlightPerSite = DynamicPaths.DEFAULT_PROXY_MAX_IN_FLIGHT_PER_SITE;

        private Builder() {}

        /**
         * How many requests of one site proxy routes may forward to its origin at once, whatever its
         * routes ask; see {@link SiteHandler.Builder#proxyMaxInFlightPerSite}. 8 by default.
         */
        public Builder proxyMaxInFlightPerSite(int requests) {
            if (requests < 1 || requests > 10_000) {
                throw new IllegalArgumentException(
                        "proxyMaxInFlightPerSite must be between 1 and 10000, but was " + requests);
            }
            this.proxyMaxInFlightPerSite = requests;
            return this;
        }

        /** The port that serves the sites (0: any free port); 8080 by default. */
        public Builder servingPort(int port) {
            config.servingPort(port);
            return this;
        }

        /**
         * The port that serves the sites over HTTPS, each with its own certificate chosen by SNI (0:
         * any free port); none by default. See {@link PeerConfig.Builder#httpsPort}.
         */
        public Builder httpsPort(int port) {
            config.httpsPort(port);
            return this;
        }

        /** The HTTPS port's TLS engine; see {@link PeerConfig.Builder#tlsEngine}. */
        public Builder tlsEngine(TlsEngine engine) {
            config.tlsEngine(engine);
            return this;
        }

        /** Serves {@code site} over HTTPS with a certificate the operator installed; see {@link PeerConfig.Builder#manualCertificate}. */
        public Builder manualCertificate(String site, Path chainFile, Path keyFile) {
            config.manualCertificate(site, chainFile, keyFile);
            return this;
        }

        /** The port of the signed control protocol (0: any free port); 8081 by default. */
        public Builder controlPort(int port) {
            config.controlPort(port);
            return this;
        }

        /** The address both ports listen on; all interfaces by default. */
        public Builder bindAddress(String address) {
            config.bindAddress(address);
            return this;
        }

        /** Where blobs and state live; required. */
        public Builder storeDirectory(Path directory) {
            config.storeDirectory(directory);
            return this;
        }

        /** Sites this peer accepts; nothing else is accepted. */
        public Builder enroll(Enrollment... sites) {
            config.enroll(sites);
            return this;
        }

        /** Sites this peer accepts; nothing else is accepted. */
        public Builder enrollments(Collection<Enrollment> sites) {
            config.enrollments(sites);
            return this;
        }

        /** The largest bundle upload accepted (413 above); {@link PeerConfig#DEFAULT_MAX_UPLOAD_BYTES} by default. */
        public Builder maxUploadBytes(long bytes) {
            config.maxUploadBytes(bytes);
            return this;
        }

        /** See {@link PeerConfig#metricsToken()}: the bearer token {@code /metrics} asks for; off by default. */
        public Builder metricsToken(String token) {
            config.metricsToken(token);
            return this;
        }

        /** See {@link PeerConfig#bandwidthBytesPerSecond()}: the bandwidth the sites' shares divide. */
        public Builder bandwidthBytesPerSecond(long bytes) {
            config.bandwidthBytesPerSecond(bytes);
            return this;
        }

        /** See {@link PeerConfig#connectionLimits()}: timeouts and connection caps; {@link ConnectionLimits#DEFAULTS} by default. */
        public Builder connectionLimits(ConnectionLimits limits) {
            config.connectionLimits(limits);
            return this;
        }

        /** Serves both ports over TLS with the key and certificate in a PKCS#12 key store. */
        public Builder tls(Path keyStoreFile, char[] password) {
            config.tls(keyStoreFile, password);
            return this;
        }

        /** The in-memory cache of hot blobs; {@link BlobCache#withDefaults()} by default. */
        public Builder blobCache(BlobCache cache) {
            this.blobCache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /** The clock control calls' timestamps are checked against; the system clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Builds the peer (call {@link PeerServer#start()}).
         *
         * @throws IllegalStateException without a store directory, with no enrolled site, or with
         *     the same port twice
         */
        public PeerServer build() {
            return new PeerServer(config.build(), null, blobCache, clock, proxyMaxInFlightPerSite);
        }
    }

    /**
     * Opens the store, reloads the sites' state and starts listening on both ports.
     *
     * @throws IOException if the store cannot be opened, the key store read, or a port bound
     */
    public synchronized void start() throws IOException {
        if (serving != null) {
            return;
        }
        Path root = config.storeDirectory().toAbsolutePath();
        BlobStore store = BlobStore.open(root.resolve("blobs"));
        sites = PeerSites.open(root.resolve("state"), store, config.enrollments());
        sites.forwardRetiredFor(config.retiredForwarding());
        accounting = new PeerAccounting(config.enrollments(), System::nanoTime);
        certificates = config.httpsPort().isPresent()
                ? Optional.of(SiteCertificates.open(
                        root.resolve("tls"), config.enrollments(), config.manualCertificates(), clock))
                : Optional.empty();
        ControlProtocol protocol = controlProtocol(certificates, root.resolve("spool"));
        Optional<SSLContext> tls = config.tlsKeystore().isPresent() ? Optional.of(sslContext()) : Optional.empty();
        HttpsEngines.Chosen https = certificates.isPresent()
                ? HttpsEngines.choose(config.tlsEngine(), certificates.get(), BoringSslTls.unavailable())
                : null;
        identity = PeerIdentity.loadOrCreate(root, clock);
        LOG.info(
                "peer: identity {}; site owners pin it as peer.<name>.public-key = {}",
                identity,
                identity.publicKeyId());
        captures = Captures.builder(root.resolve("capture"), sites, identity)
                .storedBytes(sites::storedBytes)
                .enrollments(sites::enrollment)
                .open();
        sites.countOtherBytesOnDisk(captures::bytesOnDisk);
        accounting.addMetrics(captures::prometheus);
        bandwidth = new BandwidthLimiter(config.enrollments(), System::nanoTime, config.bandwidthBytesPerSecond());
        SiteHandler.Builder handler = SiteHandler.builder(sites)
                .hooks(accounting)
                .bandwidth(bandwidth)
                .blobCache(blobCache)
                .captures(captures)
                .identity(identity)
                .proxyMaxInFlightPerSite(proxyMaxInFlightPerSite);
        certificates.ifPresent(held -> handler.https(() -> httpsPort, site -> certified(held, site)));
        siteHandler = handler.build();
        ConnectionLimits limits = config.connectionLimits();
        servingGate = new GracefulShutdownHandler(new BodyDeadline(siteHandler, limits.bodyTimeout()));
        ControlHandler calls = new ControlHandler(
                protocol,
                new OperatorCalls(identity.publicKey(), clock, this::reloadAnswer),
                limits.maxConcurrentUploads(),
                limits.uploadTimeout(),
                limits.bodyTimeout());
        controlGate = new GracefulShutdownHandler(new HealthHandler(calls, this::readiness));
        try {
            int ioThreads = Math.max(Runtime.getRuntime().availableProcessors(), 2);
            serving = new GuardedListeners("xeno-peer-serving", limits, ioThreads, ioThreads * 8);
            control = new GuardedListeners("xeno-peer-control", limits, 1, limits.maxConcurrentUploads() + 4);
            // HTTPS first, so that the plain port's redirects know its port from their first request.
            if (https != null) {
                httpsPort = serving.listenTls(
                                config.bindAddress(), config.httpsPort().getAsInt(), https.context(), true, servingGate)
                        .getPort();
                httpsEngine = https.engine();
            }
            servingPort = listen(serving, config.servingPort(), tls, servingGate);
            controlPort = listen(control, config.controlPort(), tls, controlGate);
        } catch (IOException | RuntimeException e) {
            close();
            throw new IOException("cannot listen on " + config.bindAddress() + ": " + e.getMessage(), e);
        }
        logListening(tls.isPresent());
    }

    /** The control calls' protocol, with the certificate calls when HTTPS is on and /metrics when a token is set. */
    private ControlProtocol controlProtocol(Optional<SiteCertificates> certificates, Path spool) {
        PeerSites sites = this.sites;
        ControlProtocol protocol = certificates.isPresent()
                ? new ControlProtocol(sites, accounting, certificates.get(), clock, config.maxUploadBytes(), spool)
                : new ControlProtocol(sites, accounting, clock, config.maxUploadBytes(), spool);
        return config.metricsToken().isPresent()
                ? protocol.withMetricsToken(config.metricsToken().get())
                : protocol;
    }

    private void logListening(boolean tls) {
        if (httpsPort >= 0) {
            LOG.info(
                    "peer: serving {} on https://{}:{} by SNI, with {}",
                    sites.enrolledSites(),
                    config.bindAddress(),
                    httpsPort,
                    httpsEngine == TlsEngine.BORINGSSL ? "BoringSSL" : "the JDK's TLS");
        }
        String scheme = tls ? "https" : "http";
        LOG.info(
                "peer: serving {} on {}://{}:{}, control on {}://{}:{}",
                sites.enrolledSites(),
                scheme,
                config.bindAddress(),
                servingPort,
                scheme,
                config.bindAddress(),
                controlPort);
    }

    /** Whether {@code site} has a certificate valid now, so that redirecting its clients to HTTPS leads somewhere. */
    private boolean certified(SiteCertificates certificates, String site) {
        return certificates
                .served(site)
                .filter(served -> served.notAfter().isAfter(clock.instant()))
                .isPresent();
    }

    /** The serving port as bound (useful when configured as 0). */
    public int servingPort() {
        return servingPort;
    }

    /** The HTTPS serving port as bound (useful when configured as 0), empty when the peer serves no HTTPS. */
    public OptionalInt httpsPort() {
        return httpsPort < 0 ? OptionalInt.empty() : OptionalInt.of(httpsPort);
    }

    /**
     * The TLS engine the HTTPS port handshakes with ({@link TlsEngine#BORINGSSL} or {@link TlsEngine#JDK};
     * with {@link TlsEngine#AUTO} configured, the one it found), empty when the peer serves no HTTPS.
     */
    public Optional<TlsEngine> httpsEngine() {
        return Optional.ofNullable(httpsEngine);
    }

    /** The control port as bound (useful when configured as 0). */
    public int controlPort() {
        return controlPort;
    }

    /** The sites' state, for status pages and tests. */
    public PeerSites sites() {
        if (sites == null) {
            throw new IllegalStateException("the peer is not started");
        }
        return sites;
    }

    /**
     * The peer's own identity, which signs every request it sends to an origin (made in
     * {@code <store>/identity/} on the first start); give site owners its
     * {@link PeerIdentity#publicKeyId()}.
     */
    public PeerIdentity identity() {
        if (identity == null) {
            throw new IllegalStateException("the peer is not started");
        }
        return identity;
    }

    /** How many requests captured for {@code site} the origin has not acknowledged yet. */
    public int capturesPending(String site) {
        if (captures == null) {
            throw new IllegalStateException("the peer is not started");
        }
        return captures.pendingCount(site);
    }

    /**
     * How many requests captured for {@code site} no retry can deliver (the origin's intake refused
     * them for what they are); they are kept aside on disk ({@code capture/<site>/dead-letters}) for
     * the operator.
     */
    public int capturesSetAside(String site) {
        if (captures == null) {
            throw new IllegalStateException("the peer is not started");
        }
        return captures.deadLetterCount(site);
    }

    /** The per-site accounting. */
    public PeerAccounting accounting() {
        if (accounting == null) {
            throw new IllegalStateException("the peer is not started");
        }
        return accounting;
    }

    /**
     * Re-reads the configuration from the source given to {@link #fromConfig(PeerConfig, Callable)}
     * and applies it as {@link #reload(PeerConfig)} does; SIGHUP and the operator's control call
     * land here. A source that throws leaves the peer as it was, with its message as the refusal.
     */
    public ReloadResult reload() {
        if (reloadSource == null) {
            return PeerReloads.logged(ReloadResult.refused(
                    "this peer was built without a configuration source; use PeerServer.fromConfig(config, source)"));
        }
        PeerConfig next;
        try {
            next = reloadSource.call();
        } catch (Exception e) {
            return PeerReloads.logged(ReloadResult.refused(e.getMessage()));
        }
        return reload(next);
    }

    /**
     * Applies {@code next} while the peer serves, without dropping a request: enrolled sites are
     * added, removed or re-enrolled (key, quota, allowed origins), manual certificates are read
     * again, and the bandwidth is shared anew. Everything is read and checked first; if anything is
     * wrong (a manual certificate's files, a new site's state, a served route outside a site's new
     * allowed origins), nothing changes and the result says why. Settings only a restart can
     * change (ports, address, store, TLS key store, limits, metrics token) are reported, not applied.
     * Every change is logged, one line each.
     *
     * @throws IllegalStateException if the peer is not started
     */
    public synchronized ReloadResult reload(PeerConfig next) {
        Objects.requireNonNull(next, "next");
        if (serving == null) {
            throw new IllegalStateException("the peer is not started");
        }
        PeerConfig before = applied;
        ReloadResult result = PeerReloads.apply(
                new PeerReloads.Parts(sites, accounting, bandwidth, certificates, clock), config, before, next);
        if (result.applied()) {
            applied = next;
        }
        return PeerReloads.logged(result);
    }

    private ControlProtocol.Response reloadAnswer() {
        return PeerReloads.answer(reload());
    }

    private HealthHandler.Readiness readiness() {
        PeerSites loaded = sites;
        if (stopping || loaded == null) {
            return new HealthHandler.Readiness(0, Optional.of(stopping ? "stopping" : "not started"));
        }
        Path store = config.storeDirectory().toAbsolutePath();
        if (!Files.isDirectory(store) || !Files.isReadable(store) || !Files.isExecutable(store)) {
            return new HealthHandler.Readiness(0, Optional.of("store not readable"));
        }
        int count = loaded.enrolledSites().size();
        return new HealthHandler.Readiness(count, count == 0 ? Optional.of("no sites") : Optional.empty());
    }

    /**
     * Stops gracefully, as SIGTERM asks: stops accepting connections, lets the requests in flight
     * finish (new requests on open connections get 503) for up to {@code grace}, gives the capture
     * forwarders what is left of it (at most 5 s) to deliver what
     * is pending, then {@linkplain #close() closes}. Whatever is not delivered stays in the journal,
     * written to disk before it was acknowledged, for the next start. Each step is logged.
     */
    public synchronized void stop(Duration grace) {
        if (serving == null) {
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        stopping = true;
        serving.stopAccepting();
        control.stopAccepting();
        servingGate.shutdown();
        controlGate.shutdown();
        LOG.info("peer: stopping: no new connections; requests in flight have up to {} ms to finish", grace.toMillis());
        boolean drained = false;
        try {
            boolean servingDrained = servingGate.awaitShutdown(remainingMillis(deadline));
            drained = controlGate.awaitShutdown(remainingMillis(deadline)) && servingDrained;
            if (drained) {
                LOG.info("peer: every request in flight finished");
            } else {
                LOG.warn("peer: requests still in flight after {} ms; closing their connections", grace.toMillis());
            }
            PeerReloads.flushCaptures(captures, sites.enrolledSites(), deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
        LOG.info("peer: stopped");
    }

    private static long remainingMillis(long deadline) {
        return Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    }

    /** Stops listening; the state stays on disk. Safe to call from an interrupted thread. */
    @Override
    public synchronized void close() {
        boolean interrupted = Thread.interrupted();
        try {
            for (GuardedListeners listeners : new GuardedListeners[] {serving, control}) {
                if (listeners != null) {
                    listeners.close();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        serving = null;
        control = null;
        httpsPort = -1;
        httpsEngine = null;
        if (siteHandler != null) {
            siteHandler.close();
            siteHandler = null;
        }
        if (captures != null) {
            captures.close();
            captures = null;
        }
    }

    private int listen(
            GuardedListeners listeners, int port, Optional<SSLContext> tls, io.undertow.server.HttpHandler handler)
            throws IOException {
        InetSocketAddress bound = tls.isPresent()
                ? listeners.listenTls(config.bindAddress(), port, tls.get(), false, handler)
                : listeners.listen(config.bindAddress(), port, handler);
        return bound.getPort();
    }

    private SSLContext sslContext() throws IOException {
        Path file = config.tlsKeystore().orElseThrow();
        char[] password = config.tlsPassword();
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, password);
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException(
                    "cannot use the TLS key store " + file + ": " + e.getMessage()
                            + "; it must be PKCS#12 with the server's key and certificate, and the password must match",
                    e);
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }
}
