package org.xenoservice.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;
import static org.xenoservice.e2e.DefendedSite.PEER_ADDRESSES;
import static org.xenoservice.e2e.DefendedSite.await;
import static org.xenoservice.e2e.DefendedSite.describe;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.xenoservice.XenoService;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicationPhase;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * The flood, told once for every adapter: in calm times every peer is staged and gets a certificate
 * for the site from pebble (one order each), ordinary traffic warms the detector up, a flood at the
 * origin's address makes it fire, the three peers enter DNS (the origin sheltered), serve pages
 * identical to the origin's over verified HTTPS and capture orders, and when the flood stops they
 * leave DNS and are retired; while sheltered the origin closes its direct clients' kept-alive
 * connections after each answer so that they resolve the name again; and a client that resolves the name through BIND before every request
 * never fails, in TLS or otherwise, and no second certificate is ordered.
 */
public final class FloodScenario {
    private final DefendedSite site;
    private final XenoService xeno;
    private final Orders orders;
    private boolean http2;
    private IntFunction<String> orderForm = i -> "book=" + i;
    private Check whileSheltered = () -> {};

    public FloodScenario(DefendedSite site, XenoService xeno) {
        this.site = site;
        this.xeno = xeno;
        this.orders = site.orders;
    }

    /**
     * Also checks HTTP/2 clients of the origin: no GOAWAY in calm times, GOAWAY after the answer while
     * sheltered. For adapters that can send one (the Servlet API cannot).
     */
    public FloodScenario withHttp2() {
        this.http2 = true;
        return this;
    }

    /** What a check run during the flood may throw. */
    @FunctionalInterface
    public interface Check {
        void run() throws Exception;
    }

    /** The form of the {@code i}th order a client posts to a peer (default {@code book=i}): a shop's own form. */
    public FloodScenario orderForm(IntFunction<String> form) {
        this.orderForm = form;
        return this;
    }

    /** Runs {@code check} once the three peers are in DNS, the flood still going on: the adapter's own view. */
    public FloodScenario whileSheltered(Check check) {
        this.whileSheltered = check;
        return this;
    }

