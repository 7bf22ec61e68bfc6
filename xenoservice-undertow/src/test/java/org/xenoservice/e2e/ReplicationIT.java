package org.xenoservice.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;
import static org.xenoservice.e2e.DefendedSite.PEER_ADDRESSES;
import static org.xenoservice.e2e.DefendedSite.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoService;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicationPhase;
import org.xenoservice.replicate.ReplicationStatus;

/**
 * The whole defence on loopback, with real parts: an origin app protected by {@link XenoService},
 * three real peers and a real BIND. A synthetic flood makes the detector fire, the peers enter DNS
 * and serve the site, orders posted to them reach the origin once each, and when the flood passes
 * the peers leave DNS and are retired, with no client request failing on the way.
 */
class ReplicationIT {
    @TempDir
    Path dir;

    private DefendedSite site;
    private OriginApp origin;

    @AfterEach
    void stop() throws InterruptedException {
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
        new FloodScenario(site, origin.xeno).run();
    }

    @Test
    void peerDownAtActivationIsSkippedAndDnsDownIsRetried() throws Exception {
        XenoService xeno = startStaged(false);
        site.trickle(40, 2_000);
        await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());
        site.peers.get(2).close();
        site.bind.close();

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

        site.bind = site.bind.restart();
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
                new String(
                        site.get(PEER_ADDRESSES.get(0), "/books/3.html").body(),
                        java.nio.charset.StandardCharsets.UTF_8));

        Files.writeString(site.siteFiles.resolve("books/3.html"), "<p>Book 3 is sold.</p>\n");
        xeno.replicator().restage();
        await(
                "the serving peers moved to the newest version",
                () -> PEER_ADDRESSES.stream().allMatch(peer -> {
                    try {
                        return new String(
                                        site.get(peer, "/books/3.html").body(), java.nio.charset.StandardCharsets.UTF_8)
                                .equals("<p>Book 3 is sold.</p>\n");
                    } catch (Exception e) {
                        return false;
                    }
                }),
                () -> DefendedSite.describe(xeno.replicator().status()));
        xeno.detector().release();
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

        origin = OriginApp.start(
                site, site.config(DnsServer.parse(site.bind.server()), true).build());
        XenoService second = origin.xeno;
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
        await(
                "once the flood is over the peers leave DNS",
                () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS)),
                () -> DefendedSite.describe(xeno.replicator().status()));
    }

    private void startOrigin(boolean shelterOrigin) throws Exception {
        site = new DefendedSite(dir);
        site.startBind();
        site.startPeers();
        origin = OriginApp.start(
                site,
                site.config(DnsServer.parse(site.bind.server()), shelterOrigin).build());
    }

    /** Starts everything, the origin in the name beside the peers, and waits until every peer is staged. */
    private XenoService startStaged(boolean shelterOrigin) throws Exception {
        startOrigin(shelterOrigin);
        XenoService xeno = origin.xeno;
        await(
                "every peer holds the site's bundle",
                () -> xeno.replicator().status().peersIn(ReplicaState.STAGED).size() == 3,
                () -> DefendedSite.describe(xeno.replicator().status()));
        return xeno;
    }
}
