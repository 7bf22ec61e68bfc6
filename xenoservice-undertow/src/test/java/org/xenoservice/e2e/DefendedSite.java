package org.xenoservice.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.acme.AcmeSettings;
import org.xenoservice.acme.PebbleServer;
import org.xenoservice.acme.PebbleServerExtension;
import org.xenoservice.dns.AddressSet;
import org.xenoservice.dns.BindServer;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.dns.DnsUpdater;
import org.xenoservice.dns.Rfc2136DnsUpdater;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.overload.OverloadConfig;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.server.PeerServer;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.replicate.DnsSettings;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationConfig;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * The pieces of an end-to-end defence on loopback: a real BIND serving the site's zone, a real
 * pebble that issues the peers' certificates by ACME DNS-01 (checking its challenges on that BIND),
 * three real peers and an origin, each on its own loopback address (127.0.0.2 for the origin,
 * 127.0.0.11–13 for the peers) and all on the same ports, so that the addresses in DNS are all a
 * client needs, as on the Internet. The peers serve the site over HTTPS on {@link #httpsPort} with
 * the certificates the origin's replicator gets for them; the clients ({@link #get}, {@link #post},
 * {@link Browser}, {@link Flood}) verify those against pebble's root (see {@link SiteClient}).
 *
 * <p>BIND and pebble are the test class's ({@link PebbleServerExtension}), started once for all its
 * tests; each site resets its name to the origin's address when it {@linkplain #resetDns starts}.
 */
public final class DefendedSite implements AutoCloseable {
    static final String SITE = "shop." + BindServer.ZONE;
    public static final String ORIGIN_ADDRESS = "127.0.0.2";
    static final List<String> PEER_ADDRESSES = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13");
    static final Duration TTL = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern CERTIFICATE_STEP = Pattern.compile("(p\\d+) got a certificate .* in (\\d+) s;.*");
    private static final Pattern STAGED_STEP = Pattern.compile("(p\\d+) staged v\\d+");

    public final Path dir;
    final KeyPair keys;
    public final int port;
    /** The port every peer serves HTTPS on. */
    public final int httpsPort;

    public final Path siteFiles;
    final List<PeerServer> peers = new ArrayList<>();
    /** The orders the origin applied, whether posted to it or captured by a peer. */
    public final Orders orders = new Orders();

    private final PebbleServerExtension servers;
    private final PebbleServer pebble;
    final SiteClient client;
    private int peerGeneration;
    private boolean dnsStopped;

    /** A site whose peers get their certificates from the class's pebble. */
    public DefendedSite(Path dir, PebbleServerExtension servers) throws Exception {
        this(dir, servers, servers.pebble());
    }

    /** A site whose peers get their certificates from {@code pebble} (checking challenges on the class's BIND). */
    DefendedSite(Path dir, PebbleServerExtension servers, PebbleServer pebble) throws Exception {
        this.dir = dir;
        this.servers = servers;
        this.pebble = pebble;
        X509Certificate issuingRoot = pebble.issuingRoot(); // asked now: a test may stop pebble later
        this.keys = SiteKeys.generate();
        this.port = commonFreePort(-1);
        this.httpsPort = commonFreePort(port);
        this.siteFiles = writeSite(dir.resolve("site"));
        this.client = new SiteClient(SITE, ORIGIN_ADDRESS, port, httpsPort, issuingRoot);
    }

    /** The class's BIND, serving the site's zone. */
    public BindServer bind() {
        return servers.bind();
    }

    /** Where the origin sends its RFC 2136 updates. */
    public DnsServer dnsServer() {
        return DnsServer.parse(bind().server());
    }

    /** Makes the origin's address the whole of the site's name, whatever an earlier test left there. */
    public void resetDns() throws Exception {
        try (DnsUpdater updater = updater()) {
            updater.replace(SITE, List.of(InetAddress.getByName(ORIGIN_ADDRESS)), TTL);
        }
    }

    /** Stops BIND, as an outage would; {@link #restartDns} brings it back on the same port. */
    void stopDns() {
        bind().close();
        dnsStopped = true;
    }

    void restartDns() throws Exception {
        servers.restartBind();
        dnsStopped = false;
    }

    /** Starts the three peers, each serving HTTPS, enrolled for the site with the origin as their back-channel. */
    public void startPeers() throws IOException {
        startPeers(Set.of());
    }

    /**
     * Starts the three peers; those whose index is in {@code withoutHttps} serve plain HTTP only (their
     * operator never set an {@code https-port}), so they cannot get a certificate for the site.
     */
    void startPeers(Set<Integer> withoutHttps) throws IOException {
        for (int i = 0; i < PEER_ADDRESSES.size(); i++) {
            peers.add(startPeer(i, !withoutHttps.contains(i)));
        }
    }

