package org.xenoservice.benchmarks.attack;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.overload.OverloadSnapshot;
import org.xenoservice.overload.Signal;
import org.xenoservice.overload.SignalReading;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicationStatus;
import org.xenoservice.samples.bookstore.BookstoreApp;
import org.xenoservice.samples.bookstore.Catalogue;
import org.xenoservice.samples.bookstore.Order;
import org.xenoservice.samples.bookstore.OrderBook;
import org.xenoservice.samples.bookstore.SiteGenerator;

/**
 * The testbed's origin: the sample bookstore ({@link BookstoreApp}) behind XenoService, with the
 * small capacity of a mom-and-pop shop ({@code --workers} workers, {@code --cost-ms} of work per
 * request, {@code --queue} waiting, 503 beyond). XenoService is configured from
 * {@code --xeno-config} (peers and DNS in the run with XenoService on; neither in the run with it
 * off). Until {@code --until} (epoch milliseconds) it writes the detector's state, the replication
 * phase and the addresses the replicator put in DNS to {@code --events} as they change
 * ({@code epochMillis,KIND,detail}), and once a second, as {@code LOAD}, what the detector measures
 * at the application. It touches {@code --ready} once every peer holds the site's bundle and, for a
 * site that requires HTTPS, serves a certificate for the site's names that the replicator ordered
 * for it (event {@code CERTIFICATES}, with the time since start). With {@code --https-port},
 * {@code --tls-chain} and {@code --tls-key} (PEM: the chain, leaf first, and its PKCS#8 key) the
 * shop serves HTTPS as well. Then it waits (at most {@code --drain-s}) for the orders peers captured
 * to stop arriving (or until the file {@code --stop} appears), and writes the id of every order the
 * shop recorded to {@code --orders-out}.
 */
public final class AttackOrigin {
    private static final long POLL_MILLIS = 50;

    private AttackOrigin() {}

