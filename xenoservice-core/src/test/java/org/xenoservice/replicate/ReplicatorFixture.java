package org.xenoservice.replicate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.dns.TsigKey;
import org.xenoservice.overload.OverloadEvent;
import org.xenoservice.overload.OverloadReason;
import org.xenoservice.overload.OverloadState;

/**
 * A {@link Replicator} with every outside part replaced: {@link FakePeer}s behind the peer seam, a
 * {@link RecordingDnsUpdater}, a {@link ManualClock}, and {@link ManualExecutor}s for its decision
 * loop and its peer calls. Nothing runs until the test ticks, so every step can be watched; no
 * socket, no BIND, no sleep.
 */
final class ReplicatorFixture implements AutoCloseable {
    static final String SITE = "shop.example";
    static final Instant START = Instant.parse("2025-03-01T10:00:00Z");
    static final Duration COOL_DOWN = Duration.ofSeconds(60);
    static final Duration WAVE_INTERVAL = Duration.ofSeconds(2);
    static final Duration TTL = Duration.ofSeconds(30);
    /** Shorter than twice the TTL: a peer nobody asks for retires when the TTL is waited out. */
    static final Duration DRAIN_QUIET = Duration.ofSeconds(20);

    static final Duration MAX_DRAIN = Duration.ofMinutes(10);
    static final InetAddress ORIGIN = address("192.0.2.1");
    private static final PrivateKey SITE_KEY = siteKey();
    private static final int MAX_ROUNDS = 1_000;

    final ManualClock clock = new ManualClock(START);
    final ManualExecutor loop = new ManualExecutor();
    final ManualExecutor calls = new ManualExecutor();
    final Map<String, FakePeer> peers = new LinkedHashMap<>();
    final List<PeerSpec> specs = new ArrayList<>();
    final Path siteFiles;
    final Path bundles;
    private final AtomicReference<Double> calmRate = new AtomicReference<>(Double.POSITIVE_INFINITY);
    private long sequence;
    RecordingDnsUpdater dns = new RecordingDnsUpdater(List.of(ORIGIN));
    private boolean withDns = true;
    private boolean shelter;
    private boolean httpOnly = true;
    private Optional<FakeCa> ca = Optional.empty();
    private HttpsSettings https = HttpsSettings.NONE;
    private BundleListener bundleListener = (version, file) -> {};
    private Replicator replicator;

    ReplicatorFixture(Path dir) throws IOException {
        this.siteFiles = Files.createDirectories(dir.resolve("site"));
        this.bundles = dir.resolve("bundles");
        Files.writeString(siteFiles.resolve("index.html"), "<h1>Antiquarian books</h1>\n");
    }

    /** Adds peers {@code p1}, {@code p2} … of weight 1, serving on 198.51.100.1, .2 …. */
    ReplicatorFixture peers(int count) {
        int[] weights = new int[count];
        java.util.Arrays.fill(weights, 1);
        return weighted(weights);
    }

    /** Adds one peer per weight, named and addressed as {@link #peers(int)}. */
    ReplicatorFixture weighted(int... weights) {
        for (int weight : weights) {
            int n = specs.size() + 1;
            specs.add(new PeerSpec(
                    "p" + n,
                    URI.create("http://p" + n + ".peers.test:7070/"),
                    List.of(peerAddress(n)),
                    weight,
                    Optional.empty(),
                    org.xenoservice.key.SiteKeys.generate().getPublic()));
            peers.put("p" + n, new FakePeer(SITE));
        }
        return this;
    }

    ReplicatorFixture shelterOrigin() {
        this.shelter = true;
        return this;
    }

    /**
     * Requires HTTPS (peers enter DNS only with a valid certificate), with certificates from
     * {@code ca}, or with none ordered (installed by the peers' operators) when empty. Without this
     * call the site is HTTP-only, as the flood tests need.
     */
    ReplicatorFixture https(Optional<FakeCa> value) {
        this.httpOnly = false;
        this.ca = value;
        return this;
    }

    /** What the site's bundles ask of replicas' plain HTTP and HTTPS answers. */
    ReplicatorFixture https(HttpsSettings settings) {
        this.https = settings;
        return this;
    }

    /** Told of every bundle the replicator builds. */
    ReplicatorFixture bundleListener(BundleListener listener) {
        this.bundleListener = listener;
        return this;
    }

    ReplicatorFixture withoutDns() {
        this.withDns = false;
        return this;
    }

    /** The name's records when the replicator starts (the origin's address otherwise). */
    ReplicatorFixture dnsHolds(List<InetAddress> records) {
        this.dns = new RecordingDnsUpdater(records);
        return this;
    }

    /** What the origin takes calmly, in requests per second: the withdrawal rate limit. */
    ReplicatorFixture calmRate(double requestsPerSecond) {
        calmRate.set(requestsPerSecond);
        return this;
    }