    /**
     * Replaces peer {@code index} with a fresh one on the same address and ports but an empty store:
     * a rebuilt machine, with no bundle, key or certificate for the site.
     */
    void replaceWithFreshPeer(int index) throws IOException {
        peers.get(index).close();
        peerGeneration++;
        peers.set(index, startPeer(index, true));
    }

    PeerServer startPeer(int index, boolean https) throws IOException {
        PeerServer.Builder builder = PeerServer.builder()
                .bindAddress(PEER_ADDRESSES.get(index))
                .servingPort(port)
                .controlPort(0)
                .storeDirectory(dir.resolve("peer" + index + (peerGeneration == 0 ? "" : "-" + peerGeneration)))
                .enroll(new Enrollment(SITE, keys.getPublic(), SiteQuota.DEFAULT, List.of(backChannel())));
        if (https) {
            builder.httpsPort(httpsPort);
        }
        PeerServer peer = builder.build();
        peer.start();
        return peer;
    }

    URI backChannel() {
        return URI.create("http://" + ORIGIN_ADDRESS + ":" + port);
    }

    PeerSpec peerSpec(int index, int controlPort) throws IOException {
        return PeerSpec.of(
                "p" + (index + 1),
                URI.create("http://" + PEER_ADDRESSES.get(index) + ":" + controlPort),
                List.of(InetAddress.getByName(PEER_ADDRESSES.get(index))),
                peers.get(index).identity().publicKey());
    }

    /**
     * A configuration with the three peers, DNS through BIND (TTL 1 s), the peers' certificates from
     * pebble by ACME DNS-01 (the account key in the origin's state directory) and short timings.
     */
    public XenoConfig.Builder config(DnsServer dnsServer, boolean shelterOrigin) throws IOException {
        XenoConfig.Builder config = XenoConfig.builder()
                .site(SITE)
                .siteKey(keys.getPrivate())
                .staticDirectory(siteFiles)
                .stateDirectory(dir.resolve("origin-state"))
                .acme(AcmeSettings.of(
                                pebble.directory(), dir.resolve("origin-state").resolve(AcmeSettings.ACCOUNT_KEY_FILE))
                        .withTrust(List.of(pebble.apiTrust())))
                .backChannel(backChannel())
                .dynamicRoute("/order", "capture,page=/thanks.html")
                .dynamicRoute("/search", "proxy,max-in-flight=4,degrade-page=/sorry.html")
                .adminToken("e2e-admin-token-0123456789")
                .captureHandler(request -> orders.apply(request.idempotencyKey()))
                .replication(ReplicationConfig.builder()
                        .coolDown(Duration.ofSeconds(2))
                        // the scenario's clients honour the TTL: a peer they left retires 3 s later
                        .drainQuiet(Duration.ofSeconds(3))
                        .waveInterval(Duration.ofMillis(300))
                        .restageInterval(Duration.ofSeconds(1))
                        .peerCallTimeout(Duration.ofSeconds(2))
                        .build())
                .overload(overloadConfig())
                .dns(new DnsSettings(
                        List.of(dnsServer),
                        Optional.of(BindServer.ZONE),
                        bind().key(BindServer.FULL_KEY),
                        SITE,
                        TTL,
                        List.of(InetAddress.getByName(ORIGIN_ADDRESS)),
                        shelterOrigin));
        for (int i = 0; i < peers.size(); i++) {
            config.peer(peerSpec(i, peers.get(i).controlPort()));
        }
        return config;
    }

    /** The detector's short timings for the scenario: warm after 1 s, fires at 100 requests per second. */
    public static OverloadConfig overloadConfig() {
        return OverloadConfig.builder()
                .warmupTime(Duration.ofSeconds(1))
                .warmupRequests(20)
                .minSurgeRatePerSecond(100)
                .surgeMinDwell(Duration.ofMillis(500))
                .overloadMinDwell(Duration.ofMillis(500))
                .recoveryTime(Duration.ofSeconds(1))
                .maxTransitionsPerMinute(60)
                .build();
    }

