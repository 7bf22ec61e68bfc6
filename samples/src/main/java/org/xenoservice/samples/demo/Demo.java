package org.xenoservice.samples.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.acme.AcmeSettings;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.dns.DnsUpdater;
import org.xenoservice.dns.Rfc2136DnsUpdater;
import org.xenoservice.dns.TsigKey;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.overload.OverloadConfig;
import org.xenoservice.overload.OverloadEvent;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.server.PeerServer;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.replicate.DnsSettings;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicationConfig;
import org.xenoservice.replicate.ReplicationStatus;
import org.xenoservice.replicate.Replicator;

/**
 * The whole demo on loopback, started and stopped as one: DNS (a local BIND, or printed updates),
 * an ACME CA (pebble, when installed: the demo then runs HTTPS), three peers on 127.0.0.11–13, the
 * shop's origin on 127.0.0.2 behind XenoService, customers, the flood, and a sampler that writes the
 * {@link Timeline} every 100 ms. All servers share one port (and one HTTPS port), so that the
 * addresses in DNS are all a client needs, as on the Internet.
 */
final class Demo implements AutoCloseable {
    static final String ZONE = "demo.example";
    static final String SITE = "books." + ZONE;
    static final String ORIGIN_ADDRESS = "127.0.0.2";
    static final List<String> PEER_ADDRESSES = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13");
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    final DemoOptions options;
    final PrintStream out;
    final long epochNanos = System.nanoTime();
    final LegitLog legit = new LegitLog();
    final Timeline timeline = new Timeline();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<PeerServer> peers = new ArrayList<>();
    private final Map<String, Long> lastPeerRequests = new LinkedHashMap<>();
    private DemoShop shop;
    private Optional<DemoHttps> https = Optional.empty();
    private int httpsPort = -1;
    private long lastCertificatesIssued;
    private XenoService xeno;
    private Customers customers;
    private LoadGenerator flood;
    private Customers.Lookup lookup;
    private boolean printedDns;
    private ScheduledExecutorService sampler;
    private long lastOriginRequests;
    private long lastSampleAt;
    private int ticks;
    private String lastPhase = "";
    private List<InetAddress> lastDns = List.of();
    private int port;

