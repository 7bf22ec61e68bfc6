package org.xenoservice.e2e;

import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A well-behaved client: resolves the site through BIND before each request, as a browser whose
 * cache expired would, fetches a page from one of the addresses, and counts every failure.
 */
final class Browser {
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