    /**
     * What {@link #config} says but the static files, dynamic routes, capture handler and detector,
     * as {@code xeno.properties} keys (the Spring Boot starter takes them under {@code xenoservice.}),
     * with the site key written to a file in {@link #dir}: for an origin configured by properties.
     * The detector's sub-second timings are no properties; an origin takes {@link #overloadConfig()}.
     */
    public Map<String, String> properties(boolean shelterOrigin) throws IOException {
        Path siteKey = dir.resolve("site.key");
        SiteKeys.writePrivateKey(siteKey, keys.getPrivate());
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("site", SITE);
        properties.put("site-key", siteKey.toString());
        properties.put("state-directory", dir.resolve("origin-state").toString());
        properties.put("back-channel", backChannel().toString());
        properties.put("admin-token", "e2e-admin-token-0123456789");
        properties.put("acme.directory", pebble.directory().toString());
        properties.put("acme.trust-file", pebble.apiTrustFile().toString());
        properties.put("replication.cool-down-seconds", "2");
        properties.put("replication.drain-quiet-seconds", "3");
        properties.put("replication.wave-interval-ms", "300");
        properties.put("replication.restage-interval-seconds", "1");
        properties.put("replication.peer-call-timeout-ms", "2000");
        properties.put("dns.servers", bind().server());
        properties.put("dns.zone", BindServer.ZONE);
        properties.put("dns.tsig", bind().keyText(BindServer.FULL_KEY));
        properties.put("dns.name", SITE);
        properties.put("dns.ttl-seconds", Long.toString(TTL.toSeconds()));
        properties.put("dns.origin-addresses", ORIGIN_ADDRESS);
        properties.put("dns.shelter-origin", Boolean.toString(shelterOrigin));
        for (int i = 0; i < peers.size(); i++) {
            String peer = "peer.p" + (i + 1) + ".";
            properties.put(
                    peer + "control-url",
                    "http://" + PEER_ADDRESSES.get(i) + ":" + peers.get(i).controlPort());
            properties.put(peer + "addresses", PEER_ADDRESSES.get(i));
            properties.put(
                    peer + "public-key",
                    Base64.getEncoder()
                            .encodeToString(peers.get(i).identity().publicKey().getEncoded()));
        }
        return properties;
    }

    Rfc2136DnsUpdater updater() {
        return Rfc2136DnsUpdater.builder()
                .server(bind().server())
                .zone(BindServer.ZONE)
                .tsig(bind().key(BindServer.FULL_KEY))
                .manage(SITE)
                .build();
    }

    /** The addresses BIND answers for the site now. */
    Set<String> addressesInDns() {
        try (DnsUpdater updater = updater()) {
            AddressSet set = updater.show(SITE);
            Set<String> addresses = new TreeSet<>();
            set.addresses().forEach(address -> addresses.add(address.getHostAddress()));
            return addresses;
        } catch (Exception e) {
            throw new AssertionError("cannot read " + SITE + " from BIND: " + e, e);
        }
    }

    /**
     * GETs a page from one address, by the site's name, as a browser that resolved the name would:
     * over HTTPS, verified, at a peer; over HTTP at the origin.
     */
    SiteClient.Response get(String address, String path) throws IOException {
        return client.get(address, path);
    }

    SiteClient.Response post(String address, String path, String key, String body) throws IOException {
        return client.post(address, path, key, body);
    }

    /** Stops the peers and the client, and brings BIND back if this site's test stopped it, for the next test. */
    @Override
    public void close() {
        client.close();
        peers.forEach(PeerServer::close);
        if (dnsStopped) {
            try {
                restartDns();
            } catch (Exception e) {
                throw new IllegalStateException("cannot restart BIND for the next test", e);
            }
        }
    }

    /**
     * Whether {@code peer} holds a certificate that covers the site, issued by pebble for its own
     * key, valid for at least the day the replicator asks for.
     */
    static boolean certified(ReplicaStatus peer) {
        return peer.certificate()
                .filter(held -> held.covers(List.of(SITE)) && held.validFor(Instant.now(), Duration.ofHours(24)))
                .isPresent();
    }

    /**
     * Waits until {@code count} peers hold a certificate that covers the site and the replicator has
     * issued exactly that many: in calm times, before any flood.
     */
    static void awaitCertificates(XenoService xeno, int count) {
        await(
                count + " peers hold a certificate for " + SITE,
                () -> {
                    ReplicationStatus status = xeno.replicator().status();
                    return status.certificatesIssued() == count
                            && status.peers().stream()
                                            .filter(DefendedSite::certified)
                                            .count()
                                    == count;
                },
                () -> describe(xeno.replicator().status()));
    }