    /** Runs the origin; see the class comment for the arguments. */
    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        Path siteDir = Path.of(args.get("site-dir"));
        Path state = Path.of(args.get("state"));
        long until = args.getLong("until");
        Catalogue catalogue = Catalogue.load();
        SiteGenerator.write(catalogue, siteDir);
        try (OrderBook orders = OrderBook.open(state.resolve("orders"));
                BufferedWriter events = Files.newBufferedWriter(Path.of(args.get("events")), StandardCharsets.UTF_8)) {
            XenoConfig.Builder config =
                    XenoConfig.builder().load(Path.of(args.get("xeno-config"))).staticDirectory(siteDir);
            long started = System.currentTimeMillis();
            try (XenoService xeno = XenoService.start(
                            BookstoreApp.configure(config, orders, catalogue).build());
                    BookstoreApp shop = startShop(args, xeno, siteDir, orders, catalogue)) {
                events.write("epochMillis,kind,detail\n");
                event(events, System.currentTimeMillis(), "STARTED", "port " + shop.port());
                watchReplication(args, xeno, events, started, until);
                awaitOrdersSettled(orders, args.getLong("drain-s", 20) * 1000);
                event(
                        events,
                        System.currentTimeMillis(),
                        "ORDERS",
                        orders.count() + " recorded, " + orders.duplicatesRefused() + " repeats refused");
                List<Order> all = orders.all();
                Files.write(
                        Path.of(args.get("orders-out")),
                        all.stream().map(Order::id).toList(),
                        StandardCharsets.UTF_8);
            }
        }
    }

    /** The bookstore with the small capacity the arguments give, served through {@code xeno}. */
    private static BookstoreApp startShop(
            Args args, XenoService xeno, Path siteDir, OrderBook orders, Catalogue catalogue) throws IOException {
        BookstoreApp.Options.Builder options = BookstoreApp.Options.builder()
                .xeno(xeno)
                .siteDirectory(siteDir)
                .orders(orders)
                .catalogue(catalogue)
                .bindAddress(args.get("bind"))
                .port((int) args.getLong("port"))
                .workerThreads((int) args.getLong("workers"))
                .queueCapacity((int) args.getLong("queue"))
                .costPerRequest(Duration.ofMillis(args.getLong("cost-ms")));
        if (!args.get("https-port", "").isEmpty()) {
            options.https(
                    (int) args.getLong("https-port"),
                    ServerTls.context(Path.of(args.get("tls-chain")), Path.of(args.get("tls-key"))));
        }
        return BookstoreApp.start(options.build());
    }

    /**
     * Until {@code until} or the {@code --stop} file, polls the replicator and writes each change of
     * the detector's state, the replication phase and the addresses in DNS as an event; touches
     * {@code --ready} once every peer holds the bundle and (unless the site is HTTP-only) a certificate.
     */
    private static void watchReplication(Args args, XenoService xeno, BufferedWriter events, long started, long until)
            throws IOException, InterruptedException {
        int peers = xeno.config().peers().size();
        boolean ready = false;
        boolean certified = false;
        long lastLoad = 0;
        String detector = "";
        String phase = "";
        String dns = "";
        Path stop = Path.of(args.get("stop"));
        while (System.currentTimeMillis() < until && !Files.exists(stop)) {
            ReplicationStatus status = xeno.replicator().status();
            long now = System.currentTimeMillis();
            if (!certified && holdCertificates(status)) {
                certified = true;
                event(
                        events,
                        now,
                        "CERTIFICATES",
                        peers + " peers hold certificates for " + status.certificateNames() + " "
                                + (now - started) + " ms after the start, " + status.certificatesIssued() + " issued, "
                                + status.certificateFailures() + " failures");
            }
            if (!ready
                    && certified
                    && (peers == 0 || status.peersIn(ReplicaState.STAGED).size() == peers)) {
                ready = true;
                Files.writeString(Path.of(args.get("ready")), "ready\n");
                event(events, now, "READY", peers + " peers staged");
            }
            if (!status.detectorState().name().equals(detector)) {
                detector = status.detectorState().name();
                event(events, now, detector, "detector");
            }
            if (!status.phase().name().equals(phase)) {
                phase = status.phase().name();
                event(events, now, "PHASE", phase);
            }
            String inDns = addressesInDns(status);
            if (!inDns.equals(dns)) {
                dns = inDns;
                event(events, now, "DNS", inDns.strip());
            }
            if (now - lastLoad >= 1000) {
                lastLoad = now;
                event(events, now, "LOAD", load(xeno.detector().snapshot()));
            }
            events.flush();
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * What the detector measured in its last bucket: requests arriving and completing per second at
     * the application (after TLS), requests in flight, the p99 latency, and the surge threshold.
     */
    private static String load(OverloadSnapshot snapshot) {
        return String.format(
                Locale.ROOT,
                "arrivals %.0f/s completions %.0f/s in-flight %.0f p99 %.0f ms cpu %.2f surge-threshold %.0f/s",
                reading(snapshot, Signal.ARRIVAL_RATE),
                reading(snapshot, Signal.COMPLETION_RATE),
                reading(snapshot, Signal.IN_FLIGHT),
                reading(snapshot, Signal.LATENCY_P99_MS),
                reading(snapshot, Signal.CPU),
                snapshot.surgeThresholdPerSecond());
    }

    private static double reading(OverloadSnapshot snapshot, Signal signal) {
        SignalReading reading = snapshot.readings().get(signal);
        return reading == null ? Double.NaN : reading.value();
    }

    /**
     * Whether every peer serves a certificate for the site's names, valid for another day (what the
     * replicator asks of a peer before it enters DNS); true for a site without peers or HTTP-only.
     */
    private static boolean holdCertificates(ReplicationStatus status) {
        Instant now = Instant.now();
        return !status.httpsRequired()
                || status.peers().stream()
                        .allMatch(peer -> peer.certificate()
                                .filter(held -> held.covers(status.certificateNames())
                                        && held.validFor(now, Duration.ofDays(1)))
                                .isPresent());
    }

    /** The addresses the replicator put in DNS, sorted, then {@code +origin} unless it is sheltered. */
    private static String addressesInDns(ReplicationStatus status) {
        return status.addressesInDns().stream()
                        .map(InetAddress::getHostAddress)
                        .sorted()
                        .collect(Collectors.joining(" "))
                + (status.originSheltered() ? "" : " +origin");
    }

    /**
     * Waits, at most {@code drainMillis}, until no order has arrived for five seconds, so that the
     * orders peers captured during the flood, forwarded after it, are all recorded.
     */
    private static void awaitOrdersSettled(OrderBook orders, long drainMillis) throws InterruptedException {
        long drainUntil = System.currentTimeMillis() + drainMillis;
        long count = orders.count();
        long stableSince = System.currentTimeMillis();
        while (System.currentTimeMillis() < drainUntil && System.currentTimeMillis() - stableSince < 5000) {
            Thread.sleep(200);
            if (orders.count() != count) {
                count = orders.count();
                stableSince = System.currentTimeMillis();
            }
        }
    }

    private static void event(BufferedWriter events, long at, String kind, String detail) throws IOException {
        events.write(at + "," + kind + "," + detail + "\n");
    }
}
