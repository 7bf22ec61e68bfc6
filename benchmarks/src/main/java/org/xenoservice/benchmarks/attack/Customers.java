package org.xenoservice.benchmarks.attack;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.xenoservice.samples.demo.CustomerKind;

/**
 * The shop's customers: {@code --customers} browsers, each in a loop of "open a page, think for
 * 0.5–1.5 s", every {@code --search-every}th page also a search (and a think) ({@code GET /search?q=WORD}, a
 * route the replicas proxy to the origin) and every {@code --order-every}th page an order, from
 * {@code --from} to {@code --until} (epoch milliseconds). Each resolves the site through the
 * testbed's BIND with its own cache and picks one of the addresses at random for each page, as a
 * browser does; when it cannot connect to that address it tries another one once, as browsers do.
 * An order that fails is sent again, with the same order id, up to {@code --order-attempts} times.
 * One line per request in {@code --log} ({@link RequestLog}): kind {@code page}, {@code search} or
 * {@code order} (detail: the order id), client the customer's kind.
 *
 * <p>How long a customer keeps a DNS answer is its {@link CustomerKind}'s rule, as the real web has
 * them: with {@code --customer-kinds real} (the default) the demo's kinds in their shares (TTL
 * honoured, a resolver with a 30 s TTL floor, a browser that keeps answers for 60 s, and one that
 * keeps a single connection alive to its address until the server closes it); with {@code ttl}
 * every customer honours the TTL. {@code --customer-dns-cache S} makes every customer keep every
 * answer at least S seconds besides (0, the default: its kind's rule alone).
 *
 * <p>With {@code --trust FILE} (PEM roots) they speak HTTPS as browsers do: {@code https://SITE/…}
 * to the address picked, with the site's name as SNI and {@code Host}, the chain checked against
 * those roots and the host name against the certificate (see {@link ClientTls}); each browser keeps
 * its connections alive between pages and resumes its TLS sessions. Without it, plain HTTP.
 *
 * <p>The order body is {@code --order-body} with {@code {book}}, {@code {customer}} and
 * {@code {id}} filled in, e.g. {@code book={book}&email=c{customer}@example.org&order-id={id}}.
 */
public final class Customers {
    private Customers() {}