    /**
     * Per peer, from the replicator's steps: when it was first staged and when it got its first
     * certificate, relative to the first step (the replicator's start), and how long the order took
     * by the replicator's own count (whole seconds, as its step says). Orders go to the CA one at a
     * time, so the later peers also wait for the earlier ones' orders.
     */
    static String certificateTimes(ReplicationStatus status) {
        List<ReplicationStatus.Step> steps = status.recentSteps();
        Instant start = steps.get(0).at();
        StringBuilder text = new StringBuilder(
                "staged -> certificate with pebble (t = 0 at " + steps.get(0).message() + "):\n");
        for (ReplicaStatus peer : status.peers()) {
            Optional<Instant> staged = Optional.empty();
            Optional<Instant> certified = Optional.empty();
            String orderSeconds = "?";
            for (ReplicationStatus.Step step : steps) {
                Matcher stagedStep = STAGED_STEP.matcher(step.message());
                if (staged.isEmpty()
                        && stagedStep.matches()
                        && stagedStep.group(1).equals(peer.name())) {
                    staged = Optional.of(step.at());
                }
                Matcher certificateStep = CERTIFICATE_STEP.matcher(step.message());
                if (certified.isEmpty()
                        && certificateStep.matches()
                        && certificateStep.group(1).equals(peer.name())) {
                    certified = Optional.of(step.at());
                    orderSeconds = certificateStep.group(2);
                }
            }
            text.append(String.format(
                    "  %s: staged at %s, certificate at %s, staged -> certificate %s (order %s s)%n",
                    peer.name(),
                    seconds(start, staged),
                    seconds(start, certified),
                    staged.isPresent() && certified.isPresent()
                            ? String.format(
                                    "%+.2f s",
                                    Duration.between(staged.get(), certified.get())
                                                    .toMillis()
                                            / 1000.0)
                            : "?",
                    orderSeconds));
        }
        return text.toString();
    }

    private static String seconds(Instant start, Optional<Instant> at) {
        return at.map(when ->
                        String.format("%.2f s", Duration.between(start, when).toMillis() / 1000.0))
                .orElse("?");
    }

    static String describe(ReplicationStatus status) {
        StringBuilder text = new StringBuilder(status.phase() + " detector=" + status.detectorState() + " wave="
                + status.wave() + " dns=" + status.addressesInDns() + " certificatesIssued="
                + status.certificatesIssued() + " certificateFailures=" + status.certificateFailures() + "\n");
        status.peers().forEach(peer -> text.append("  ").append(peer).append('\n'));
        status.recentSteps()
                .forEach(step -> text.append("  ")
                        .append(step.at())
                        .append(' ')
                        .append(step.message())
                        .append('\n'));
        return text.toString();
    }

    /** Sends {@code count} page requests to the origin spread over {@code millis}: ordinary traffic. */
    void trickle(int count, long millis) throws Exception {
        for (int i = 0; i < count; i++) {
            get(ORIGIN_ADDRESS, "/books/" + (i % 20 + 1) + ".html");
            Thread.sleep(millis / count);
        }
    }

    static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    static void await(String what, BooleanSupplier condition, Supplier<String> diagnosis) {
        Instant deadline = Instant.now().plus(TIMEOUT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out waiting until " + what + "\n" + diagnosis.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static Path writeSite(Path root) throws IOException {
        Files.createDirectories(root.resolve("books"));
        Files.writeString(
                root.resolve("index.html"),
                "<!doctype html><title>Ye Olde Bookshop</title>"
                        + "<h1>Antiquarian books</h1><a href=\"/books/1.html\">Folio</a>\n",
                StandardCharsets.UTF_8);
        for (int i = 1; i <= 20; i++) {
            Files.writeString(
                    root.resolve("books/" + i + ".html"),
                    "<!doctype html><title>Book " + i + "</title><p>" + "A fine old book, number " + i + ". ".repeat(40)
                            + "</p>\n",
                    StandardCharsets.UTF_8);
        }
        Files.writeString(
                root.resolve("thanks.html"),
                "<!doctype html><title>Thank you</title>" + "<p>Thank you for your order.</p>\n",
                StandardCharsets.UTF_8);
        Files.writeString(
                root.resolve("sorry.html"),
                "<!doctype html><title>Sorry</title><p>Sorry, the items you asked"
                        + " for are temporarily out of stock — can we email you when they are back?</p>\n",
                StandardCharsets.UTF_8);
        return root;
    }

    /** A port free on the origin's and every peer's loopback address, other than {@code other}. */
    private static int commonFreePort(int other) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName(ORIGIN_ADDRESS))) {
                candidate = probe.getLocalPort();
            }
            boolean free = candidate != other;
            for (String address : PEER_ADDRESSES) {
                try (ServerSocket probe = new ServerSocket(candidate, 1, InetAddress.getByName(address))) {
                    assertTrue(probe.isBound());
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
}
