package org.xenoservice.e2e;

import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * Hammers the origin's address (or given addresses) with page requests from several threads until
 * stopped, by the site's name as {@link SiteClient} asks it: HTTPS, verified, at a peer. It does not
 * care whether it is answered, but counts TLS handshake and certificate failures, which must not
 * happen.
 */
final class Flood {
    private final DefendedSite site;
    private final List<String> targets;
    private final long pauseMillis;
    private final List<Thread> threads;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong sent = new AtomicLong();
    /** Requests whose TLS handshake or certificate check failed. */
    final AtomicLong tlsFailures = new AtomicLong();

    volatile String lastTlsFailure = "none";

    Flood(DefendedSite site, int threadCount) {
        this(site, threadCount, List.of(ORIGIN_ADDRESS), 0);
    }

    /**
     * A flood at the given addresses, round robin, as an attacker who resolved the name once, each
     * thread pausing {@code pauseMillis} between requests (a steady stream rather than all it can).
     */
    Flood(DefendedSite site, int threadCount, List<String> targets, long pauseMillis) {
        this.targets = List.copyOf(targets);
        this.pauseMillis = pauseMillis;
        this.site = site;
        this.threads = IntStream.range(0, threadCount)
                .mapToObj(i -> new Thread(this::run, "flood-" + i))
                .toList();
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
                site.get(targets.get((int) (sent.get() % targets.size())), "/index.html");
                sent.incrementAndGet();
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (SiteClient.isTlsFailure(e)) {
                    tlsFailures.incrementAndGet();
                    lastTlsFailure = e.toString();
                }
                // any other failure: a flood does not care
            }
        }
    }
}
