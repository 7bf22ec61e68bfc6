package org.xenoservice.samples.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.dns.AddressLiterals;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.dns.DnsUpdater;
import org.xenoservice.dns.Rfc2136DnsUpdater;
import org.xenoservice.dns.TsigKey;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.overload.OverloadConfig;
import org.xenoservice.overload.OverloadEvent;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.server.PeerServer;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.replicate.DnsSettings;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationConfig;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * The whole demo on loopback, started and stopped as one: DNS (a local BIND, or printed updates),
 * three peers on 127.0.0.11–13, the shop's origin on 127.0.0.2 behind XenoService, customers, the
 * flood, and a sampler that writes the {@link Timeline} every 100 ms. All servers share one port,
 * so that the addresses in DNS are all a client needs, as on the Internet.
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
    private final ObjectMapper json = new ObjectMapper();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<PeerServer> peers = new ArrayList<>();
    private final Map<String, Long> lastPeerRequests = new LinkedHashMap<>();
    private DemoShop shop;
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
        port = commonFreePort();
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
            say(
                    "*** named (BIND 9) is " + (options.printedDns ? "switched off (--printed-dns)" : "not installed")
                            + ": DNS updates are only PRINTED, not sent to a DNS server (apt-get install bind9 for the real thing) ***");
            startXeno(dir, keys, settings, Optional.of(printed));
            return;
        }
        startXeno(dir, keys, settings, Optional.empty());
    }

    private void startXeno(Path dir, KeyPair keys, DnsSettings settings, Optional<DnsUpdater> updater)
            throws Exception {
        URI backChannel = URI.create("http://" + ORIGIN_ADDRESS + ":" + port);
        for (int i = 0; i < PEER_ADDRESSES.size(); i++) {
            PeerServer peer = PeerServer.builder()
                    .bindAddress(PEER_ADDRESSES.get(i))
                    .servingPort(port)
                    .controlPort(0)
                    .storeDirectory(dir.resolve("peer" + (i + 1)))
                    .enroll(new Enrollment(SITE, keys.getPublic(), SiteQuota.DEFAULT, List.of(backChannel)))
                    .build();
            peer.start();
            peers.add(peer);
            closeables.add(0, peer);
        }
        XenoConfig.Builder config = XenoConfig.builder()
                .site(SITE)
                .siteKey(keys.getPrivate())
                .staticDirectory(shop.siteDirectory())
                .httpOnly(true) // its peers serve plain HTTP only
                .stateDirectory(dir.resolve("origin-state"))
                .backChannel(backChannel)
                .replication(ReplicationConfig.builder()
                        .coolDown(options.coolDown)
                        .waveInterval(Duration.ofMillis(500))
                        .restageInterval(Duration.ofSeconds(5))
                        .peerCallTimeout(Duration.ofSeconds(3))
                        .build())
                .overload(OverloadConfig.builder()
                        .warmupTime(Duration.ofSeconds(3))
                        .warmupRequests(30)
                        .minSurgeRatePerSecond(Math.max(50, (int) options.capacityPerSecond()))
                        .surgeMinDwell(Duration.ofMillis(300))
                        .overloadMinDwell(Duration.ofSeconds(1))
                        .recoveryTime(Duration.ofSeconds(2))
                        .maxTransitionsPerMinute(30)
                        .build())
                .dns(settings);
        updater.ifPresent(config::dnsUpdater);
        for (int i = 0; i < peers.size(); i++) {
            config.peer(PeerSpec.of(
                    "p" + (i + 1),
                    URI.create("http://" + PEER_ADDRESSES.get(i) + ":"
                            + peers.get(i).controlPort()),
                    List.of(InetAddress.getByName(PEER_ADDRESSES.get(i)))));
            lastPeerRequests.put("p" + (i + 1), 0L);
        }
        shop.configure(config);
        xeno = XenoService.start(config.build());
        closeables.add(0, xeno);
        closeables.remove(shop);
        closeables.add(0, shop); // the origin stops first, then the service, the peers and DNS
        shop.start(xeno, ORIGIN_ADDRESS, port, options.originWorkers, options.cost, options.queueLimit);
        xeno.detector().addListener(this::onDetector);
        say("origin " + ORIGIN_ADDRESS + ":" + port + " (capacity about " + Math.round(options.capacityPerSecond())
                + " requests/s: " + options.originWorkers + " workers x " + options.cost.toMillis() + " ms), peers "
                + PEER_ADDRESSES + " on the same port");

        List<InetAddress> peerAddresses = new ArrayList<>();
        for (String address : PEER_ADDRESSES) {
            peerAddresses.add(InetAddress.getByName(address));
        }
        customers =
                new Customers(lookup, port, SITE, peerAddresses, shop.books(), legit, epochNanos, options.customers);
        flood = new LoadGenerator(
                ORIGIN_ADDRESS, port, SITE, shop.pages(), options.floodThreads, options.floodRatePerSecond());
        sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "demo-sampler");
            thread.setDaemon(true);
            return thread;
        });
        lastSampleAt = nowMillis();
        ScheduledFuture<?> unused = sampler.scheduleAtFixedRate(this::sample, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** Waits until every peer holds the site's bundle. */
    void awaitStaged() {
        await(
                "every peer holds the site's bundle",
                READY_TIMEOUT,
                () -> xeno.replicator().status().peersIn(ReplicaState.STAGED).size() == peers.size());
        say("bundle v" + xeno.replicator().status().bundleVersion().orElse(0) + " staged on " + peers.size()
                + " peers");
    }

    void startCustomers() {
        customers.start();
        say(options.customers + " customers browse and order, resolving " + SITE + " as its TTL runs out");
    }

    void stopCustomers() {
        customers.stop();
    }

    void startFlood() {
        if (!flood.running()) {
            timeline.floodStarted(nowMillis());
            flood.start();
            say("FLOOD starts: " + options.floodThreads + " threads, " + flood.ratePerSecond() + " requests/s at "
                    + ORIGIN_ADDRESS + " (about " + Math.round(flood.ratePerSecond() / options.capacityPerSecond())
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

    /** The dashboard's JSON: the latest figures and the last two minutes of samples. */
    ObjectNode state() {
        ObjectNode root = json.createObjectNode();
        root.put("site", SITE);
        root.put("dnsMode", printedDns ? "printed" : "bind");
        root.put("atMillis", nowMillis());
        List<Timeline.Sample> recent = timeline.lastSamples(10);
        Timeline.Sample last = recent.isEmpty() ? null : recent.get(recent.size() - 1);
        ObjectNode floodNode = root.putObject("flood");
        floodNode.put("running", flood.running());
        floodNode.put("ratePerSecond", flood.ratePerSecond());
        floodNode.put("sent", flood.sent());
        ObjectNode originNode = root.putObject("origin");
        originNode.put("address", ORIGIN_ADDRESS + ":" + port);
        originNode.put("ratePerSecond", last == null ? 0 : Math.round(last.originPerSecond()));
        originNode.put("capacityPerSecond", Math.round(options.capacityPerSecond()));
        ReplicationStatus replication = xeno.replicator().status();
        putPeers(root.putArray("peers"), replication, last);
        putLegit(root.putObject("legit"));
        putDetector(root.putObject("detector"));
        putReplication(root.putObject("replication"), replication);
        putOrders(root.putObject("orders"));
        putHistory(root.putArray("history"));
        return root;
    }

    private void putPeers(ArrayNode peerNodes, ReplicationStatus replication, Timeline.Sample last) {
        for (int i = 0; i < peers.size(); i++) {
            ReplicaStatus status = replication.peers().get(i);
            ObjectNode peer = peerNodes.addObject();
            peer.put("name", status.name());
            peer.put("address", PEER_ADDRESSES.get(i));
            peer.put("state", status.state().name());
            peer.put(
                    "ratePerSecond",
                    last == null ? 0 : Math.round(last.peerPerSecond().getOrDefault(status.name(), 0.0)));
            peer.put("requests", peers.get(i).accounting().snapshot(SITE).requests());
            peer.put("capturesPending", peers.get(i).capturesPending(SITE));
        }
    }

    private void putLegit(ObjectNode legitNode) {
        List<LegitLog.Entry> window = legit.between(nowMillis() - 2000, Long.MAX_VALUE);
        legitNode.put("p50Ms", LegitLog.percentile(window, 50));
        legitNode.put("p95Ms", LegitLog.percentile(window, 95));
        long ok = window.stream().filter(LegitLog.Entry::ok).count();
        legitNode.put("successPercent", window.isEmpty() ? 100 : Math.round(1000.0 * ok / window.size()) / 10.0);
        List<LegitLog.Entry> all = legit.all();
        legitNode.put("requests", all.size());
        legitNode.put("failures", all.stream().filter(entry -> !entry.ok()).count());
        legitNode.put(
                "servedByPeers", all.stream().filter(LegitLog.Entry::byPeer).count());
    }

    private void putDetector(ObjectNode detector) {
        OverloadSnapshot snapshot = xeno.detector().snapshot();
        detector.put("state", snapshot.state().name());
        detector.put("forced", snapshot.forced());
        detector.put("warmedUp", snapshot.warmedUp());
        detector.put("capacityPerSecond", Math.round(snapshot.capacityPerSecond()));
        ArrayNode reasons = detector.putArray("reasons");
        List<OverloadEvent> events = xeno.detector().recentEvents();
        if (!events.isEmpty()) {
            OverloadEvent latest = events.get(events.size() - 1);
            latest.reasons().forEach(reason -> reasons.add(reason.name()));
            ArrayNode hot = detector.putArray("hotPaths");
            latest.hotPaths().forEach(hot::add);
            detector.put("since", latest.at().toString());
        }
    }

    private static void putReplication(ObjectNode replicationNode, ReplicationStatus replication) {
        replicationNode.put("phase", replication.phase().name());
        replicationNode.put("wave", replication.wave());
        replicationNode.put("originSheltered", replication.originSheltered());
        ArrayNode inDns = replicationNode.putArray("addressesInDns");
        replication.addressesInDns().forEach(address -> inDns.add(AddressLiterals.format(address)));
        ArrayNode steps = replicationNode.putArray("steps");
        List<ReplicationStatus.Step> recentSteps = replication.recentSteps();
        recentSteps
                .subList(Math.max(0, recentSteps.size() - 8), recentSteps.size())
                .forEach(step -> steps.add(step.at() + " " + step.message()));
    }

    private void putOrders(ObjectNode orders) {
        orders.put("attempted", customers.ordersAttempted.get());
        orders.put("placed", customers.ordersPlaced.get());
        long captured = customers.ordersCapturedByPeers.get();
        int pending = capturesPending();
        orders.put("captured", captured);
        orders.put("pendingAtPeers", pending);
        orders.put("forwarded", Math.max(0, captured - pending));
        orders.put("recorded", shop.ordersRecorded());
        orders.put("duplicatesRefused", shop.duplicatesRefused());
    }

    private void putHistory(ArrayNode history) {
        for (Timeline.Sample sample : timeline.lastSamples(120)) {
            ObjectNode point = history.addObject();
            point.put("t", sample.atMillis());
            point.put("origin", Math.round(sample.originPerSecond()));
            point.put("peers", Math.round(sample.peersPerSecond()));
            point.put("p95", sample.legitP95Ms());
            point.put("state", sample.detector());
        }
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

    /** A port free on the origin's and every peer's loopback address. */
    private static int commonFreePort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(ORIGIN_ADDRESS))) {
                candidate = probe.getLocalPort();
            }
            boolean free = true;
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
