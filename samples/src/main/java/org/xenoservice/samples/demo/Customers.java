package org.xenoservice.samples.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.xenoservice.dns.AddressSet;
import org.xenoservice.samples.bookstore.Book;

/**
 * Simulated customers: each resolves the site's name (through BIND, or the printed-DNS table) when
 * its cached answer's TTL has run out, picks one of the addresses, browses pages, sometimes
 * searches, and sometimes orders a book with a fresh {@code Idempotency-Key}, through a
 * {@link ShopClient} (over HTTPS, the site's certificate checked as a browser checks it). An order whose
 * answer fails is sent again with the same key (after a fresh look-up) until it is acknowledged,
 * as a careful shop's checkout does. Every request's success and latency go to a {@link LegitLog}.
 */
final class Customers {
    /** Looks the site's name up. */
    @FunctionalInterface
    interface Lookup {
        AddressSet lookup() throws Exception;
    }

    private static final Duration GIVE_UP_ORDER_AFTER = Duration.ofSeconds(45);

    private final List<Book> books;
    private final Lookup dns;
    private final List<InetAddress> peerAddresses;
    private final LegitLog log;
    private final long epochNanos;
    private final int count;
    private final ShopClient client;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    final AtomicLong ordersAttempted = new AtomicLong();
    final AtomicLong ordersPlaced = new AtomicLong();
    final AtomicLong ordersCapturedByPeers = new AtomicLong();
    final AtomicLong ordersUnacknowledged = new AtomicLong();
    final AtomicLong lookupFailures = new AtomicLong();

    Customers(
            Lookup dns,
            ShopClient client,
            List<InetAddress> peerAddresses,
            List<Book> books,
            LegitLog log,
            long epochNanos,
            int count) {
        this.books = List.copyOf(books);
        this.dns = dns;
        this.client = client;
        this.peerAddresses = List.copyOf(peerAddresses);
        this.log = log;
        this.epochNanos = epochNanos;
        this.count = count;
    }

    /** The customers' TLS handshakes that failed, untrusted or misnamed certificates among them. */
    long tlsFailures() {
        return client.tlsFailures();
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < count; i++) {
            long seed = 1000L + i;
            Thread thread = new Thread(() -> new Customer(new Random(seed)).run(), "customer-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /** Stops browsing; an order in progress is finished (or given up) first. */
    synchronized void stop() {
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(GIVE_UP_ORDER_AFTER.plusSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }

    private long nowMillis() {
        return (System.nanoTime() - epochNanos) / 1_000_000;
    }

    /** One customer's session: a resolver cache and a loop of page views, searches and orders. */
    private final class Customer {
        private final Random random;
        private List<InetAddress> addresses = List.of();
        private long expiresAtNanos;

        Customer(Random random) {
            this.random = random;
        }

        void run() {
            while (running) {
                int dice = random.nextInt(100);
                try {
                    if (dice < 8) {
                        order();
                    } else if (dice < 13) {
                        get(
                                "/search?q="
                                        + URLEncoder.encode(
                                                books.get(random.nextInt(books.size()))
                                                        .title()
                                                        .split(" ", -1)[0],
                                                StandardCharsets.UTF_8),
                                "search");
                    } else {
                        get(
                                dice < 30
                                        ? "/index.html"
                                        : "/books/"
                                                + books.get(random.nextInt(books.size()))
                                                        .id() + ".html",
                                "page");
                    }
                    Thread.sleep(150 + random.nextInt(250));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private InetAddress resolve(boolean fresh) {
            long now = System.nanoTime();
            if (fresh || addresses.isEmpty() || now >= expiresAtNanos) {
                try {
                    AddressSet answer = dns.lookup();
                    addresses = answer.addresses();
                    expiresAtNanos = now + Math.max(1, answer.ttl().toMillis()) * 1_000_000L;
                } catch (Exception e) {
                    lookupFailures.incrementAndGet();
                    addresses = List.of();
                }
            }
            return addresses.isEmpty() ? null : addresses.get(random.nextInt(addresses.size()));
        }

        private void get(String path, String what) {
            InetAddress address = resolve(false);
            long started = System.nanoTime();
            long at = nowMillis();
            boolean ok = false;
            if (address != null) {
                try {
                    ok = client.get(address, path) < 400;
                } catch (IOException | RuntimeException e) {
                    ok = false; // refused, timed out, or a TLS failure (which the client counts)
                }
            }
            log.add(new LegitLog.Entry(
                    at,
                    (System.nanoTime() - started) / 1_000_000,
                    ok,
                    address != null && peerAddresses.contains(address),
                    what));
        }

        private void order() throws InterruptedException {
            String key = UUID.randomUUID().toString();
            String book = books.get(random.nextInt(books.size())).id();
            String form = "book=" + URLEncoder.encode(book, StandardCharsets.UTF_8) + "&email="
                    + URLEncoder.encode("reader" + random.nextInt(1000) + "@example.org", StandardCharsets.UTF_8)
                    + "&quantity=1";
            ordersAttempted.incrementAndGet();
            long giveUpAt = System.nanoTime() + GIVE_UP_ORDER_AFTER.toNanos();
            boolean fresh = false;
            while (System.nanoTime() < giveUpAt) {
                InetAddress address = resolve(fresh);
                long started = System.nanoTime();
                long at = nowMillis();
                int status = 0;
                if (address != null) {
                    try {
                        status = client.postForm(address, "/order", key, form);
                    } catch (IOException | RuntimeException e) {
                        status = 0;
                    }
                }
                boolean ok = status == 202 || status == 303 || status == 200 || status == 201;
                boolean byPeer = address != null && peerAddresses.contains(address);
                log.add(new LegitLog.Entry(at, (System.nanoTime() - started) / 1_000_000, ok, byPeer, "order"));
                if (ok) {
                    ordersPlaced.incrementAndGet();
                    if (byPeer) {
                        ordersCapturedByPeers.incrementAndGet();
                    }
                    return;
                }
                fresh = true;
                Thread.sleep(250 + random.nextInt(250));
            }
            ordersUnacknowledged.incrementAndGet();
        }
    }
}
