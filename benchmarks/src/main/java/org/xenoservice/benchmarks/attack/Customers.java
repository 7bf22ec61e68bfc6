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
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * The shop's customers: {@code --customers} browsers, each in a loop of "open a page, think for
 * 0.5–1.5 s", and every {@code --order-every}th page an order, from {@code --from} to
 * {@code --until} (epoch milliseconds). Each resolves the site through the testbed's BIND (its
 * own cache, honouring the TTL) and picks one of the addresses at random for each page, as a
 * browser does; when it cannot connect to that address it tries another one once, as browsers
 * do. An order that fails is sent again, with the same order id, up to {@code --order-attempts}
 * times. One line per request in {@code --log}: kind {@code page} or {@code order} (detail: the
 * order id).
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
        try (RequestLog log = new RequestLog(Path.of(args.get("log")))) {
            Shopper.Settings settings = new Shopper.Settings(
                    args.get("site"),
                    tls != null,
                    (int) args.getLong("port", tls != null ? 443 : 80),
                    args.getList("pages"),
                    args.getList("books"),
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
                TtlResolver resolver = new TtlResolver(args.dnsServer(), settings.site(), i == 0 ? log::dns : a -> {});
                CloseableHttpClient browser =
                        ClientTls.httpClient(tls, 2, Duration.ofSeconds(3), settings.timeout(), true);
                browsers.add(browser);
                Shopper shopper =
                        new Shopper(i, settings, resolver, browser, new Random(args.getLong("seed", 2000) + i));
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

    /** One customer's browser. */
    static final class Shopper implements Runnable {
        record Settings(
                String site,
                boolean https,
                int port,
                List<String> pages,
                List<String> books,
                String orderBody,
                String orderPath,
                int orderEvery,
                int orderAttempts,
                Duration timeout,
                long until,
                RequestLog log) {}

        private final int number;
        private final Settings settings;
        private final TtlResolver resolver;
        private final Random random;
        private final CloseableHttpClient http;

        Shopper(int number, Settings settings, TtlResolver resolver, CloseableHttpClient http, Random random) {
            this.number = number;
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
                    if (++pages % settings.orderEvery() == 0 && System.currentTimeMillis() < settings.until()) {
                        order();
                    }
                    Thread.sleep(500 + random.nextInt(1000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
         * Sends one request (and once more to another address when the first cannot connect); logs it.
         * A TLS failure is not tried elsewhere: a browser shows its certificate error.
         */
        private int send(String kind, Supplier<HttpUriRequestBase> request, String detail) {
            List<InetAddress> addresses = resolver.addresses();
            long startMillis = System.currentTimeMillis();
            long start = System.nanoTime();
            if (addresses.isEmpty()) {
                settings.log().add(startMillis, kind, "-", 0, 0, "no address" + sep(detail));
                return 0;
            }
            int first = random.nextInt(addresses.size());
            String address = "-";
            String failure = "";
            for (int attempt = 0; attempt < Math.min(2, addresses.size()); attempt++) {
                InetAddress to = addresses.get((first + attempt) % addresses.size());
                address = to.getHostAddress();
                // The site's name is the host (SNI, Host, the name the certificate must hold); the address is where
                // the connection goes: what a browser does after resolving the name itself.
                HttpHost target =
                        new HttpHost(settings.https() ? "https" : "http", to, settings.site(), settings.port());
                HttpUriRequestBase built = request.get(); // a request object is sent once
                built.setHeader("Accept-Encoding", "gzip");
                built.setHeader("User-Agent", "customer/" + number);
                try {
                    int status = http.execute(target, built, response -> {
                        EntityUtils.consume(response.getEntity());
                        return response.getCode();
                    });
                    settings.log().add(startMillis, kind, address, status, (System.nanoTime() - start) / 1e6, detail);
                    return status;
                } catch (ConnectException | ConnectTimeoutException e) {
                    failure = e.getClass().getSimpleName() + " " + address; // a browser tries the next address
                } catch (IOException e) {
                    failure = ClientTls.describe(e);
                    break;
                }
            }
            settings.log().add(startMillis, kind, address, 0, (System.nanoTime() - start) / 1e6, failure + sep(detail));
            return 0;
        }

        private static String sep(String detail) {
            return detail.isEmpty() ? "" : " " + detail;
        }
    }
}