    Demo(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Starts everything but the customers and the flood. */
    void start() throws Exception {
        Path dir = options.out.toAbsolutePath().resolve("run");
        deleteTree(dir);
        Files.createDirectories(dir);
        KeyPair keys = SiteKeys.generate();
        port = commonFreePort(-1);
        shop = DemoShop.prepare(dir);
        closeables.add(shop);
        List<InetAddress> origin = List.of(InetAddress.getByName(ORIGIN_ADDRESS));

        DnsSettings settings;
        Optional<Path> named = options.printedDns ? Optional.empty() : LocalBind.findNamed();
        if (named.isPresent()) {
            LocalBind bind = LocalBind.start(named.get(), dir.resolve("bind"), ZONE, SITE, origin, options.ttl);
            closeables.add(0, bind);
            settings = new DnsSettings(
                    List.of(DnsServer.parse(bind.server())),
                    Optional.of(ZONE),
                    bind.key(),
                    SITE,
                    options.ttl,
                    origin,
                    true);
            Rfc2136DnsUpdater resolver = Rfc2136DnsUpdater.builder()
                    .server(bind.server())
                    .zone(ZONE)
                    .tsig(bind.key())
                    .manage(SITE)
                    .build();
            closeables.add(resolver);
            lookup = () -> resolver.show(SITE);
            say("DNS: a local BIND (named) on " + bind.server() + " is primary for " + ZONE + "; " + SITE + " -> "
                    + ORIGIN_ADDRESS + ", TTL " + options.ttl.toSeconds() + " s");
            https = startHttps(dir, bind, resolver);
        } else {
            printedDns = true;
            PrintedDns printed = new PrintedDns(options.ttl, out);
            printed.update(SITE, origin, List.of(), options.ttl);
            // The replicator takes its updater from dnsUpdater(); the server and key below are never used.
            settings = new DnsSettings(
                    List.of(new DnsServer("printed.invalid", 53)),
                    Optional.of(ZONE),
                    TsigKey.of(TsigKey.Algorithm.HMAC_SHA256, "printed", new byte[32]),
                    SITE,
                    options.ttl,
                    origin,
                    true);
            lookup = () -> printed.show(SITE);
            say("*** named (BIND 9) is " + (options.printedDns ? "switched off (--printed-dns)" : "not installed")
                    + ": DNS updates are only PRINTED, not sent to a DNS server (apt-get install bind9 for the real"
                    + " thing), and the demo runs over plain HTTP (its CA checks DNS-01 challenges on BIND) ***");
            startXeno(dir, keys, settings, Optional.of(printed));
            return;
        }
        startXeno(dir, keys, settings, Optional.empty());
    }

    /** Pebble and the origin's certificate, unless the demo runs over HTTP (--http, or no pebble). */
    private Optional<DemoHttps> startHttps(Path dir, LocalBind bind, Rfc2136DnsUpdater challengeRecords)
            throws Exception {
        if (options.http) {
            say("HTTP only (--http): customers use http://" + SITE + "/, and peers enter DNS without a certificate");
            return Optional.empty();
        }
        Optional<Path> pebble = LocalPebble.find();
        if (pebble.isEmpty()) {
            say("*** pebble (Let's Encrypt's ACME test CA) is not installed: the demo runs over plain HTTP,"
                    + " and peers enter DNS without a certificate (apt-get install pebble for HTTPS;"
                    + " samples/run-demo.sh installs it when run as root) ***");
            return Optional.empty();
        }
        DemoHttps started = DemoHttps.start(pebble.get(), dir, options.out, bind.server(), challengeRecords, SITE);
        closeables.add(0, started);
        say("HTTPS: pebble (an ACME test CA) checks DNS-01 on the local BIND; the origin's own certificate for " + SITE
                + " came from it; customers trust its root only: " + started.rootFile());
        return Optional.of(started);
    }

    private void startXeno(Path dir, KeyPair keys, DnsSettings settings, Optional<DnsUpdater> updater)
            throws Exception {
        URI backChannel = URI.create("http://" + ORIGIN_ADDRESS + ":" + port);
        httpsPort = https.isPresent() ? commonFreePort(port) : -1;
        for (int i = 0; i < PEER_ADDRESSES.size(); i++) {
            PeerServer.Builder peer = PeerServer.builder()
                    .bindAddress(PEER_ADDRESSES.get(i))
                    .servingPort(port)
                    .controlPort(0)
                    .storeDirectory(dir.resolve("peer" + (i + 1)))
                    .enroll(new Enrollment(SITE, keys.getPublic(), SiteQuota.DEFAULT, List.of(backChannel)));
            if (https.isPresent()) {
                peer.httpsPort(httpsPort);
            }
            PeerServer server = peer.build();
            server.start();
            peers.add(server);
            closeables.add(0, server);
        }
        XenoConfig.Builder config = XenoConfig.builder()
                .site(SITE)
                .siteKey(keys.getPrivate())
                .staticDirectory(shop.siteDirectory())
                .stateDirectory(dir.resolve("origin-state"))
                .backChannel(backChannel)
                .replication(ReplicationConfig.builder()
                        .coolDown(options.coolDown)
                        .drainQuiet(options.drainQuiet)
                        .maxDrain(options.maxDrain)
                        .waveInterval(Duration.ofMillis(500))
                        .restageInterval(Duration.ofSeconds(5))
                        .peerCallTimeout(Duration.ofSeconds(3))
                        .build())
                .overload(overloadConfig())
                .dns(settings);
        if (https.isPresent()) {
            // each peer gets a certificate for its own key from pebble, and enters DNS only while it serves one
            config.acme(https.get().acme(dir.resolve("origin-state").resolve(AcmeSettings.ACCOUNT_KEY_FILE)));
        } else {
            config.httpOnly(true); // its peers serve plain HTTP only
        }
        updater.ifPresent(config::dnsUpdater);
        for (int i = 0; i < peers.size(); i++) {
            config.peer(PeerSpec.of(
                    "p" + (i + 1),
                    URI.create("http://" + PEER_ADDRESSES.get(i) + ":"
                            + peers.get(i).controlPort()),
                    List.of(InetAddress.getByName(PEER_ADDRESSES.get(i))),
                    peers.get(i).identity().publicKey())); // each peer's own identity, pinned
            lastPeerRequests.put("p" + (i + 1), 0L);
        }
        shop.configure(config);
        xeno = XenoService.start(config.build());
        closeables.add(0, xeno);
        closeables.remove(shop);
        closeables.add(0, shop); // the origin stops first, then the service, the peers and DNS
        shop.start(
                xeno,
                ORIGIN_ADDRESS,
                port,
                options.originWorkers,
                options.cost,
                options.queueLimit,
                https.map(DemoHttps::originTls),
                httpsPort);
        xeno.detector().addListener(this::onDetector);
        say("origin " + ORIGIN_ADDRESS + ":" + port + (https.isPresent() ? " and https " + httpsPort : "")
                + " (capacity about " + Math.round(options.capacityPerSecond()) + " requests/s: "
                + options.originWorkers + " workers x " + options.cost.toMillis() + " ms), peers " + PEER_ADDRESSES
                + " on the same port" + (https.isPresent() ? "s" : ""));
        startClients();
    }

    private OverloadConfig overloadConfig() {
        return OverloadConfig.builder()
                .warmupTime(Duration.ofSeconds(3))
                .warmupRequests(30)
                .minSurgeRatePerSecond(Math.max(50, (int) options.capacityPerSecond()))
                .surgeMinDwell(Duration.ofMillis(300))
                .overloadMinDwell(Duration.ofSeconds(1))
                .recoveryTime(Duration.ofSeconds(2))
                .maxTransitionsPerMinute(30)
                .build();
    }

    /** The customers (over HTTPS when the demo runs it, else HTTP), the flood, and the sampler. */
    private void startClients() throws IOException {
        List<InetAddress> peerAddresses = new ArrayList<>();
        for (String address : PEER_ADDRESSES) {
            peerAddresses.add(InetAddress.getByName(address));
        }
        ShopClient client = https.isPresent()
                ? ShopClient.https(SITE, httpsPort, https.get().root(), options.customers)
                : ShopClient.http(SITE, port, options.customers);
        closeables.add(0, client);
        customers = new Customers(lookup, client, peerAddresses, shop.books(), legit, epochNanos, options.customers);
        // The flood stays plain HTTP: an attacker needs no certificate, and both listeners feed the same
        // workers. It hits the origin's address throughout, or follows DNS (--attacker).
        LoadGenerator.Target target = options.attacker == DemoOptions.Attacker.FOLLOW_DNS
                ? LoadGenerator.followingDns(lookup, ORIGIN_ADDRESS, 7L)
                : LoadGenerator.resolvedOnce(ORIGIN_ADDRESS);
        flood = new LoadGenerator(target, port, SITE, shop.pages(), options.floodThreads, options.floodRatePerSecond());
        sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "demo-sampler");
            thread.setDaemon(true);
            return thread;
        });
        lastSampleAt = nowMillis();
        ScheduledFuture<?> unused = sampler.scheduleAtFixedRate(this::sample, 100, 100, TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until every peer holds the site's bundle and, over HTTPS, serves a certificate for the site
     * valid for {@link Replicator#MIN_CERTIFICATE_VALIDITY} more (without one a peer cannot enter DNS).
     */
    void awaitReady() {
        await(
                "every peer holds the site's bundle",
                READY_TIMEOUT,
                () -> xeno.replicator().status().peersIn(ReplicaState.STAGED).size() == peers.size());
        say("bundle v" + xeno.replicator().status().bundleVersion().orElse(0) + " staged on " + peers.size()
                + " peers");
        if (https.isEmpty()) {
            return;
        }
        try {
            await("every peer serves a certificate for " + SITE, READY_TIMEOUT, () -> certifiedPeers() == peers.size());
        } catch (IllegalStateException e) {
            List<String> errors = xeno.replicator().status().peers().stream()
                    .map(peer -> peer.name() + ": " + peer.certificateError().orElse("no error"))
                    .toList();
            throw new IllegalStateException(e.getMessage() + " (" + String.join("; ", errors) + ")", e);
        }
        ReplicationStatus status = xeno.replicator().status();
        say("every peer serves a certificate for " + SITE + " from pebble, made for its own key ("
                + status.certificatesIssued() + " issued; valid until "
                + status.peers()
                        .get(0)
                        .certificate()
                        .map(ServedCertificate::notAfter)
                        .orElseThrow() + ")");
    }

    /** Peers that serve a certificate for the site, valid long enough to enter DNS. */
    long certifiedPeers() {
        Instant now = Instant.now();
        return xeno.replicator().status().peers().stream()
                .filter(peer -> peer.certificate()
                        .filter(held -> held.validFor(now, Replicator.MIN_CERTIFICATE_VALIDITY))
                        .isPresent())
                .count();
    }

    void startCustomers() {
        customers.start();
        say(options.customers + " customers browse and order, resolving " + SITE + " as their kind's cache rule says"
                + " (40 % honour the TTL, 20 % a 30 s TTL floor, 20 % browsers keeping answers 60 s, 20 % kept-alive"
                + " connections)");
    }

    void stopCustomers() {
        customers.stop();
    }

    void startFlood() {
        if (!flood.running()) {
            timeline.floodStarted(nowMillis());
            flood.start();
            say("FLOOD starts: " + options.floodThreads + " threads, " + flood.ratePerSecond() + " requests/s at "
                    + (options.attacker == DemoOptions.Attacker.FOLLOW_DNS
                            ? "whatever " + SITE + " resolves to"
                            : ORIGIN_ADDRESS)
                    + " (about " + Math.round(flood.ratePerSecond() / options.capacityPerSecond())
                    + "x the origin's capacity)");
        }
    }

    void stopFlood() {
        if (flood.running()) {
            flood.stop();
            timeline.floodStopped(nowMillis());
            say("FLOOD stops (" + flood.sent() + " requests sent)");
        }
    }

    void forceOverloaded() {
        xeno.detector().forceOverloaded();
        say("operator: \"under attack\" forced");
    }

    void release() {
        xeno.detector().release();
        say("operator: \"under attack\" released");
    }

    XenoService xeno() {
        return xeno;
    }

    DemoShop shop() {
        return shop;
    }

    Customers customers() {
        return customers;
    }

    LoadGenerator flood() {
        return flood;
    }

    List<PeerServer> peers() {
        return peers;
    }

    boolean printedDns() {
        return printedDns;
    }

    /** The port the origin and the peers serve plain HTTP on. */
    int port() {
        return port;
    }

    /** {@code https} when customers and peers use it, else {@code http}. */
    String scheme() {
        return https.isPresent() ? "https" : "http";
    }

    /** The port of the origin's and the peers' HTTPS listeners, when the demo runs HTTPS. */
    OptionalInt httpsPort() {
        return https.isPresent() ? OptionalInt.of(httpsPort) : OptionalInt.empty();
    }

    /** The PEM file of the CA root the customers trust, when the demo runs HTTPS. */
    Optional<Path> caCertificate() {
        return https.map(DemoHttps::rootFile);
    }

    /** Certificates the origin's XenoService got for peers from the CA since start. */
    long certificatesIssued() {
        return xeno.replicator().status().certificatesIssued();
    }

    /** Captured orders the peers still hold, not yet acknowledged by the origin's intake. */
    int capturesPending() {
        return peers.stream().mapToInt(peer -> peer.capturesPending(SITE)).sum();
    }

    long nowMillis() {
        return (System.nanoTime() - epochNanos) / 1_000_000;
    }

    /** Prints a line of the timeline: seconds since the start, then the text. */
    void say(String text) {
        long at = nowMillis();
        timeline.event(new Timeline.Event(at, text));
        out.printf("[%6.1f s] %s%n", at / 1000.0, text);
    }

    private void onDetector(OverloadEvent event) {
        long at = nowMillis();
        if (event.current() != OverloadState.NORMAL) {
            timeline.detected(at);
        }
        say("detector " + event.previous() + " -> " + event.current() + " " + event.reasons()
                + (event.hotPaths().isEmpty() ? "" : " hot: " + event.hotPaths()));
    }

    /** Every 100 ms: milestones; every second: a sample of rates and latencies. */
    private void sample() {
        try {
            long at = nowMillis();
            ReplicationStatus status = xeno.replicator().status();
            int inDns = status.peersIn(ReplicaState.IN_DNS).size();
            timeline.peersInDns(at, inDns);
            if (!status.phase().name().equals(lastPhase)) {
                lastPhase = status.phase().name();
                say("replicator " + lastPhase + " (wave " + status.wave() + ")");
            }
            if (status.certificatesIssued() != lastCertificatesIssued) {
                lastCertificatesIssued = status.certificatesIssued();
                say("certificates: " + lastCertificatesIssued + " ordered from the CA and installed on peers so far");
            }
            if (!status.addressesInDns().equals(lastDns)) {
                lastDns = status.addressesInDns();
                say("DNS: peers in " + SITE + " now "
                        + lastDns.stream().map(InetAddress::getHostAddress).toList()
                        + (status.originSheltered() ? ", origin sheltered" : ""));
            }
            if (++ticks % 10 != 0) {
                return;
            }
            double seconds = Math.max(0.001, (at - lastSampleAt) / 1000.0);
            lastSampleAt = at;
            long originRequests = xeno.recorder().totalStarted();
            double originRate = (originRequests - lastOriginRequests) / seconds;
            lastOriginRequests = originRequests;
            Map<String, Double> peerRates = new LinkedHashMap<>();
            for (int i = 0; i < peers.size(); i++) {
                String name = "p" + (i + 1);
                long requests = peers.get(i).accounting().snapshot(SITE).requests();
                peerRates.put(name, (requests - lastPeerRequests.get(name)) / seconds);
                lastPeerRequests.put(name, requests);
            }
            List<LegitLog.Entry> window = legit.between(at - 1000, at);
            Timeline.Sample sample = new Timeline.Sample(
                    at,
                    originRate,
                    peerRates,
                    LegitLog.percentile(window, 50),
                    LegitLog.percentile(window, 95),
                    window.size(),
                    window.stream().filter(entry -> !entry.ok()).count(),
                    xeno.detector().state().name(),
                    status.phase().name(),
                    status.addressesInDns().size(),
                    flood.running());
            timeline.add(sample);
            if (ticks % 50 == 0) {
                say(String.format(
                        "origin %.0f req/s, peers %s req/s, legit p95 %d ms, %d/%d ok; %s, %s",
                        originRate,
                        peerRates.values().stream()
                                .map(rate -> String.valueOf(Math.round(rate)))
                                .toList(),
                        sample.legitP95Ms(),
                        sample.legitRequests() - sample.legitFailures(),
                        sample.legitRequests(),
                        sample.detector(),
                        sample.phase()));
            }
        } catch (RuntimeException e) {
            out.println("sampler: " + e);
        }
    }

    @Override
    public void close() {
        if (flood != null) {
            flood.stop();
        }
        if (customers != null) {
            customers.stop();
        }
        if (sampler != null) {
            sampler.shutdownNow();
        }
        for (AutoCloseable closeable : closeables) {
            try {
                closeable.close();
            } catch (Exception e) {
                out.println("closing " + closeable + ": " + e);
            }
        }
    }

    /** Polls {@code condition} every 50 ms until it holds; fails after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            pause(50);
        }
    }

    /** Waits {@code duration} of wall time (the scenario's own clock: a phase lasts this long). */
    static void hold(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            pause(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A port free on the origin's and every peer's loopback address, other than {@code taken}. */
    private static int commonFreePort(int taken) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(ORIGIN_ADDRESS))) {
                candidate = probe.getLocalPort();
            }
            boolean free = candidate != taken;
            for (String address : PEER_ADDRESSES) {
                try (ServerSocket probe = new ServerSocket(candidate, 1, InetAddress.getByName(address))) {
                    free &= probe.isBound();
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return candidate;
            }
        }
        throw new IOException("no port is free on all of " + ORIGIN_ADDRESS + " and " + PEER_ADDRESSES);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
