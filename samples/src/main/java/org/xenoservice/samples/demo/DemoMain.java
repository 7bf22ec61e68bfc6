package org.xenoservice.samples.demo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the XenoService demo on this machine's loopback: a small shop behind XenoService, three
 * peers, DNS (a local BIND when {@code named} is installed, otherwise updates are only printed),
 * an ACME CA (pebble, when installed: the site is then served over HTTPS, each peer with a
 * certificate for its own key, unless {@code --http}), simulated customers, a flood, and a live
 * dashboard on {@code http://localhost:8080/_xeno/}.
 *
 * <pre>
 * samples/run-demo.sh                 # interactive: watch the dashboard, press its buttons; Ctrl-C ends
 * samples/run-demo.sh --scripted      # calm 15 s, flood 40 s, calm 30 s; report.json and timeline.png
 * </pre>
 *
 * <p>The scripted run exits 0 only when every order a customer was told was received is in the
 * shop's order book exactly once, and no customer's TLS handshake failed. Public because it is the demo's entry point; everything else in
 * the package is package-private.
 */
public final class DemoMain {
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);

    private DemoMain() {}

    /** Runs the demo with the flags {@link DemoOptions#USAGE} lists; exits with its result. */
    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        System.setProperty("org.jboss.logging.provider", "slf4j"); // Undertow's logs through SLF4J, not JUL
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options, System.out));
    }

    /** Runs the demo; returns the exit code (0: success; 1: an order was lost or duplicated). */
    static int run(DemoOptions options, PrintStream out) throws Exception {
        try (Demo demo = new Demo(options, out)) {
            demo.start();
            try (DashboardServer dashboard = new DashboardServer(demo, options.dashboardPort)) {
                demo.say("dashboard: " + dashboard.url());
                demo.awaitReady();
                if (options.scripted) {
                    return scripted(demo, options, out);
                }
                demo.startCustomers();
                demo.say(
                        "press the dashboard's buttons to start a flood or force \"under attack\"; Ctrl-C ends the demo");
                CountDownLatch forever = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "demo-shutdown"));
                forever.await();
                return 0;
            }
        }
    }

    private static int scripted(Demo demo, DemoOptions options, PrintStream out) throws Exception {
        demo.say("scripted: calm " + options.calm.toSeconds() + " s, flood " + options.flood.toSeconds() + " s, calm "
                + options.after.toSeconds() + " s");
        demo.startCustomers();
        Demo.hold(options.calm);
        Demo.await(
                "the detector has warmed up",
                SETTLE_TIMEOUT,
                () -> demo.xeno().detector().snapshot().warmedUp());
        demo.startFlood();
        Demo.hold(options.flood);
        demo.stopFlood();
        Demo.hold(options.after);
        if (demo.timeline.dnsUpdatedAt().isPresent()
                && demo.timeline.withdrawnAt().isEmpty()) {
            demo.say("waiting for the peers to leave DNS");
            awaitQuietly(() -> demo.timeline.withdrawnAt().isPresent());
        }
        coverTheCaches(demo);
        demo.stopCustomers();
        demo.say("customers stopped; waiting for captured orders to reach the origin");
        awaitQuietly(() -> demo.capturesPending() == 0
                && demo.shop().ordersRecorded() >= demo.customers().ordersPlaced.get());
        DemoReport.Figures figures = DemoReport.figures(demo);
        Path report = DemoReport.writeJson(figures, demo, options.out);
        Path chart = DemoReport.writeChart(demo.timeline, options.out);
        out.println();
        out.println("== XenoService demo: result (" + figures.dnsMode() + " DNS, " + figures.scheme() + ")");
        out.printf(
                "  flood: %d requests/s at the origin, whose capacity is about %d requests/s%n",
                figures.floodRatePerSecond(), figures.originCapacityPerSecond());
        out.printf(
                "  detected after %d ms; peers in DNS after %d ms; %d peers activated%n",
                figures.detectedAfterMs(), figures.dnsUpdatedAfterMs(), figures.peersActivated());
        out.printf(
                "  customers: %d of %d requests succeeded (%.1f %%), p50 %d ms, p95 %d ms (p95 during the flood %d ms),"
                        + " %d served by peers%n",
                figures.legitSucceeded(),
                figures.legitRequests(),
                figures.legitSuccessPercent(),
                figures.legitP50Ms(),
                figures.legitP95Ms(),
                figures.legitP95DuringFloodMs(),
                figures.legitServedByPeers());
        out.printf(
                "  orders: %d placed (%d captured by peers), %d recorded, %d lost, %d duplicated, %d unacknowledged%n",
                figures.ordersPlaced(),
                figures.ordersCapturedByPeers(),
                figures.ordersRecorded(),
                figures.ordersLost(),
                figures.ordersDuplicated(),
                figures.ordersUnacknowledged());
        out.printf(
                "  peers withdrawn %d ms after the flood stopped; %d customer errors in the %d s after the withdrawal"
                        + " (%d requests forwarded to the origin by retired peers)%n",
                figures.withdrawnAfterMs(),
                figures.clientErrorsDuringWithdrawal(),
                figures.withdrawalWindowMs() / 1000,
                figures.forwardedByRetiredPeers());
        if ("https".equals(figures.scheme())) {
            out.printf(
                    "  HTTPS: %d certificates issued to peers for their own keys; customers trusted only %s;"
                            + " %d TLS failures%n",
                    figures.certificatesIssued(), demo.caCertificate().orElseThrow(), figures.tlsFailures());
        }
        out.println("  report: " + report.toAbsolutePath());
        out.println("  chart:  " + chart.toAbsolutePath());
        if (!figures.ordersIntact()) {
            out.println("FAILED: an order was lost, duplicated or never acknowledged");
            return 1;
        }
        if (figures.tlsFailures() > 0) {
            out.println("FAILED: " + figures.tlsFailures() + " customers' TLS handshakes failed");
            return 1;
        }
        out.println("OK: every order placed was recorded exactly once"
                + ("https".equals(figures.scheme()) ? ", and every TLS handshake verified" : ""));
        return 0;
    }

    private static void awaitQuietly(java.util.function.BooleanSupplier condition) {
        try {
            Demo.await("settled", SETTLE_TIMEOUT, condition);
        } catch (IllegalStateException e) {
            // the report says what did not happen
        }
    }

    /**
     * Keeps the customers going until the longest DNS cache any of them has ({@link
     * CustomerKind#BROWSER_CACHE_TIME}) has run out since the withdrawal, plus 2 s: the window in which
     * stale answers still send customers to peers that left DNS, and that {@code
     * clientErrorsDuringWithdrawal} covers.
     */
    private static void coverTheCaches(Demo demo) throws InterruptedException {
        if (demo.timeline.withdrawnAt().isEmpty()) {
            return;
        }
        long until = demo.timeline.withdrawnAt().getAsLong()
                + CustomerKind.BROWSER_CACHE_TIME.plusSeconds(2).toMillis();
        long left = until - demo.nowMillis();
        if (left > 0) {
            demo.say("keeping the customers on for " + (left + 999) / 1000
                    + " s more, until every cached answer from before the withdrawal has run out");
            Thread.sleep(left);
        }
    }
}
