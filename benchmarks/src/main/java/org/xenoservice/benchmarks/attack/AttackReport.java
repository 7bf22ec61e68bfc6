package org.xenoservice.benchmarks.attack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Turns the testbed's logs into {@code report.json}, {@code timeline.png} and a one-screen table.
 * Reads, for each run directory given ({@code off}, {@code on}): {@code run.json} (the phases'
 * times), {@code customers.csv} and {@code attacker.csv} ({@link RequestLog}), {@code events.csv}
 * (the origin's detector and replication, from {@link AttackOrigin}) and {@code orders.txt} (the
 * order ids the origin recorded, one line per recording).
 *
 * <p>Windows: <em>before</em> is the calm before the flood; <em>during</em> starts
 * {@value #SETTLE_MILLIS} ms after the flood's onset and ends with the flood; <em>after</em> is
 * the calm after it. A page load is good when it answered 2xx within {@value #GOOD_MILLIS} ms;
 * latencies count failed loads at the time they took to fail.
 */
public final class AttackReport {
    static final long SETTLE_MILLIS = 10_000;
    static final long GOOD_MILLIS = 1_000;
    private static final Pattern CERTIFICATES_READY = Pattern.compile("(\\d+) ms after the start");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AttackReport() {}

    /** {@code AttackReport OUT_DIR RUN...}: writes OUT_DIR/report.json and OUT_DIR/timeline.png, prints the table. */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        ObjectNode report = JSON.createObjectNode();
        ArrayNode runs = report.putArray("runs");
        List<Run> loaded = new ArrayList<>();
        for (String name : Arrays.copyOfRange(args, 1, args.length)) {
            Run run = Run.load(out.resolve(name));
            loaded.add(run);
            runs.add(run.summary());
        }
        JSON.writeValue(out.resolve("report.json").toFile(), report);
        chart(loaded, out.resolve("timeline.png"));
        System.out.print(table(runs));
    }

    /** One request line of a client's log ({@link RequestLog}). */
    record Line(long at, String kind, String client, String address, int status, double millis, String detail) {
        /** 2xx; for an order also 303 (the origin's "See Other" to the thank-you page). */
        boolean ok() {
            return (status >= 200 && status < 300) || (kind.equals("order") && status == 303);
        }

        boolean good() {
            return ok() && millis < GOOD_MILLIS;
        }

        /** A failed TLS handshake or a refused certificate ({@link ClientTls#FAILURE_PREFIX}). */
        boolean tlsFailure() {
            return status == 0 && detail.startsWith(ClientTls.FAILURE_PREFIX);
        }

        static List<Line> read(Path file) throws IOException {
            List<Line> lines = new ArrayList<>();
            if (!Files.exists(file)) {
                return lines;
            }
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                in.readLine();
                for (String text = in.readLine(); text != null; text = in.readLine()) {
                    String[] f = text.split(",", 7);
                    if (f.length == 7) {
                        lines.add(new Line(
                                Long.parseLong(f[0]),
                                f[1],
                                f[2],
                                f[3],
                                Integer.parseInt(f[4]),
                                Double.parseDouble(f[5]),
                                f[6]));
                    }
                }
            }
            return lines;
        }
    }

    /** One run's logs. */
    record Run(
            String name,
            JsonNode meta,
            List<Line> customers,
            List<Line> attacker,
            List<String[]> events,
            List<String> recorded,
            Optional<CpuSamples> cpu,
            long t0,
            long floodFrom,
            long floodUntil,
            long end) {
        static Run load(Path dir) throws IOException {
            JsonNode meta = JSON.readTree(dir.resolve("run.json").toFile());
            List<String[]> events = new ArrayList<>();
            if (Files.exists(dir.resolve("events.csv"))) {
                for (String line : Files.readAllLines(dir.resolve("events.csv"), StandardCharsets.UTF_8)) {
                    String[] f = line.split(",", 3);
                    if (f.length == 3 && !f[0].equals("epochMillis")) {
                        events.add(f);
                    }
                }
            }
            List<String> recorded = Files.exists(dir.resolve("orders.txt"))
                    ? Files.readAllLines(dir.resolve("orders.txt"), StandardCharsets.UTF_8).stream()
                            .filter(s -> !s.isBlank())
                            .toList()
                    : List.of();
            return new Run(
                    meta.get("run").asText(),
                    meta,
                    Line.read(dir.resolve("customers.csv")),
                    Line.read(dir.resolve("attacker.csv")),
                    events,
                    recorded,
                    CpuSamples.read(dir.resolve("cpu.csv")),
                    meta.get("t0").asLong(),
                    meta.get("floodFrom").asLong(),
                    meta.get("floodUntil").asLong(),
                    meta.get("end").asLong());
        }

        /** The origin's address, where customers and attacker found the site before the peers. */
        String originAddress() {
            return meta.path("originAddress").asText("10.77.0.10");
        }

        List<Line> pages(long from, long until) {
            return customers.stream()
                    .filter(l -> l.kind().equals("page") && l.at() >= from && l.at() < until)
                    .toList();
        }

        ObjectNode summary() {
            ObjectNode node = JSON.createObjectNode();
            node.put("run", name);
            node.set("settings", meta);
            ObjectNode legit = node.putObject("legitimatePageLoads");
            legit.set("before", window(pages(t0, floodFrom)));
            legit.set("during", window(pages(floodFrom + SETTLE_MILLIS, floodUntil)));
            legit.set("after", window(pages(floodUntil, end)));
            legit.set("wholeFlood", window(pages(floodFrom, floodUntil)));
            node.set("legitimateRequests", CustomerFigures.byRequestType(this));
            node.set("byCustomerKind", CustomerFigures.byCustomerKind(this, firstEvent("DNS")));
            ObjectNode tls = node.putObject("tlsFailures");
            tls.put("customers", customers.stream().filter(Line::tlsFailure).count());
            tls.put("attacker", attacker.stream().filter(Line::tlsFailure).count());
            node.set("orders", orders());
            ObjectNode cores = node.putObject("cpuCores");
            cpu.flatMap(c -> c.cores(t0, floodFrom)).ifPresent(c -> cores.set("before", c));
            cpu.flatMap(c -> c.cores(floodFrom + SETTLE_MILLIS, floodUntil)).ifPresent(c -> cores.set("during", c));
            ObjectNode times = node.putObject("defence");
            firstEvent("SURGING").ifPresent(at -> times.put("surgeDetectedAfterMillis", at - floodFrom));
            firstEvent("OVERLOADED").ifPresent(at -> times.put("overloadedAfterMillis", at - floodFrom));
            firstEvent("DNS").ifPresent(at -> times.put("peersInDnsAfterMillis", at - floodFrom));
            firstPeerInDns().ifPresent(at -> times.put("customersSawPeersAfterMillis", at - floodFrom));
            firstOriginOnlyAfter().ifPresent(at -> times.put("peersWithdrawnAfterFloodEndMillis", at - floodUntil));
            certificatesReady().ifPresent(ms -> times.put("certificatesReadyAfterStartMillis", ms));
            Set<String> origin = Set.of(originAddress());
            Set<String> peers = new TreeSet<>();
            for (Line line : customers) {
                if (line.ok() && !origin.contains(line.address())) {
                    peers.add(line.address());
                }
            }
            for (Line line : attacker) {
                if (line.ok() && !origin.contains(line.address())) {
                    peers.add(line.address());
                }
            }
            ArrayNode used = node.putArray("peersUsed");
            peers.forEach(used::add);
            ObjectNode flood = node.putObject("attacker");
            List<Line> requests =
                    attacker.stream().filter(l -> l.kind().equals("flood")).toList();
            flood.put("requests", requests.size());
            flood.put("successRate", rate(requests.stream().filter(Line::ok).count(), requests.size()));
            List<Line> late = requests.stream()
                    .filter(l -> l.at() >= floodFrom + SETTLE_MILLIS)
                    .toList();
            flood.put("successRateFrom10s", rate(late.stream().filter(Line::ok).count(), late.size()));
            flood.put("goodRateFrom10s", rate(late.stream().filter(Line::good).count(), late.size()));
            flood.put("p50MillisFrom10s", percentile(late, 50));
            flood.put("achievedRatePerSecond", requests.size() / Math.max(1.0, (floodUntil - floodFrom) / 1000.0));
            Map<String, Long> byStatus = new TreeMap<>();
            requests.forEach(l -> byStatus.merge(
                    l.ok()
                            ? "2xx"
                            : l.status() == 0 ? "none: " + l.detail().split(" ", -1)[0] : Integer.toString(l.status()),
                    1L,
                    Long::sum));
            ObjectNode statuses = flood.putObject("answers");
            byStatus.forEach(statuses::put);
            return node;
        }

        private java.util.OptionalLong firstEvent(String kind) {
            return events.stream()
                    .filter(e -> Long.parseLong(e[0]) >= floodFrom
                            && e[1].equals(kind)
                            && (!kind.equals("DNS") || !e[2].startsWith("+")))
                    .mapToLong(e -> Long.parseLong(e[0]))
                    .findFirst();
        }

        /** How long after the origin's start every peer held a certificate (event CERTIFICATES), for a run with peers. */
        private java.util.OptionalLong certificatesReady() {
            return events.stream()
                    .filter(e -> e[1].equals("CERTIFICATES") && !e[2].startsWith("0 peers"))
                    .map(e -> CERTIFICATES_READY.matcher(e[2]))
                    .filter(Matcher::find)
                    .mapToLong(m -> Long.parseLong(m.group(1)))
                    .findFirst();
        }

        private java.util.OptionalLong firstPeerInDns() {
            return customers.stream()
                    .filter(l -> l.kind().equals("dns")
                            && l.at() >= floodFrom
                            && !l.address().equals(originAddress()))
                    .mapToLong(Line::at)
                    .findFirst();
        }

        private java.util.OptionalLong firstOriginOnlyAfter() {
            return customers.stream()
                    .filter(l -> l.kind().equals("dns")
                            && l.at() >= floodUntil
                            && l.address().equals(originAddress()))
                    .mapToLong(Line::at)
                    .findFirst();
        }

        private ObjectNode orders() {
            Map<String, Boolean> placed = new HashMap<>();
            long attempts = 0;
            for (Line line : customers) {
                if (line.kind().equals("order")) {
                    attempts++;
                    String lastWord = line.detail().substring(line.detail().lastIndexOf(' ') + 1);
                    placed.merge(lastWord, line.ok(), Boolean::logicalOr);
                }
            }
            Map<String, Integer> counts = new HashMap<>();
            recorded.forEach(id -> counts.merge(id.strip(), 1, Integer::sum));
            long accepted = placed.values().stream().filter(b -> b).count();
            long lost = placed.entrySet().stream()
                    .filter(e -> e.getValue() && !counts.containsKey(e.getKey()))
                    .count();
            Set<String> unknown = new HashSet<>(counts.keySet());
            unknown.removeAll(placed.keySet());
            ObjectNode node = JSON.createObjectNode();
            node.put("placed", placed.size());
            node.put("attempts", attempts);
            node.put("acceptedBySite", accepted);
            node.put("refusedOrFailedForCustomer", placed.size() - accepted);
            node.put("recordedByOrigin", counts.size());
            node.put(
                    "recordedButCustomerSawFailure",
                    placed.entrySet().stream()
                            .filter(e -> !e.getValue() && counts.containsKey(e.getKey()))
                            .count());
            node.put("lost", lost);
            node.put("duplicated", counts.values().stream().filter(c -> c > 1).count());
            node.put("recordedNotPlaced", unknown.size());
            return node;
        }
    }

    static ObjectNode window(List<Line> lines) {
        ObjectNode node = JSON.createObjectNode();
        node.put("count", lines.size());
        node.put("successRate", rate(lines.stream().filter(Line::ok).count(), lines.size()));
        node.put("goodRate", rate(lines.stream().filter(Line::good).count(), lines.size()));
        node.put("p50Millis", percentile(lines, 50));
        node.put("p95Millis", percentile(lines, 95));
        node.put("p99Millis", percentile(lines, 99));
        return node;
    }

    static double rate(long part, long whole) {
        return whole == 0 ? Double.NaN : Math.round(part * 100_000.0 / whole) / 1000.0;
    }

    static double percentile(List<Line> lines, int p) {
        if (lines.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = lines.stream().mapToDouble(Line::millis).sorted().toArray();
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return Math.round(sorted[Math.max(0, Math.min(index, sorted.length - 1))] * 10) / 10.0;
    }

    static String table(ArrayNode runs) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%n%-40s", "XenoService"));
        runs.forEach(
                r -> text.append(String.format(Locale.ROOT, "%20s", r.get("run").asText())));
        text.append('\n');
        row(
                text,
                runs,
                "flood rate (req/s, offered / sent)",
                r -> String.format(
                        Locale.ROOT,
                        "%.0f / %.0f",
                        r.at("/settings/floodRate").asDouble(),
                        r.at("/attacker/achievedRatePerSecond").asDouble()));
        for (String w : List.of("before", "during", "after")) {
            String label = w.equals("during") ? "during (from 10 s)" : w;
            row(
                    text,
                    runs,
                    "pages " + label + ": ok % / <1s %",
                    r -> String.format(
                            Locale.ROOT,
                            "%.1f / %.1f",
                            r.at("/legitimatePageLoads/" + w + "/successRate").asDouble(),
                            r.at("/legitimatePageLoads/" + w + "/goodRate").asDouble()));
            row(
                    text,
                    runs,
                    "pages " + label + ": p50 / p95 ms",
                    r -> String.format(
                            Locale.ROOT,
                            "%.0f / %.0f",
                            r.at("/legitimatePageLoads/" + w + "/p50Millis").asDouble(),
                            r.at("/legitimatePageLoads/" + w + "/p95Millis").asDouble()));
        }
        customerRows(text, runs);
        row(
                text,
                runs,
                "orders placed / accepted / recorded",
                r -> r.at("/orders/placed").asLong() + " / "
                        + r.at("/orders/acceptedBySite").asLong() + " / "
                        + r.at("/orders/recordedByOrigin").asLong());
        row(
                text,
                runs,
                "orders lost / duplicated",
                r -> r.at("/orders/lost").asLong() + " / "
                        + r.at("/orders/duplicated").asLong());
        row(
                text,
                runs,
                "surge seen / peers in DNS (ms)",
                r -> text(r.at("/defence/surgeDetectedAfterMillis")) + " / "
                        + text(r.at("/defence/peersInDnsAfterMillis")));
        row(
                text,
                runs,
                "overloaded / customers saw peers (ms)",
                r -> text(r.at("/defence/overloadedAfterMillis")) + " / "
                        + text(r.at("/defence/customersSawPeersAfterMillis")));
        row(text, runs, "peers used", r -> Integer.toString(r.get("peersUsed").size()));
        httpsRows(text, runs);
        row(
                text,
                runs,
                "attacker ok % (all / from 10 s)",
                r -> String.format(
                        Locale.ROOT,
                        "%.1f / %.1f",
                        r.at("/attacker/successRate").asDouble(),
                        r.at("/attacker/successRateFrom10s").asDouble()));
        return text.toString();
    }

    /** The rows on searches, orders and each kind of customer, from 10 s after the onset and after the flood. */
    private static void customerRows(StringBuilder text, ArrayNode runs) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        labels.put("search", "searches");
        labels.put("order", "orders");
        labels.put("all", "all requests");
        for (Map.Entry<String, String> label : labels.entrySet()) {
            String type = label.getKey();
            row(
                    text,
                    runs,
                    label.getValue() + " during / after: <1s %",
                    r -> String.format(
                            Locale.ROOT,
                            "%.1f / %.1f",
                            r.at("/legitimateRequests/during/" + type + "/goodRate")
                                    .asDouble(),
                            r.at("/legitimateRequests/after/" + type + "/goodRate")
                                    .asDouble()));
        }
        java.util.Set<String> kinds = new java.util.LinkedHashSet<>();
        runs.forEach(r -> r.path("byCustomerKind").fieldNames().forEachRemaining(kinds::add));
        for (String kind : kinds) {
            String at = "/byCustomerKind/" + kind;
            row(
                    text,
                    runs,
                    "  " + kind + " during / after: <1s %",
                    r -> String.format(
                            Locale.ROOT,
                            "%.1f / %.1f",
                            r.at(at + "/during/all/goodRate").asDouble(),
                            r.at(at + "/after/all/goodRate").asDouble()));
            row(
                    text,
                    runs,
                    "  " + kind + " on peers after onset / DNS (ms)",
                    r -> text(r.at(at + "/reachedPeersAfterMillis")) + " / "
                            + text(r.at(at + "/reachedPeersAfterPeersInDnsMillis")));
        }
    }

    /** The rows on certificates, TLS failures and where the CPU went. */
    private static void httpsRows(StringBuilder text, ArrayNode runs) {
        row(
                text,
                runs,
                "peers' certificates ready (ms after start)",
                r -> text(r.at("/defence/certificatesReadyAfterStartMillis")));
        row(
                text,
                runs,
                "TLS failures: customers / attacker",
                r -> r.at("/tlsFailures/customers").asLong() + " / "
                        + r.at("/tlsFailures/attacker").asLong());
        row(
                text,
                runs,
                "CPU cores from 10 s: peers / attacker",
                r -> text(r.at("/cpuCores/during/peers")) + " / " + text(r.at("/cpuCores/during/attacker")));
        row(
                text,
                runs,
                "... origin / machine / outside testbed",
                r -> text(r.at("/cpuCores/during/origin")) + " / " + text(r.at("/cpuCores/during/machine")) + " / "
                        + text(r.at("/cpuCores/during/outsideTestbed")));
    }

    private static String text(JsonNode node) {
        return node.isMissingNode() ? "-" : node.asText();
    }

    private static void row(
            StringBuilder text, ArrayNode runs, String label, java.util.function.Function<JsonNode, String> value) {
        text.append(String.format(Locale.ROOT, "%-40s", label));
        runs.forEach(r -> text.append(String.format(Locale.ROOT, "%20s", value.apply(r))));
        text.append('\n');
    }

    /** One chart per run, stacked: flood answers per second, page loads per second, page-load latency. */
    static void chart(List<Run> runs, Path file) throws IOException {
        int width = 1200;
        int height = 560;
        BufferedImage image = new BufferedImage(width, height * runs.size(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < runs.size(); i++) {
            runChart(runs.get(i)).draw(g, new java.awt.geom.Rectangle2D.Double(0, i * height, width, height));
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static JFreeChart runChart(Run run) {
        ChartSeries series = ChartSeries.perSecond(run);
        NumberAxis time = new NumberAxis("seconds since start (flood from " + (run.floodFrom() - run.t0()) / 1000
                + " s to " + (run.floodUntil() - run.t0()) / 1000 + " s)");
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
        plot.add(
                subplot(
                        new NumberAxis("flood req/s"),
                        Color.GRAY.darker(),
                        new Color(200, 40, 40),
                        series.floodOk(),
                        series.floodFailed()),
                2);
        plot.add(
                subplot(
                        new NumberAxis("page loads/s"),
                        new Color(30, 140, 60),
                        new Color(200, 40, 40),
                        series.pagesGood(),
                        series.pagesBad()),
                2);
        LogarithmicAxis latency = new LogarithmicAxis("page load ms");
        latency.setStrictValuesFlag(false);
        plot.add(
                subplot(
                        latency,
                        new Color(40, 80, 200),
                        new Color(230, 140, 0),
                        series.latencyP50(),
                        series.latencyMax()),
                2);
        for (Object sub : plot.getSubplots()) {
            markFloodAndOverload((XYPlot) sub, run);
        }
        JFreeChart chart = new JFreeChart(
                "XenoService " + run.name() + ": flood of "
                        + run.meta().path("floodRate").asText() + " req/s against an origin of "
                        + run.meta().path("originCapacityPerSecond").asText() + " req/s",
                JFreeChart.DEFAULT_TITLE_FONT,
                plot,
                true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Black lines where the flood starts and ends, a magenta one where the origin first said OVERLOADED. */
    private static void markFloodAndOverload(XYPlot xy, Run run) {
        for (long at : new long[] {run.floodFrom(), run.floodUntil()}) {
            ValueMarker marker = new ValueMarker((at - run.t0()) / 1000.0, Color.BLACK, new BasicStroke(1.5f));
            xy.addDomainMarker(marker);
        }
        run.events().stream()
                .filter(e -> e[1].equals("OVERLOADED"))
                .findFirst()
                .ifPresent(e -> xy.addDomainMarker(new ValueMarker(
                        (Long.parseLong(e[0]) - run.t0()) / 1000.0, new Color(200, 0, 200), new BasicStroke(1f))));
    }

    /**
     * A run's chart data, one point per second since its start: flood answers (2xx or not), page
     * loads (good or not) and the page-load latency (median and maximum, seconds with loads only).
     * It exists to keep the counting apart from the drawing.
     */
    private record ChartSeries(
            XYSeries floodOk,
            XYSeries floodFailed,
            XYSeries pagesGood,
            XYSeries pagesBad,
            XYSeries latencyP50,
            XYSeries latencyMax) {
        static ChartSeries perSecond(Run run) {
            int seconds = (int) ((run.end() - run.t0()) / 1000) + 1;
            ChartSeries series = new ChartSeries(
                    new XYSeries("flood answered 2xx /s"),
                    new XYSeries("flood failed /s"),
                    new XYSeries("page loads good (2xx, < 1 s) /s"),
                    new XYSeries("page loads failed or slow /s"),
                    new XYSeries("page load p50 ms"),
                    new XYSeries("page load max ms"));
            long[] fOk = new long[seconds];
            long[] fBad = new long[seconds];
            for (Line line : run.attacker()) {
                int s = (int) ((line.at() - run.t0()) / 1000);
                if (s >= 0 && s < seconds) {
                    if (line.ok()) {
                        fOk[s]++;
                    } else {
                        fBad[s]++;
                    }
                }
            }
            long[] good = new long[seconds];
            long[] bad = new long[seconds];
            List<List<Double>> latencies = new ArrayList<>();
            for (int s = 0; s < seconds; s++) {
                latencies.add(new ArrayList<>());
            }
            for (Line line : run.customers()) {
                int s = (int) ((line.at() - run.t0()) / 1000);
                if (line.kind().equals("page") && s >= 0 && s < seconds) {
                    if (line.good()) {
                        good[s]++;
                    } else {
                        bad[s]++;
                    }
                    latencies.get(s).add(Math.max(1, line.millis()));
                }
            }
            for (int s = 0; s < seconds; s++) {
                series.floodOk().add(s, (double) fOk[s]);
                series.floodFailed().add(s, (double) fBad[s]);
                series.pagesGood().add(s, (double) good[s]);
                series.pagesBad().add(s, (double) bad[s]);
                List<Double> l = latencies.get(s);
                if (!l.isEmpty()) {
                    l.sort(Double::compare);
                    series.latencyP50().add(s, l.get(l.size() / 2));
                    series.latencyMax().add(s, l.get(l.size() - 1));
                }
            }
            return series;
        }
    }

    private static XYPlot subplot(
            org.jfree.chart.axis.ValueAxis axis, Color first, Color second, XYSeries a, XYSeries b) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(a);
        data.addSeries(b);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, first);
        renderer.setSeriesPaint(1, second);
        renderer.setSeriesStroke(0, new BasicStroke(1.6f));
        renderer.setSeriesStroke(1, new BasicStroke(1.6f));
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
