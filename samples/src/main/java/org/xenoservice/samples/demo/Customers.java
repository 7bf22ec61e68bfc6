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
 * Simulated customers of the {@link CustomerKind kinds} the real web has, in their shares (40 %
 * honour the TTL, 20 % sit behind a resolver with a 30 s TTL floor, 20 % are browsers that keep an
 * answer 60 s, 20 % keep one connection alive until the server closes it): each resolves the site's
 * name (through BIND, or the printed-DNS table) when its cached answer has run out by its kind's
 * rule ({@link CustomerCache}), picks one of the addresses, browses pages, sometimes
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
    /** {@code 421 Misdirected Request}: the server does not serve the site on this connection. */
    private static final int MISDIRECTED = 421;

    private final List<Book> books;
    private final Lookup dns;
    private final List<InetAddress> peerAddresses;
    private final LegitLog log;
    private final long epochNanos;
    private final int count;
    private final ShopClient client;
    private final List<Thread> threads = new ArrayList<>();
    /** The kept-alive customers' own clients, closed when the customers stop. */
    private final List<ShopClient> dedicated = new ArrayList<>();

    private volatile boolean running;

    final AtomicLong ordersAttempted = new AtomicLong();
    final AtomicLong ordersPlaced = new AtomicLong();
    final AtomicLong ordersCapturedByPeers = new AtomicLong();
    final AtomicLong ordersUnacknowledged = new AtomicLong();
    final AtomicLong lookupFailures = new AtomicLong();
    final AtomicLong clientsNotClosed = new AtomicLong();

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
            CustomerKind kind = CustomerKind.forCustomer(i);
            ShopClient own = client;
            if (kind.keepsConnection()) {
                own = client.dedicated();
                dedicated.add(own);
            }
            Customer customer = new Customer(new Random(1000L + i), kind, own);
            Thread thread = new Thread(customer::run, "customer-" + i + "-" + kind.label());
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
        for (ShopClient own : dedicated) {
            try {
                own.close();
            } catch (IOException e) {
                clientsNotClosed.incrementAndGet(); // a client that is done with: nothing else to do
            }
        }
        dedicated.clear();
    }

    private long nowMillis() {
        return (System.nanoTime() - epochNanos) / 1_000_000;
    }

    /** One customer's session: a resolver cache kept by its kind's rule, and a loop of page views, searches and orders. */
    private final class Customer {
        private final Random random;
        private final CustomerKind kind;
        private final ShopClient client;
        private final CustomerCache cache;

        Customer(Random random, CustomerKind kind, ShopClient client) {
            this.random = random;
            this.kind = kind;
            this.client = client;
            this.cache = new CustomerCache(kind, dns, System::nanoTime, random);
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
                                LegitLog.SEARCH);
                    } else {
                        get(
                                dice < 30
                                        ? "/index.html"
                                        : "/books/"
                                                + books.get(random.nextInt(books.size()))
                                                        .id() + ".html",
                                LegitLog.PAGE);
                    }
                    Thread.sleep(150 + random.nextInt(250));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private InetAddress resolve(boolean fresh) {
            try {
                return cache.address(fresh).orElse(null);
            } catch (Exception e) {
                lookupFailures.incrementAndGet();
                return null;
            }
        }

        /** The request's status, 0 when it failed; a closed or failed connection is the cache's to know. */
        private int send(InetAddress address, ShopCall call) {
            try {
                ShopClient.Answer answer = call.send(client, address);
                if (answer.closed() || answer.status() == MISDIRECTED) {
                    cache.connectionClosed(); // 421: try another connection (RFC 9110, 15.5.20)
                }
                return answer.status();
            } catch (IOException | RuntimeException e) {
                cache.connectionClosed(); // refused, timed out, or a TLS failure (which the client counts)
                return 0;
            }
        }

        /**
         * Resolves and sends; a {@code 421} (the server does not serve the site there, as a retired
         * peer answers a kept-alive connection) is sent once more over another connection, as browsers
         * do (RFC 9110, 15.5.20).
         */
        private Sent attempt(boolean fresh, ShopCall call) {
            InetAddress address = resolve(fresh);
            int status = address == null ? 0 : send(address, call);
            if (status == MISDIRECTED) {
                address = resolve(false);
                status = address == null ? 0 : send(address, call);
            }
            return new Sent(address, status);
        }

        private void get(String path, String what) {
            long started = System.nanoTime();
            long at = nowMillis();
            Sent sent = attempt(false, (shop, to) -> shop.fetch(to, path));
            log.add(new LegitLog.Entry(
                    at,
                    (System.nanoTime() - started) / 1_000_000,
                    sent.status() > 0 && sent.status() < 400,
                    sent.address() != null && peerAddresses.contains(sent.address()),
                    what,
                    kind));
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
                long started = System.nanoTime();
                long at = nowMillis();
                Sent sent = attempt(fresh, (shop, to) -> shop.submit(to, "/order", key, form));
                InetAddress address = sent.address();
                int status = sent.status();
                boolean ok = status == 202 || status == 303 || status == 200 || status == 201;
                boolean byPeer = address != null && peerAddresses.contains(address);
                log.add(new LegitLog.Entry(
                        at, (System.nanoTime() - started) / 1_000_000, ok, byPeer, LegitLog.ORDER, kind));
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

    /** Where a request went (null when no address was known) and its status (0 when it failed). */
    private record Sent(InetAddress address, int status) {}

    /** One request through a customer's client. */
    @FunctionalInterface
    private interface ShopCall {
        ShopClient.Answer send(ShopClient client, InetAddress address) throws IOException;
    }
}