    /** Builds and starts the replicator, and lets it build its bundle and stage it everywhere. */
    ReplicatorFixture start() throws IOException {
        Replicator.Builder builder = Replicator.builder(SITE, SITE_KEY, DirectorySource.of(siteFiles))
                .peers(specs)
                .bundleDirectory(bundles)
                .https(https)
                .config(ReplicationConfig.builder()
                        .coolDown(COOL_DOWN)
                        .waveInterval(WAVE_INTERVAL)
                        .drainQuiet(DRAIN_QUIET)
                        .maxDrain(MAX_DRAIN)
                        .build())
                .withdrawalRateLimit(calmRate::get)
                .clock(clock)
                .peerLinks(spec -> peers.get(spec.name()))
                .loopExecutor(loop)
                .peerCallExecutor(calls)
                .certificateExecutor(calls)
                .bundleListener(bundleListener);
        if (httpOnly) {
            builder.httpOnly();
        }
        ca.ifPresent(builder::certificateSource);
        if (withDns) {
            builder.dns(new DnsSettings(
                            List.of(new DnsServer("127.0.0.1", 53)),
                            Optional.empty(),
                            TsigKey.of(TsigKey.Algorithm.HMAC_SHA256, "xeno-key", new byte[32]),
                            SITE,
                            TTL,
                            List.of(ORIGIN),
                            shelter))
                    .dnsUpdater(dns);
        }
        replicator = builder.build().start();
        tick();
        return this;
    }

    Replicator replicator() {
        return replicator;
    }

    ReplicationStatus status() {
        return replicator.status();
    }

    FakePeer peer(String name) {
        return peers.get(name);
    }

    /**
     * Runs the queued work (finished peer calls wake the loop) until nothing is left to run. Fails
     * when the replicator keeps itself busy without the clock moving: a retry without backoff.
     */
    void settle() {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            boolean ranCall = calls.runNext();
            boolean ranTick = loop.runNext();
            if (ranCall || ranTick) {
                continue;
            }
            return;
        }
        throw new AssertionError("the replicator is still busy after " + MAX_ROUNDS + " tasks at " + clock.instant()
                + ": it retries without waiting; last step: " + steps().get(steps().size() - 1));
    }

    /** One periodic tick of the loop, then everything it set off. */
    void tick() {
        loop.runPeriodic();
        settle();
    }

    /** Moves the clock on and ticks. */
    void advance(Duration duration) {
        clock.advance(duration);
        tick();
    }

    /** The detector reports {@code state}; the replicator acts on it. */
    void detector(OverloadState state) {
        OverloadState previous = replicator.status().detectorState();
        replicator.onEvent(new OverloadEvent(
                ++sequence,
                previous,
                state,
                clock.instant(),
                0,
                Duration.ZERO,
                Set.of(state == OverloadState.NORMAL ? OverloadReason.CALM : OverloadReason.MANUAL),
                Map.of(),
                0,
                List.of(),
                true));
        settle();
    }

    /** Changes a page and asks the replicator to restage. */
    void changePage(String content) throws IOException {
        Files.writeString(siteFiles.resolve("index.html"), content);
        replicator.restage();
        settle();
    }

    long bundleVersion() {
        return status().bundleVersion().orElseThrow();
    }

    ReplicaStatus peerStatus(String name) {
        return status().peers().stream()
                .filter(peer -> peer.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** The names of the peers in a state, in configuration order. */
    List<String> peersIn(ReplicaState state) {
        return status().peersIn(state).stream().map(ReplicaStatus::name).toList();
    }

    /** The peers whose addresses the replicator says are in the name. */
    List<String> peersInDns() {
        return status().peers().stream()
                .filter(ReplicaStatus::inDns)
                .map(ReplicaStatus::name)
                .toList();
    }

    /** The peers the fake DNS name holds addresses of, in configuration order. */
    List<String> peersInName() {
        Set<InetAddress> records = dns.records();
        return specs.stream()
                .filter(spec -> records.containsAll(spec.servingAddresses()))
                .map(PeerSpec::name)
                .toList();
    }

    List<String> steps() {
        return status().recentSteps().stream()
                .map(ReplicationStatus.Step::message)
                .toList();
    }

    /** The peers' addresses, as the DNS update lists them. */
    static List<InetAddress> addresses(String... names) {
        return java.util.Arrays.stream(names)
                .map(name -> peerAddress(Integer.parseInt(name.substring(1))))
                .toList();
    }

    static InetAddress peerAddress(int n) {
        return address("198.51.100." + n);
    }

    /** The peers that served anything, by name. */
    Map<String, OptionalLong> serving() {
        return peers.entrySet().stream()
                .filter(e -> e.getValue().active().isPresent())
                .collect(Collectors.toMap(
                        Map.Entry::getKey, e -> e.getValue().active(), (a, b) -> a, LinkedHashMap::new));
    }

    @Override
    public void close() {
        if (replicator != null) {
            replicator.close();
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PrivateKey siteKey() {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(7);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(255, random);
            return generator.generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Java 17 has Ed25519 and SHA1PRNG", e);
        }
    }
}
