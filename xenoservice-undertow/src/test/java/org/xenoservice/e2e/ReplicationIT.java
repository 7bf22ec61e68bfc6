package org.xenoservice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;
import static org.xenoservice.e2e.DefendedSite.PEER_ADDRESSES;
import static org.xenoservice.e2e.DefendedSite.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoService;
import org.xenoservice.acme.PebbleServer;
import org.xenoservice.acme.PebbleServerExtension;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicaStatus;
import org.xenoservice.replicate.ReplicationPhase;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * The whole defence on loopback, with real parts: an origin app protected by {@link XenoService},
 * three real peers, a real BIND and a real ACME CA (pebble). In calm times each peer gets a
 * certificate for the site by ACME DNS-01, one order per peer; a synthetic flood makes the detector
 * fire, the peers enter DNS and serve the site over HTTPS that clients verify for real (pebble's root,
 * host names checked), orders posted to them reach the origin once each, and when the flood passes
 * the peers leave DNS and are retired, with no client request failing on the way. A peer that holds
 * no valid certificate never enters DNS; one that holds one keeps it, and its place, while the CA is
 * down.
 *
 * <p>Clients pick an address from BIND's answer and ask it by the site's name: {@code https://} at a
 * peer, chain verified against pebble's root and host name checked, never trusting all; plain
 * {@code http://} at the origin's own listener, whose certificate is the application's business,
 * not XenoService's (see {@link SiteClient}). TLS failures are counted apart and must be none.
 *
 * <p>BIND and pebble are started once for the class; each test has its own peers, origin, keys and
 * ACME account.
 */
class ReplicationIT {
    @RegisterExtension
    static final PebbleServerExtension SERVERS = new PebbleServerExtension();

    @TempDir
    Path dir;

    private DefendedSite site;
    private OriginApp origin;
    private Browser browser;

    @AfterEach
    void stop() throws InterruptedException {
        if (browser != null) {
            browser.stop();
        }
        if (origin != null) {
            origin.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @Test
    void floodIsAbsorbedByPeersWhichLeaveDnsWhenItPasses() throws Exception {
        startOrigin(true);
        new FloodScenario(site, origin.xeno).withHttp2().run();
    }

    @Test
    void peerDownAtActivationIsSkippedAndDnsDownIsRetried() throws Exception {
        XenoService xeno = startStaged(false);
        site.trickle(40, 2_000);
        await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());
        site.peers.get(2).close();
        site.stopDns();

        xeno.detector().forceOverloaded();
        await(
                "two peers serve, the dead one is skipped, and DNS failures are being retried",
                () -> {
                    ReplicationStatus status = xeno.replicator().status();
                    return status.peersIn(ReplicaState.SERVING).size() == 2
                            && status.peersIn(ReplicaState.FAILED).size() == 1
                            && status.dnsFailures() >= 2;
                },
                () -> DefendedSite.describe(xeno.replicator().status()));
        ReplicationStatus failed = xeno.replicator().status();
        assertTrue(failed.peers().get(2).lastError().isPresent());
        assertTrue(failed.addressesInDns().isEmpty(), "nothing is in DNS while BIND is down");

        site.restartDns();
        await(
                "the two live peers are added to DNS once BIND is back",
                () -> site.addressesInDns()
                        .equals(Set.of(ORIGIN_ADDRESS, PEER_ADDRESSES.get(0), PEER_ADDRESSES.get(1))),
                () -> DefendedSite.describe(xeno.replicator().status()) + "\nDNS: " + site.addressesInDns());
        assertFalse(xeno.replicator().status().originSheltered(), "the origin stays in the name when not sheltered");

        xeno.detector().release();
        await(
                "the peers left DNS after the flood",
                () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS)),
                () -> DefendedSite.describe(xeno.replicator().status()));
        await(
                "the live peers are retired",
                () -> xeno.replicator().status().phase() == ReplicationPhase.CALM
                        && site.peers.get(0).sites().find(DefendedSite.SITE).isEmpty()
                        && site.peers.get(1).sites().find(DefendedSite.SITE).isEmpty(),
                () -> DefendedSite.describe(xeno.replicator().status()));
        assertOneOrderPerPeer(xeno);
    }

    @Test
    void changedPagesAreRestagedAndServingPeersMoveToThem() throws Exception {
        XenoService xeno = startStaged(false);
        long first = xeno.replicator().status().bundleVersion().getAsLong();

        Files.writeString(site.siteFiles.resolve("books/3.html"), "<p>Book 3, now with a rare binding.</p>\n");
        xeno.replicator().restage();
        await(
                "every peer holds the new version",
                () -> xeno.replicator().status().peers().stream()
                        .allMatch(
                                peer -> peer.stagedVersion().orElse(0) > first && peer.state() == ReplicaState.STAGED),
                () -> DefendedSite.describe(xeno.replicator().status()));

        site.trickle(40, 2_000);
        await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());
        xeno.detector().forceOverloaded();
        await(
                "the peers serve",
                () -> xeno.replicator().status().peersIn(ReplicaState.IN_DNS).size() == 3,
                () -> DefendedSite.describe(xeno.replicator().status()));
        assertEquals(
                "<p>Book 3, now with a rare binding.</p>\n",
                new String(site.get(PEER_ADDRESSES.get(0), "/books/3.html").body(), StandardCharsets.UTF_8));

        Files.writeString(site.siteFiles.resolve("books/3.html"), "<p>Book 3 is sold.</p>\n");
        xeno.replicator().restage();
        await(
                "the serving peers moved to the newest version",
                () -> PEER_ADDRESSES.stream().allMatch(peer -> {
                    try {
                        return new String(site.get(peer, "/books/3.html").body(), StandardCharsets.UTF_8)
                                .equals("<p>Book 3 is sold.</p>\n");
                    } catch (Exception e) {
                        return false;
                    }
                }),
                () -> DefendedSite.describe(xeno.replicator().status()));
        xeno.detector().release();
        assertOneOrderPerPeer(xeno);
    }

    @Test
    void peersAnOriginLeftInDnsWhenItStoppedAreWithdrawnAfterItsRestart() throws Exception {
        XenoService first = startStaged(true);
        site.trickle(40, 2_000);
        await("the detector has warmed up", () -> first.detector().snapshot().warmedUp());
        first.detector().forceOverloaded();
        await(
                "all three peers are in DNS",
                () -> site.addressesInDns().equals(Set.copyOf(PEER_ADDRESSES)),
                () -> DefendedSite.describe(first.replicator().status()));
        origin.close();
        assertEquals(Set.copyOf(PEER_ADDRESSES), site.addressesInDns(), "stopping the origin leaves the site served");

        origin = OriginApp.start(site, site.config(site.dnsServer(), true).build());
        XenoService second = origin.xeno;
        await(
                "the restarted origin found every peer's certificate",
                () -> second.replicator().status().peers().stream().allMatch(DefendedSite::certified),
                () -> DefendedSite.describe(second.replicator().status()));
        assertEquals(
                0,
                second.replicator().status().certificatesIssued(),
                "a peer that holds a fitting certificate gets no second one after a restart");
        await(
                "the restarted origin withdrew the peers and put itself back",
                () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS)),
                () -> DefendedSite.describe(second.replicator().status()));
        await(
                "and retired them",
                () -> second.replicator().status().phase() == ReplicationPhase.CALM
                        && site.peers.stream()
                                .allMatch(peer ->
                                        peer.sites().find(DefendedSite.SITE).isEmpty()),
                () -> DefendedSite.describe(second.replicator().status()));
    }

    @Test
    void aFloodThatReturnsWhilePeersDrainPutsThemBackInDns() throws Exception {
        XenoService xeno = startStaged(false);
        site.trickle(40, 2_000);
        await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());
        xeno.detector().forceOverloaded();
        await(
                "the peers are in DNS",
                () -> xeno.replicator().status().peersIn(ReplicaState.IN_DNS).size() == 3,
                () -> DefendedSite.describe(xeno.replicator().status()));
        xeno.detector().release();
        await(
                "the peers left DNS and drain",
                () -> xeno.replicator().status().phase() == ReplicationPhase.DRAINING,
                () -> DefendedSite.describe(xeno.replicator().status()));
        xeno.detector().forceOverloaded();
        await(
                "the draining peers are back in DNS",
                () -> site.addressesInDns()
                        .equals(Set.of(
                                ORIGIN_ADDRESS, PEER_ADDRESSES.get(0), PEER_ADDRESSES.get(1), PEER_ADDRESSES.get(2))),
                () -> DefendedSite.describe(xeno.replicator().status()));
        assertEquals(ReplicationPhase.DEFENDING, xeno.replicator().status().phase());
        assertTrue(
                site.peers.stream()
                        .allMatch(peer -> peer.sites().find(DefendedSite.SITE).isPresent()),
                "no peer was retired on the way");
        assertOneOrderPerPeer(xeno);
    }

    @Test
    void peersThatStillCarryTheFloodStayInDnsAfterTheCoolDown() throws Exception {
        XenoService xeno = startStaged(true);
        site.trickle(40, 2_000);
        await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());
        xeno.detector().forceOverloaded();
        await(
                "all three peers are in DNS",
                () -> site.addressesInDns().equals(Set.copyOf(PEER_ADDRESSES)),
                () -> DefendedSite.describe(xeno.replicator().status()));
        // About 200 requests/s, three times what the origin takes calmly here, yet light on the CPU this
        // test's one JVM shares with the origin's detector (which must see the origin calm).
        Flood atPeers = new Flood(site, 1, PEER_ADDRESSES, 4);
        atPeers.start();
        try {
            xeno.detector().release(); // the sheltered origin sees nothing of a flood that goes on at the peers
            await(
                    "the replicator keeps the peers because they still carry the flood",
                    () -> xeno.replicator().status().recentSteps().stream()
                            .anyMatch(step -> step.message().contains("still serve")),
                    () -> DefendedSite.describe(xeno.replicator().status()));
            assertEquals(ReplicationPhase.COOLING, xeno.replicator().status().phase());
            assertEquals(Set.copyOf(PEER_ADDRESSES), site.addressesInDns());
        } finally {
            atPeers.stop();
        }
        assertTrue(atPeers.sent.get() > 0, "the peers answered the flood over HTTPS");
        assertEquals(0, atPeers.tlsFailures.get(), "requests that failed in TLS: " + atPeers.lastTlsFailure);
        await(
                "once the flood is over the peers leave DNS",
                () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS)),
                () -> DefendedSite.describe(xeno.replicator().status()));
        assertOneOrderPerPeer(xeno);
    }

    @Test
    void aPeerWithoutACertificateNeverEntersDnsWhileTheOthersDo() throws Exception {
        site = new DefendedSite(dir, SERVERS);
        site.resetDns();
        site.startPeers(Set.of(2)); // p3's operator set no https-port: its CSR call answers 409 https-off
        origin = OriginApp.start(site, site.config(site.dnsServer(), false).build());
        XenoService xeno = origin.xeno;
        awaitStaged(xeno);
        DefendedSite.awaitCertificates(xeno, 2);
        await(
                "p3's certificate error shows in the status",
                () -> xeno.replicator()
                        .status()
                        .peers()
                        .get(2)
                        .certificateError()
                        .isPresent(),
                () -> DefendedSite.describe(xeno.replicator().status()));
        ReplicaStatus p3 = xeno.replicator().status().peers().get(2);
        assertTrue(p3.certificate().isEmpty(), p3.toString());
        assertTrue(p3.certificateError().orElseThrow().contains("https-off"), p3.toString());

        Browser browser =
                floodUntilPeersServe(xeno, Set.of(ORIGIN_ADDRESS, PEER_ADDRESSES.get(0), PEER_ADDRESSES.get(1)));
        ReplicationStatus defending = xeno.replicator().status();
        assertFalse(defending.peers().get(2).inDns(), DefendedSite.describe(defending));
        assertEquals(ReplicaState.STAGED, defending.peers().get(2).state(), "p3 was never even activated");
        assertTrue(defending.peers().get(2).certificateError().isPresent(), DefendedSite.describe(defending));
        assertTrue(site.peers.get(2).sites().find(DefendedSite.SITE).isEmpty(), "p3 never served the site");
        endFlood(xeno, browser);
        assertFalse(browser.seenInDns.contains(PEER_ADDRESSES.get(2)), "p3 was in DNS: " + browser.seenInDns);
        assertEquals(2, xeno.replicator().status().certificatesIssued());
    }

    @Test
    void peersKeepTheirCertificatesAndTheirPlaceWhileTheCaIsDown() throws Exception {
        PebbleServer ca = PebbleServer.start(dir.resolve("pebble"), SERVERS.bind());
        List<String> serials;
        try {
            site = new DefendedSite(dir, SERVERS, ca);
            site.resetDns();
            site.startPeers();
            origin = OriginApp.start(site, site.config(site.dnsServer(), false).build());
            awaitStaged(origin.xeno);
            DefendedSite.awaitCertificates(origin.xeno, 3);
            serials = serials(origin.xeno.replicator().status());
        } finally {
            ca.close();
        }
        // The CA is down. p3's machine is rebuilt (no bundle, key or certificate) and the origin
        // restarts: its replicator finds p1's and p2's certificates, and cannot order one for p3.
        origin.close();
        site.replaceWithFreshPeer(2);
        origin = OriginApp.start(site, site.config(site.dnsServer(), false).build());
        XenoService xeno = origin.xeno;
        awaitStaged(xeno);
        await(
                "p1 and p2 hold their certificates and p3's order failed",
                () -> {
                    ReplicationStatus status = xeno.replicator().status();
                    return DefendedSite.certified(status.peers().get(0))
                            && DefendedSite.certified(status.peers().get(1))
                            && status.peers().get(2).certificateError().isPresent();
                },
                () -> DefendedSite.describe(xeno.replicator().status()));
        ReplicationStatus calm = xeno.replicator().status();
        assertEquals(serials.subList(0, 2), serials(calm).subList(0, 2), "the same certificates as before");
        assertEquals(0, calm.certificatesIssued(), DefendedSite.describe(calm));
        assertTrue(calm.certificateFailures() >= 1, DefendedSite.describe(calm));
        String error = calm.peers().get(2).certificateError().orElseThrow();
        assertTrue(error.contains(ca.directory().toString()), "the error names the CA: " + error);
        assertTrue(
                calm.peers().get(2).certificate().isEmpty(), calm.peers().get(2).toString());

        Browser browser =
                floodUntilPeersServe(xeno, Set.of(ORIGIN_ADDRESS, PEER_ADDRESSES.get(0), PEER_ADDRESSES.get(1)));
        assertTrue(xeno.replicator().status().peers().get(2).certificateError().isPresent());
        endFlood(xeno, browser);
        assertFalse(browser.seenInDns.contains(PEER_ADDRESSES.get(2)), "p3 was in DNS: " + browser.seenInDns);
        assertEquals(0, xeno.replicator().status().certificatesIssued());
    }

    /**
     * Warms the detector up, starts a browser and forces a flood, and waits until the name holds
     * exactly {@code inDns}, the replicator said the other peers cannot be activated for want of a
     * certificate, and the browser was served by a peer over verified HTTPS.
     */
    private Browser floodUntilPeersServe(XenoService xeno, Set<String> inDns) throws Exception {
        site.trickle(40, 2_000);
        await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());
        browser = new Browser(site);
        browser.start();
        xeno.detector().forceOverloaded();
        await(
                "exactly " + inDns + " are in DNS",
                () -> site.addressesInDns().equals(inDns),
                () -> DefendedSite.describe(xeno.replicator().status()) + "\nDNS: " + site.addressesInDns());
        await(
                "the replicator found no further peer it may activate",
                () -> xeno.replicator().status().recentSteps().stream()
                        .anyMatch(step -> step.message().startsWith("no further peer can be activated: [p3]")),
                () -> DefendedSite.describe(xeno.replicator().status()));
        Browser started = browser;
        await("the browser was served by peers", () -> started.servedByPeers.get() > 0);
        return started;
    }

    /** Ends the flood, waits until the peers left DNS, stops the browser and checks it never failed. */
    private void endFlood(XenoService xeno, Browser browser) throws InterruptedException {
        try {
            xeno.detector().release();
            await(
                    "the peers left DNS",
                    () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS)),
                    () -> DefendedSite.describe(xeno.replicator().status()));
        } finally {
            browser.stop();
        }
        assertEquals(0, browser.failures.get(), "client requests that failed: " + browser.lastFailure);
        assertEquals(0, browser.tlsFailures.get(), "client requests that failed in TLS: " + browser.lastTlsFailure);
    }

    /** Every peer got one certificate in calm times and none was ordered since (nor did an order fail). */
    private static void assertOneOrderPerPeer(XenoService xeno) {
        ReplicationStatus status = xeno.replicator().status();
        assertEquals(3, status.certificatesIssued(), DefendedSite.describe(status));
        assertEquals(0, status.certificateFailures(), DefendedSite.describe(status));
    }

    private static List<String> serials(ReplicationStatus status) {
        return status.peers().stream()
                .map(peer ->
                        peer.certificate().map(ServedCertificate::serialNumber).orElse("none"))
                .toList();
    }

    private void startOrigin(boolean shelterOrigin) throws Exception {
        site = new DefendedSite(dir, SERVERS);
        site.resetDns();
        site.startPeers();
        origin = OriginApp.start(
                site, site.config(site.dnsServer(), shelterOrigin).build());
    }

    /**
     * Starts everything and waits until every peer is staged and holds a certificate for the site;
     * the origin stays in the name beside the peers unless sheltered.
     */
    private XenoService startStaged(boolean shelterOrigin) throws Exception {
        startOrigin(shelterOrigin);
        XenoService xeno = origin.xeno;
        awaitStaged(xeno);
        DefendedSite.awaitCertificates(xeno, 3);
        System.out.println(DefendedSite.certificateTimes(xeno.replicator().status()));
        return xeno;
    }

    private static void awaitStaged(XenoService xeno) {
        await(
                "every peer holds the site's bundle",
                () -> xeno.replicator().status().peersIn(ReplicaState.STAGED).size() == 3,
                () -> DefendedSite.describe(xeno.replicator().status()));
    }
}
