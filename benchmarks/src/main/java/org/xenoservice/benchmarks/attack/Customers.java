package org.xenoservice.benchmarks.attack;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

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
 * <p>The order body is {@code --order-body} with {@code {book}}, {@code {customer}} and
 * {@code {id}} filled in, e.g. {@code book={book}&email=c{customer}@example.org&order-id={id}}.
 */
public final class Customers {
    private Customers() {}

    /** Runs the customers; see the class comment for the arguments. */
    public static void main(String[] argv) throws Exception {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        Args args = new Args(argv);
        int count = (int) args.getLong("customers", 8);
        long from = args.getLong("from");
        long until = args.getLong("until");
        try (RequestLog log = new RequestLog(Path.of(args.get("log")))) {
            Shopper.Settings settings = new Shopper.Settings(
                    args.get("site"),
                    (int) args.getLong("port", 80),
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
            for (int i = 0; i < count; i++) {
                TtlResolver resolver = new TtlResolver(args.dnsServer(), settings.site(), i == 0 ? log::dns : a -> {});
                Shopper shopper = new Shopper(i, settings, resolver, new Random(args.getLong("seed", 2000) + i));
                threads.add(new Thread(shopper, "customer-" + i));
            }
            Args.sleepUntil(from);
            threads.forEach(Thread::start);
            for (Thread thread : threads) {
                thread.join(Math.max(1, until - System.currentTimeMillis()) + 30_000);
            }
        }
    }

    /** One customer's browser. */
    static final class Shopper implements Runnable {
        record Settings(
                String site,
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
        private final HttpClient http;

        Shopper(int number, Settings settings, TtlResolver resolver, Random random) {
            this.number = number;
            this.settings = settings;
            this.resolver = resolver;
            this.random = random;
            this.http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(3))
                    .build();
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
                    send("page", HttpRequest.newBuilder().GET(), path, "");
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
                        HttpRequest.newBuilder()
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .header("Idempotency-Key", id),
                        settings.orderPath(),
                        id);
                if (status >= 200 && status < 400) { // the origin answers 303 See Other, a replica 202
                    return;
                }
                Thread.sleep(1000);
            }
        }

        /** Sends one request (and once more to another address when the first cannot connect); logs it. */
        private int send(String kind, HttpRequest.Builder request, String path, String detail) {
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
                address = addresses.get((first + attempt) % addresses.size()).getHostAddress();
                HttpRequest built = request.copy()
                        .uri(URI.create("http://" + address + ":" + settings.port() + path))
                        .header("Host", settings.site())
                        .header("Accept-Encoding", "gzip")
                        .header("User-Agent", "customer/" + number)
                        .timeout(settings.timeout())
                        .build();
                try {
                    HttpResponse<byte[]> response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
                    settings.log()
                            .add(
                                    startMillis,
                                    kind,
                                    address,
                                    response.statusCode(),
                                    (System.nanoTime() - start) / 1e6,
                                    detail);
                    return response.statusCode();
                } catch (ConnectException | HttpConnectTimeoutException e) {
                    failure = e.getClass().getSimpleName() + " " + address; // a browser tries the next address
                } catch (IOException e) {
                    failure = e.getClass().getSimpleName();
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
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
