package org.xenoservice.e2e;

import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Hammers the origin's address with page requests from several threads until stopped. */
final class Flood {
    private final DefendedSite site;
    private final List<String> targets;
    private final long pauseMillis;
    private final List<Thread> threads;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong sent = new AtomicLong();

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
        this.threads = java.util.stream.IntStream.range(0, threadCount)
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
                // a flood does not care
            }
        }
    }
}