    /** Runs the customers; see the class comment for the arguments. */
    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int count = (int) args.getLong("customers", 8);
        long from = args.getLong("from");
        long until = args.getLong("until");
        String trust = args.get("trust", "");
        ClientTls tls = trust.isEmpty() ? null : ClientTls.trusting(Path.of(trust));
        String kinds = args.get("customer-kinds", "real");
        if (!kinds.equals("real") && !kinds.equals("ttl")) {
            throw new IllegalArgumentException("--customer-kinds takes real (the demo's kinds in their shares) or ttl"
                    + " (every customer honours the TTL), was '" + kinds + "'");
        }
        Duration cacheFloor = Duration.ofSeconds(args.getLong("customer-dns-cache", 0));
        if (cacheFloor.isNegative()) {
            throw new IllegalArgumentException(
                    "--customer-dns-cache must be 0 (the kind's rule) or more seconds, was " + cacheFloor.toSeconds());
        }
        try (RequestLog log = new RequestLog(Path.of(args.get("log")))) {
            Shopper.Settings settings = new Shopper.Settings(
                    args.get("site"),
                    tls != null,
                    (int) args.getLong("port", tls != null ? 443 : 80),
                    args.getList("pages"),
                    args.getList("books"),
                    (int) args.getLong("search-every", 3),
                    args.get("order-body"),
                    args.get("order-path", "/order"),
                    (int) args.getLong("order-every", 4),
                    (int) args.getLong("order-attempts", 3),
                    Duration.ofMillis(args.getLong("timeout-ms", 10_000)),
                    until,
                    log);
            List<Thread> threads = new ArrayList<>();
            List<CloseableHttpClient> browsers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                CustomerKind kind = kinds.equals("ttl") ? CustomerKind.TTL_HONOURING : CustomerKind.forCustomer(i);
                TtlResolver resolver = new TtlResolver(
                        args.dnsServer(),
                        settings.site(),
                        addresses -> log.dns(kind.label(), addresses),
                        keepRule(kind, cacheFloor));
                CloseableHttpClient browser =
                        ClientTls.httpClient(tls, 2, Duration.ofSeconds(3), settings.timeout(), true);
                browsers.add(browser);
                Shopper shopper =
                        new Shopper(i, kind, settings, resolver, browser, new Random(args.getLong("seed", 2000) + i));
                threads.add(new Thread(shopper, "customer-" + i));
            }
            Args.sleepUntil(from);
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join(Math.max(1, until - System.currentTimeMillis()) + 30_000);
            }
            for (CloseableHttpClient browser : browsers) {
                browser.close();
            }
        }
    }

    /** {@code kind}'s rule for keeping a DNS answer, kept at least {@code floor} long. */
    static TtlResolver.KeepRule keepRule(CustomerKind kind, Duration floor) {
        return ttlMillis -> Math.max(
                floor.toMillis(), kind.keeps(Duration.ofMillis(ttlMillis)).toMillis());
    }

    /** One customer's browser. */
    static final class Shopper implements Runnable {
        record Settings(
                String site,
                boolean https,
                int port,
                List<String> pages,
                List<String> books,
                int searchEvery,
                String orderBody,
                String orderPath,
                int orderEvery,
                int orderAttempts,
                Duration timeout,
                long until,
                RequestLog log) {}

        /** 421 Misdirected Request: the server does not serve the site at that address (any longer). */
        private static final int MISDIRECTED = 421;

        private final int number;
        private final CustomerKind kind;
        private final Settings settings;
        private final TtlResolver resolver;
        private final Random random;
        private final CloseableHttpClient http;
        /** A {@link CustomerKind#keepsConnection() kept-alive} customer's address, until the server closes. */
        private InetAddress pinned;

        Shopper(
                int number,
                CustomerKind kind,
                Settings settings,
                TtlResolver resolver,
                CloseableHttpClient http,
                Random random) {
            this.number = number;
            this.kind = kind;
            this.settings = settings;
            this.resolver = resolver;
            this.random = random;
            this.http = http;
        }

        @Override
        public void run() {
            int pages = 0;
            try {
                // Customers arrive one by one over the first 3 s, not all in the same 100 ms (which looks like a
                // surge).
                Thread.sleep(random.nextInt(3000));
                while (System.currentTimeMillis() < settings.until()) {
                    String path =
                            settings.pages().get(random.nextInt(settings.pages().size()));
                    send("page", () -> new HttpGet(path), "");
                    pages++;
                    think();
                    if (pages % settings.searchEvery() == 0 && System.currentTimeMillis() < settings.until()) {
                        String search = "/search?q=" + searchWord();
                        send("search", () -> new HttpGet(search), "");
                        think();
                    }
                    if (pages % settings.orderEvery() == 0 && System.currentTimeMillis() < settings.until()) {
                        order();
                        think();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** A reader's pause between two requests: 0.5–1.5 s. */
        private void think() throws InterruptedException {
            Thread.sleep(500 + random.nextInt(1000));
        }

        /** A word of a book's title, from its page's name ({@code 1851-moby-dick} gives {@code moby}). */
        private String searchWord() {
            String book = settings.books().get(random.nextInt(settings.books().size()));
            return book.replaceFirst("^[0-9]+-", "").split("-", -1)[0];
        }

        private void order() throws InterruptedException {
            String id = UUID.nameUUIDFromBytes(
                            ("customer-" + number + "-" + random.nextLong()).getBytes(StandardCharsets.UTF_8))
                    .toString();
            String book = settings.books().get(random.nextInt(settings.books().size()));
            String body = settings.orderBody()
                    .replace("{book}", book)
                    .replace("{customer}", Integer.toString(number))
                    .replace("{id}", id);
            for (int attempt = 0; attempt < settings.orderAttempts(); attempt++) {
                int status = send(
                        "order",
                        () -> {
                            HttpPost post = new HttpPost(settings.orderPath());
                            post.setEntity(new StringEntity(body, ContentType.APPLICATION_FORM_URLENCODED));
                            post.setHeader("Idempotency-Key", id);
                            return post;
                        },
                        id);
                if (status >= 200 && status < 400) { // the origin answers 303 See Other, a replica 202
                    return;
                }
                Thread.sleep(1000);
            }
        }

        /**
         * Sends one request and logs it: to the kept-alive address while there is one, else to an
         * address picked at random (and once more to another one when the first cannot connect, or
         * when it answers 421, as browsers do). A TLS failure is not tried elsewhere: a browser shows
         * its certificate error.
         */
        private int send(String what, Supplier<HttpUriRequestBase> request, String detail) {
            List<InetAddress> addresses = pinned != null ? List.of(pinned) : resolver.addresses();
            long startMillis = System.currentTimeMillis();
            long start = System.nanoTime();
            if (addresses.isEmpty()) {
                settings.log().add(startMillis, what, kind.label(), "-", 0, 0, "no address" + sep(detail));
                return 0;
            }
            int first = random.nextInt(addresses.size());
            String address = "-";
            String failure = "";
            for (int attempt = 0; attempt < 2; attempt++) {
                InetAddress to = addresses.get((first + attempt) % addresses.size());
                address = to.getHostAddress();
                try {
                    Answer answer = exchange(to, request.get());
                    boolean misdirected = answer.status() == MISDIRECTED;
                    pinned = kind.keepsConnection() && !answer.closed() && !misdirected ? to : null;
                    if (misdirected && attempt == 0) {
                        addresses = resolver.addresses(); // another connection, as browsers do (RFC 9110, 15.5.20)
                        continue;
                    }
                    settings.log()
                            .add(startMillis, what, kind.label(), address, answer.status(), millisSince(start), detail);
                    return answer.status();
                } catch (ConnectException | ConnectTimeoutException e) {
                    pinned = null;
                    failure = e.getClass().getSimpleName() + " " + address; // a browser tries the next address
                    addresses = resolver.addresses();
                    if (addresses.size() < 2) {
                        break;
                    }
                } catch (IOException e) {
                    pinned = null;
                    failure = ClientTls.describe(e);
                    break;
                }
            }
            settings.log().add(startMillis, what, kind.label(), address, 0, millisSince(start), failure + sep(detail));
            return 0;
        }

        /** A status and whether the server said it closes the connection after it. */
        private record Answer(int status, boolean closed) {}

        /**
         * One exchange with {@code to}. The site's name is the host (SNI, Host, the name the certificate
         * must hold); the address is where the connection goes: what a browser does after resolving the
         * name itself.
         */
        private Answer exchange(InetAddress to, HttpUriRequestBase built) throws IOException {
            HttpHost target = new HttpHost(settings.https() ? "https" : "http", to, settings.site(), settings.port());
            built.setHeader("Accept-Encoding", "gzip");
            built.setHeader("User-Agent", "customer/" + number);
            return http.execute(target, built, response -> {
                EntityUtils.consume(response.getEntity());
                Header connection = response.getFirstHeader("Connection");
                return new Answer(
                        response.getCode(), connection != null && "close".equalsIgnoreCase(connection.getValue()));
            });
        }

        private static double millisSince(long startNanos) {
            return (System.nanoTime() - startNanos) / 1e6;
        }

        private static String sep(String detail) {
            return detail.isEmpty() ? "" : " " + detail;
        }
    }
}
