package org.xenoservice.samples.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The built-in flood: a few pacing threads that send requests through the JDK HttpClient's
 * asynchronous API at the address its {@link Target} names: the origin's throughout for an attacker
 * that resolved the name once ({@link #resolvedOnce}), or whatever DNS answers now for one that
 * follows DNS ({@link #followingDns}), at a target rate whatever the origin answers: an open loop, as a real flood is,
 * with at most {@value #MAX_OUTSTANDING} requests in the air. It can be started and stopped again.
 */
final class LoadGenerator {
    /** Where the next flood request goes. Must be safe for concurrent use (every pacing thread asks). */
    @FunctionalInterface
    interface Target {
        /** The address the next request goes to, as text ({@code 127.0.0.2}). */
        String address();
    }

    private static final int MAX_OUTSTANDING = 400;

    private final List<String> pages;
    private final Target target;
    private final int port;
    private final String site;
    private final int threadCount;
    private volatile int ratePerSecond;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    /** Requests in the air at most: an open-loop flood that does not wait for answers, within reason. */
    private final Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);

    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    LoadGenerator(Target target, int port, String site, List<String> pages, int threadCount, int ratePerSecond) {
        this.pages = List.copyOf(pages);
        this.target = target;
        this.port = port;
        this.site = site;
        this.threadCount = threadCount;
        this.ratePerSecond = ratePerSecond;
    }

    /** An attacker that resolved the name once, before the flood, and floods {@code address} throughout. */
    static Target resolvedOnce(String address) {
        return () -> address;
    }

    /**
     * An attacker that follows DNS: it looks {@code dns} up again whenever the answer's TTL has run out
     * and floods one of the addresses it holds at random, the last ones it got when a look-up fails
     * ({@code fallback} before the first answer).
     */
    static Target followingDns(Customers.Lookup dns, String fallback, long seed) {
        CustomerCache cache = new CustomerCache(CustomerKind.TTL_HONOURING, dns, System::nanoTime, new Random(seed));
        return new Target() {
            private String last = fallback;

            @Override
            public synchronized String address() {
                try {
                    cache.address(false).ifPresent(address -> last = address.getHostAddress());
                } catch (Exception e) {
                    return last; // a failed look-up: keep flooding what it had
                }
                return last;
            }
        };
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        threads.clear();
        for (int i = 0; i < threadCount; i++) {
            int index = i;
            Thread thread = new Thread(() -> flood(index), "flood-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    synchronized void stop() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }

    boolean running() {
        return running;
    }

    int ratePerSecond() {
        return ratePerSecond;
    }

    long sent() {
        return sent.get();
    }

    /** Requests not sent because {@value #MAX_OUTSTANDING} were in the air already. */
    long skipped() {
        return skipped.get();
    }

    long failed() {
        return failed.get();
    }

    private void flood(int index) {
        long intervalNanos = (long) (1e9 * threadCount / ratePerSecond);
        long next = System.nanoTime() + intervalNanos * index / threadCount;
        long n = index;
        while (running) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            next += intervalNanos;
            if (System.nanoTime() - next > 1_000_000_000L) {
                next = System.nanoTime(); // fell behind by a second: do not burst to catch up
            }
            n += threadCount;
            if (!outstanding.tryAcquire()) {
                skipped.incrementAndGet(); // as many requests in the air as the flood allows: this one is not sent
                continue;
            }
            String path = n % 5 == 4 ? "/search?q=flood" + (n % 7) : pages.get((int) (n % pages.size()));
            sent.incrementAndGet();
            CompletableFuture<?> unused = http.sendAsync(
                            HttpRequest.newBuilder(URI.create("http://" + target.address() + ":" + port + path))
                                    .header("Host", site)
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .whenComplete((answer, error) -> {
                        outstanding.release();
                        if (error != null || answer.statusCode() >= 500) {
                            failed.incrementAndGet();
                        }
                    });
        }
    }
}
