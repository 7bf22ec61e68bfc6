package org.xenoservice.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;
import static org.xenoservice.e2e.DefendedSite.PEER_ADDRESSES;
import static org.xenoservice.e2e.DefendedSite.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
  private Browser browser;
  private Flood flood;

  @AfterEach
  void stop() throws InterruptedException {
    if (browser != null) {
      browser.stop();
    }
    if (flood != null) {
      flood.stop();
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
    site = new DefendedSite(dir);
    site.startBind();
    site.startPeers();
    origin = OriginApp.start(site, site.config(DnsServer.parse(site.bind.server()), true).build());
    XenoService xeno = origin.xeno;
    await("every peer holds the site's bundle", () -> xeno.replicator().status().peersIn(ReplicaState.STAGED).size() == 3,
        () -> describe(xeno.replicator().status()));
    origin.trickle(40, 2_000);
    await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());

    browser = new Browser(site);
    browser.start();
    flood = new Flood(site, 6);
    flood.start();
    try {
      await("all three peers are in DNS and the origin is sheltered",
          () -> site.addressesInDns().equals(Set.copyOf(PEER_ADDRESSES)),
          () -> describe(xeno.replicator().status()) + "\nDNS: " + site.addressesInDns());
      ReplicationStatus defending = xeno.replicator().status();
      assertTrue(defending.wave() >= 2, "peers come in waves of 1, 2, ...: " + defending.wave());
      assertTrue(defending.originSheltered());
      for (String peer : PEER_ADDRESSES) {
        for (String path : List.of("/index.html", "/books/7.html", "/thanks.html")) {
          HttpResponse<byte[]> answer = site.get(peer, path);
          assertEquals(200, answer.statusCode(), peer + path);
          assertArrayEquals(Files.readAllBytes(site.siteFiles.resolve(path.substring(1))), answer.body(),
              peer + path + " serves what the origin serves");
        }
        for (int i = 0; i < 5; i++) {
          HttpResponse<String> order = site.post(peer, "/order", "order-" + peer + "-" + i, "book=" + i);
          assertEquals(202, order.statusCode(), order.body());
          assertTrue(order.body().contains("Thank you"), order.body());
        }
      }
      await("the browser was served by peers", () -> browser.servedByPeers.get() > 0);
    } finally {
      flood.stop();
    }
    await("the peers left DNS and the origin is back", () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS)),
        () -> describe(xeno.replicator().status()) + "\nDNS: " + site.addressesInDns());
    await("the peers are retired and the replicator is calm",
        () -> xeno.replicator().status().phase() == ReplicationPhase.CALM
            && site.peers.stream().allMatch(peer -> peer.sites().find(DefendedSite.SITE).isEmpty()),
        () -> describe(xeno.replicator().status()));
    await("all 15 orders reached the origin", () -> origin.orders.size() == 15, () -> origin.orders.toString());
    browser.stop();
    assertEquals(0, browser.failures.get(), "client requests that failed: " + browser.lastFailure);
    assertTrue(origin.orders.values().stream().allMatch(count -> count.get() == 1), "each order applied once: "
        + origin.orders);
  }

  @Test
  void peerDownAtActivationIsSkippedAndDnsDownIsRetried() throws Exception {
    site = new DefendedSite(dir);
    site.startBind();
    site.startPeers();
    origin = OriginApp.start(site, site.config(DnsServer.parse(site.bind.server()), false).build());
    XenoService xeno = origin.xeno;
    await("every peer holds the site's bundle", () -> xeno.replicator().status().peersIn(ReplicaState.STAGED).size() == 3,
        () -> describe(xeno.replicator().status()));
    origin.trickle(40, 2_000);
    await("the detector has warmed up", () -> xeno.detector().snapshot().warmedUp());
    site.peers.get(2).close();
    site.bind.close();

    xeno.detector().forceOverloaded();
    await("two peers serve, the dead one is skipped, and DNS failures are being retried", () -> {
      ReplicationStatus status = xeno.replicator().status();
      return status.peersIn(ReplicaState.SERVING).size() == 2 && status.peersIn(ReplicaState.FAILED).size() == 1
          && status.dnsFailures() >= 2;
    }, () -> describe(xeno.replicator().status()));
    ReplicationStatus failed = xeno.replicator().status();
    assertTrue(failed.peers().get(2).lastError().isPresent());
    assertTrue(failed.addressesInDns().isEmpty(), "nothing is in DNS while BIND is down");

    site.bind = site.bind.restart();
    await("the two live peers are added to DNS once BIND is back",
        () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS, PEER_ADDRESSES.get(0), PEER_ADDRESSES.get(1))),
        () -> describe(xeno.replicator().status()) + "\nDNS: " + site.addressesInDns());
    assertFalse(xeno.replicator().status().originSheltered(), "the origin stays in the name when not sheltered");

    xeno.detector().release();
    await("the peers left DNS after the flood", () -> site.addressesInDns().equals(Set.of(ORIGIN_ADDRESS)),
        () -> describe(xeno.replicator().status()));
    await("the live peers are retired", () -> xeno.replicator().status().phase() == ReplicationPhase.CALM
        && site.peers.get(0).sites().find(DefendedSite.SITE).isEmpty()
        && site.peers.get(1).sites().find(DefendedSite.SITE).isEmpty(), () -> describe(xeno.replicator().status()));
  }

  static String describe(ReplicationStatus status) {
    StringBuilder text = new StringBuilder(status.phase() + " detector=" + status.detectorState() + " wave="
        + status.wave() + " dns=" + status.addressesInDns() + "\n");
    status.peers().forEach(peer -> text.append("  ").append(peer).append('\n'));
    status.recentSteps().forEach(step -> text.append("  ").append(step.at()).append(' ').append(step.message())
        .append('\n'));
    return text.toString();
  }

  /** Hammers the origin's address with page requests from several threads until stopped. */
  static final class Flood {
    private final DefendedSite site;
    private final List<Thread> threads;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong sent = new AtomicLong();

    Flood(DefendedSite site, int threadCount) {
      this.site = site;
      this.threads = java.util.stream.IntStream.range(0, threadCount)
          .mapToObj(i -> new Thread(this::run, "flood-" + i)).toList();
    }

    void start() {
      threads.forEach(Thread::start);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(20_000);
      }
    }

    private void run() {
      while (running.get()) {
        try {
          site.get(ORIGIN_ADDRESS, "/index.html");
          sent.incrementAndGet();
        } catch (Exception e) {
          // a flood does not care
        }
      }
    }
  }

  /**
   * A well-behaved client: resolves the site through BIND before each request, as a browser whose
   * cache expired would, fetches a page from one of the addresses, and counts every failure.
   */
  static final class Browser {
    private final DefendedSite site;
    private final Thread thread = new Thread(this::run, "browser");
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong failures = new AtomicLong();
    final AtomicLong servedByPeers = new AtomicLong();
    volatile String lastFailure = "none";

    Browser(DefendedSite site) {
      this.site = site;
    }

    void start() {
      thread.start();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(20_000);
    }

    private void run() {
      while (running.get()) {
        List<String> addresses;
        try {
          addresses = List.copyOf(site.addressesInDns());
        } catch (AssertionError e) {
          failures.incrementAndGet();
          lastFailure = e.getMessage();
          continue;
        }
        String address = addresses.get(ThreadLocalRandom.current().nextInt(addresses.size()));
        int book = ThreadLocalRandom.current().nextInt(1, 21);
        try {
          HttpResponse<byte[]> answer = site.get(address, "/books/" + book + ".html");
          if (answer.statusCode() != 200) {
            failures.incrementAndGet();
            lastFailure = address + " answered " + answer.statusCode();
          } else if (!address.equals(ORIGIN_ADDRESS)) {
            servedByPeers.incrementAndGet();
          }
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          failures.incrementAndGet();
          lastFailure = address + ": " + e;
        }
      }
    }
  }

  /** Orders by idempotency key, counting how often each was applied. */
  static final class Orders extends ConcurrentHashMap<String, AtomicLong> {
    private static final long serialVersionUID = 1L;

    void apply(String key) {
      computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }
  }
}