    public void run() throws Exception {
        await(
                "every peer holds the site's bundle",
                () -> xeno.replicator().status().peersIn(ReplicaState.STAGED).size() == 3,
                () -> describe(xeno.replicator().status()));
        DefendedSite.awaitCertificates(xeno, 3);
        System.out.println(DefendedSite.certificateTimes(xeno.replicator().status()));
        site.trickle(40, 2_000);
        await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());
        KeptAlive.Answer calm = KeptAlive.get(ORIGIN_ADDRESS, site.port, DefendedSite.SITE, "/index.html");
        assertTrue(!calm.saidClose() && !calm.closed(), "in calm times the origin keeps connections: " + calm);
        if (http2) {
            KeptAlive.Answer calm2 = KeptAlive.getHttp2(
                    ORIGIN_ADDRESS, site.port, DefendedSite.SITE, "/index.html", java.time.Duration.ZERO);
            assertEquals(":status 200", calm2.statusLine(), calm2.toString());
            assertTrue(!calm2.saidClose() && !calm2.closed(), "in calm times no GOAWAY: " + calm2);
        }
        assertEquals(0, xeno.status().originDefence().connectionsClosed(), "none closed in calm times");
        Browser browser = new Browser(site);
        Flood flood = new Flood(site, 6);
        browser.start();
        try {
            flood.start();
            try {
                duringTheFlood(browser);
            } finally {
                flood.stop();
            }
            await(
                    "the peers left DNS and the origin is back",
                    () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS)),
                    () -> describe(xeno.replicator().status()) + "\nDNS: " + site.addressesInDns());
            await(
                    "the peers are retired and the replicator is calm",
                    () -> xeno.replicator().status().phase() == ReplicationPhase.CALM
                            && site.peers.stream()
                                    .allMatch(peer ->
                                            peer.sites().find(DefendedSite.SITE).isEmpty()),
                    () -> describe(xeno.replicator().status()));
            await("all 15 orders reached the origin", () -> orders.size() == 15, orders::toString);
        } finally {
            browser.stop();
        }
        assertEquals(0, browser.failures.get(), "client requests that failed: " + browser.lastFailure);
        assertEquals(0, browser.tlsFailures.get(), "client requests that failed in TLS: " + browser.lastTlsFailure);
        assertEquals(0, flood.tlsFailures.get(), "flood requests that failed in TLS: " + flood.lastTlsFailure);
        ReplicationStatus after = xeno.replicator().status();
        assertEquals(3, after.certificatesIssued(), "one order per peer, none during the flood: " + describe(after));
        assertEquals(0, after.certificateFailures(), describe(after));
        assertTrue(orders.values().stream().allMatch(count -> count.get() == 1), "each order applied once: " + orders);
    }

    private void duringTheFlood(Browser browser) throws Exception {
        await(
                "all three peers are in DNS and the origin is sheltered",
                () -> site.addressesInDns().equals(Set.copyOf(PEER_ADDRESSES)),
                () -> describe(xeno.replicator().status()) + "\nDNS: " + site.addressesInDns());
        whileSheltered.run();
        ReplicationStatus defending = xeno.replicator().status();
        assertTrue(defending.wave() >= 2, "peers come in waves of 1, 2, ...: " + defending.wave());
        assertTrue(defending.originSheltered());
        java.time.Duration pastMoveAge = XenoService.CLIENT_MOVE_AFTER.plusMillis(300);
        List<KeptAlive.Answer> sheltered =
                KeptAlive.get(ORIGIN_ADDRESS, site.port, DefendedSite.SITE, "/index.html", 2, pastMoveAge);
        assertEquals(2, sheltered.size(), "a new connection is kept for its first answers: " + sheltered);
        assertTrue(
                sheltered.get(0).statusLine().contains(" 200")
                        && !sheltered.get(0).saidClose(),
                sheltered.toString());
        assertTrue(
                sheltered.get(1).saidClose() && sheltered.get(1).closed(),
                "while sheltered the origin closes a direct client's connection after an answer once it is "
                        + XenoService.CLIENT_MOVE_AFTER.toSeconds() + " s old, so that it resolves the name again: "
                        + sheltered);
        assertTrue(xeno.status().originDefence().connectionsClosed() > 0, "counted");
        if (http2) {
            KeptAlive.Answer multiplexed =
                    KeptAlive.getHttp2(ORIGIN_ADDRESS, site.port, DefendedSite.SITE, "/index.html", pastMoveAge);
            assertEquals(":status 200", multiplexed.statusLine(), multiplexed.toString());
            assertTrue(
                    multiplexed.saidClose(),
                    "while sheltered an HTTP/2 client gets GOAWAY after an answer once its connection is "
                            + XenoService.CLIENT_MOVE_AFTER.toSeconds() + " s old: " + multiplexed);
        }
        for (int i = 0; i < PEER_ADDRESSES.size(); i++) {
            String issued = defending.peers().get(i).certificate().orElseThrow().serialNumber();
            X509Certificate served = site.client
                    .servedCertificate(PEER_ADDRESSES.get(i), "/index.html")
                    .orElseThrow();
            assertEquals(issued, served.getSerialNumber().toString(16), "the certificate the replicator installed");
        }
        for (String peer : PEER_ADDRESSES) {
            for (String path : List.of("/index.html", "/books/7.html", "/thanks.html")) {
                SiteClient.Response answer = site.get(peer, path);
                assertEquals(200, answer.statusCode(), peer + path);
                assertArrayEquals(
                        Files.readAllBytes(site.siteFiles.resolve(path.substring(1))),
                        answer.body(),
                        peer + path + " serves what the origin serves");
            }
            for (int i = 0; i < 5; i++) {
                SiteClient.Response order = site.post(peer, "/order", "order-" + peer + "-" + i, orderForm.apply(i));
                String page = new String(order.body(), StandardCharsets.UTF_8);
                assertEquals(202, order.statusCode(), page);
                assertTrue(page.contains("Thank you"), page);
            }
        }
        await("the browser was served by peers", () -> browser.servedByPeers.get() > 0);
    }
}
