package org.xenoservice.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.xenoservice.XenoConfig;
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
import org.xenoservice.replicate.ReplicationConfig;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * The pieces of an end-to-end defence on loopback: a real BIND serving the site's zone, three real
 * peers and an origin, each on its own loopback address (127.0.0.2 for the origin, 127.0.0.11–13
 * for the peers) and all on the same serving port, so that the addresses in DNS are all a client
 * needs, as on the Internet.
 */
public final class DefendedSite implements AutoCloseable {
    static final String SITE = "shop." + BindServer.ZONE;
    public static final String ORIGIN_ADDRESS = "127.0.0.2";
    static final List<String> PEER_ADDRESSES = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13");
    static final Duration TTL = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    public final Path dir;
    final KeyPair keys;
    public final int port;
    public final Path siteFiles;
    final List<PeerServer> peers = new ArrayList<>();
    /** The orders the origin applied, whether posted to it or captured by a peer. */
    public final Orders orders = new Orders();

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    public BindServer bind;

    public DefendedSite(Path dir) throws Exception {
        this.dir = dir;
        this.keys = SiteKeys.generate();
        this.port = commonFreePort();
        this.siteFiles = writeSite(dir.resolve("site"));
    }

    /** Starts BIND with the origin's address in the site's name. */
    public void startBind() throws Exception {
        bind = BindServer.start(dir.resolve("bind"));
        try (DnsUpdater updater = updater()) {
            updater.add(SITE, List.of(InetAddress.getByName(ORIGIN_ADDRESS)), TTL);
        }
    }

    /** Starts the three peers, enrolled for the site with the origin as their allowed back-channel. */
    public void startPeers() throws IOException {
        for (int i = 0; i < PEER_ADDRESSES.size(); i++) {
            peers.add(startPeer(i));
        }
    }

    PeerServer startPeer(int index) throws IOException {
        PeerServer peer = PeerServer.builder()
                .bindAddress(PEER_ADDRESSES.get(index))
                .servingPort(port)
                .controlPort(0)
                .storeDirectory(dir.resolve("peer" + index))
                .enroll(new Enrollment(SITE, keys.getPublic(), SiteQuota.DEFAULT, List.of(backChannel())))
                .build();
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
                List.of(InetAddress.getByName(PEER_ADDRESSES.get(index))));
    }

    /** A configuration with the three peers, DNS through BIND (TTL 1 s) and short timings. */
    public XenoConfig.Builder config(DnsServer dnsServer, boolean shelterOrigin) throws IOException {
        XenoConfig.Builder config = XenoConfig.builder()
                .site(SITE)
                .siteKey(keys.getPrivate())
                .staticDirectory(siteFiles)
                .httpOnly(true) // its peers serve plain HTTP only
                .stateDirectory(dir.resolve("origin-state"))
                .backChannel(backChannel())
                .dynamicRoute("/order", "capture,page=/thanks.html")
                .dynamicRoute("/search", "proxy,max-in-flight=4,degrade-page=/sorry.html")
                .adminToken("e2e-admin-token-0123456789")
                .captureHandler(request -> orders.apply(request.idempotencyKey()))
                .replication(ReplicationConfig.builder()
                        .coolDown(Duration.ofSeconds(2))
                        .waveInterval(Duration.ofMillis(300))
                        .restageInterval(Duration.ofSeconds(1))
                        .peerCallTimeout(Duration.ofSeconds(2))
                        .build())
                .overload(OverloadConfig.builder()
                        .warmupTime(Duration.ofSeconds(1))
                        .warmupRequests(20)
                        .minSurgeRatePerSecond(100)
                        .surgeMinDwell(Duration.ofMillis(500))
                        .overloadMinDwell(Duration.ofMillis(500))
                        .recoveryTime(Duration.ofSeconds(1))
                        .maxTransitionsPerMinute(60)
                        .build())
                .dns(new DnsSettings(
                        List.of(dnsServer),
                        Optional.of(BindServer.ZONE),
                        bind.key(BindServer.FULL_KEY),
                        SITE,
                        TTL,
                        List.of(InetAddress.getByName(ORIGIN_ADDRESS)),
                        shelterOrigin));
        for (int i = 0; i < peers.size(); i++) {
            config.peer(peerSpec(i, peers.get(i).controlPort()));
        }
        return config;
    }

    Rfc2136DnsUpdater updater() {
        return Rfc2136DnsUpdater.builder()
                .server(bind.server())
                .zone(BindServer.ZONE)
                .tsig(bind.key(BindServer.FULL_KEY))
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

    /** GETs a page from one address, with the site's Host, as a browser that resolved the name would. */
    HttpResponse<byte[]> get(String address, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path))
                        .header("Host", SITE)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpResponse<String> post(String address, String path, String key, String body)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path))
                        .header("Host", SITE)
                        .header("Idempotency-Key", key)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        peers.forEach(PeerServer::close);
        if (bind != null) {
            bind.close();
        }
    }

    static String describe(ReplicationStatus status) {
        StringBuilder text = new StringBuilder(status.phase() + " detector=" + status.detectorState() + " wave="
                + status.wave() + " dns=" + status.addressesInDns() + "\n");
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
