package org.xenoservice.e2e;

import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A well-behaved client: resolves the site through BIND before each request, as a browser whose
 * cache expired would, fetches a page from one of the addresses by the site's name (HTTPS with the
 * certificate verified at a peer, see {@link SiteClient}), and counts every failure: TLS handshake
 * and certificate failures apart from the others. It also notes every address it ever found in DNS.
 */
final class Browser {
    private final DefendedSite site;
    private final Thread thread = new Thread(this::run, "browser");
    private final AtomicBoolean running = new AtomicBoolean(true);
    /** Requests that failed other than in TLS: an error status, a refused connection, a timeout. */
    final AtomicLong failures = new AtomicLong();
    /** Requests whose TLS handshake or certificate check failed. */
    final AtomicLong tlsFailures = new AtomicLong();

    final AtomicLong servedByPeers = new AtomicLong();
    /** Every address DNS answered for the site while the browser ran. */
    final Set<String> seenInDns = new ConcurrentSkipListSet<>();

    volatile String lastFailure = "none";
    volatile String lastTlsFailure = "none";

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
            seenInDns.addAll(addresses);
            String address = addresses.get(ThreadLocalRandom.current().nextInt(addresses.size()));
            int book = ThreadLocalRandom.current().nextInt(1, 21);
            try {
                SiteClient.Response answer = site.get(address, "/books/" + book + ".html");
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
                if (SiteClient.isTlsFailure(e)) {
                    tlsFailures.incrementAndGet();
                    lastTlsFailure = address + ": " + e;
                } else {
                    failures.incrementAndGet();
                    lastFailure = address + ": " + e;
                }
            }
        }
    }
}
