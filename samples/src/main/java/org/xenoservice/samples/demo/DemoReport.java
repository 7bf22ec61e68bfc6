package org.xenoservice.samples.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The scripted run's result: {@code report.json} with the figures that say whether the defence
 * worked (and, over HTTPS, the certificates issued, the customers' TLS failures and the root they
 * trusted, {@code caCertificate}; success and latency per kind of customer and per request type,
 * and how long each kind took to reach the peers), and {@code timeline.png}, a chart of the origin's and the peers' request rates, the
 * customers' latency, and the detector's states as coloured bands.
 */
final class DemoReport {
    private DemoReport() {}

    /**
     * The report's figures.
     *
     * @param ordersLost orders a customer was told were received that the order book does not hold
     * @param ordersDuplicated orders the book holds beyond those placed (an order applied twice)
     * @param scheme {@code https} (customers verify the site's certificate; peers hold their own) or {@code http}
     * @param certificatesIssued certificates the origin ordered from the CA and installed on peers
     * @param tlsFailures customers' TLS handshakes that failed (an untrusted or misnamed certificate,
     *     or none): a peer in DNS without the site's certificate would show here
     * @param attacker the flood's kind: {@code resolve-once} (the origin's address throughout) or
     *     {@code follow-dns}
     * @param byCustomerKind success, latency and time to reach the peers per kind of customer
     * @param byRequestType success and latency per request type (page, search, order)
     * @param clientErrorsDuringWithdrawal customers' failed requests from the withdrawal to the end
     * @param withdrawalWindowMs how long customers went on after the withdrawal (the demo keeps them
     *     for the longest DNS cache a customer has, so that stale answers are all used up); -1 without one
     * @param forwardedByRetiredPeers requests retired peers forwarded to the origin (customers with
     *     cached answers) instead of answering 421
     */
    record Figures(
            long detectedAfterMs,
            long dnsUpdatedAfterMs,
            int peersActivated,
            long legitRequests,
            long legitSucceeded,
            double legitSuccessPercent,
            long legitP50Ms,
            long legitP95Ms,
            long legitP95DuringFloodMs,
            long legitServedByPeers,
            long ordersAttempted,
            long ordersPlaced,
            long ordersCapturedByPeers,
            long ordersRecorded,
            long ordersDuplicated,
            long ordersLost,
            long ordersUnacknowledged,
            long duplicatesRefused,
            long withdrawnAfterMs,
            long clientErrorsDuringWithdrawal,
            long withdrawalWindowMs,
            long forwardedByRetiredPeers,
            long floodRequestsSent,
            long floodRatePerSecond,
            long originCapacityPerSecond,
            String dnsMode,
            String scheme,
            long certificatesIssued,
            long tlsFailures,
            String attacker,
            Map<String, LegitBreakdown.KindFigures> byCustomerKind,
            Map<String, LegitBreakdown.Figures> byRequestType) {
        boolean ordersIntact() {
            return ordersLost == 0 && ordersDuplicated == 0 && ordersUnacknowledged == 0;
        }
    }

    /** Works the figures out from what the demo recorded. */
    static Figures figures(Demo demo) {
        Timeline timeline = demo.timeline;
        long floodStart = timeline.floodStartedAt().orElse(0);
        long floodStop = timeline.floodStoppedAt().orElse(Long.MAX_VALUE);
        List<LegitLog.Entry> all = demo.legit.all();
        List<LegitLog.Entry> duringFlood = demo.legit.between(floodStart, floodStop);
        long succeeded = all.stream().filter(LegitLog.Entry::ok).count();
        OptionalLong withdrawnAt = timeline.withdrawnAt();
        long errorsDuringWithdrawal = withdrawnAt.isEmpty()
                ? 0
                : demo.legit.between(withdrawnAt.getAsLong(), Long.MAX_VALUE).stream()
                        .filter(entry -> !entry.ok())
                        .count();
        Customers customers = demo.customers();
        long placed = customers.ordersPlaced.get();
        long recorded = demo.shop().ordersRecorded();
        return new Figures(
                since(timeline.detectedAt(), floodStart),
                since(timeline.dnsUpdatedAt(), floodStart),
                timeline.peersActivated(),
                all.size(),
                succeeded,
                all.isEmpty() ? 0 : Math.round(1000.0 * succeeded / all.size()) / 10.0,
                LegitLog.percentile(all, 50),
                LegitLog.percentile(all, 95),
                LegitLog.percentile(duringFlood, 95),
                all.stream().filter(LegitLog.Entry::byPeer).count(),
                customers.ordersAttempted.get(),
                placed,
                customers.ordersCapturedByPeers.get(),
                recorded,
                Math.max(0, recorded - placed),
                Math.max(0, placed - recorded),
                customers.ordersUnacknowledged.get(),
                demo.shop().duplicatesRefused(),
                timeline.floodStoppedAt().isEmpty()
                        ? -1
                        : since(withdrawnAt, timeline.floodStoppedAt().getAsLong()),
                errorsDuringWithdrawal,
                withdrawnAt.isEmpty() || all.isEmpty()
                        ? -1
                        : Math.max(0, all.get(all.size() - 1).atMillis() - withdrawnAt.getAsLong()),
                demo.peers().stream()
                        .mapToLong(peer -> peer.accounting().snapshot(Demo.SITE).forwarded())
                        .sum(),
                demo.flood().sent(),
                demo.flood().ratePerSecond(),
                Math.round(demo.options.capacityPerSecond()),
                demo.printedDns() ? "printed" : "bind",
                demo.scheme(),
                demo.certificatesIssued(),
                customers.tlsFailures(),
                demo.options.attacker.flag(),
                LegitBreakdown.byKind(all, timeline.floodStartedAt()),
                LegitBreakdown.byRequestType(all));
    }

    /** Writes {@code report.json} into {@code dir}. */
    static Path writeJson(Figures figures, Demo demo, Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.valueToTree(figures);
        root.put("ordersIntact", figures.ordersIntact());
        demo.caCertificate()
                .ifPresentOrElse(
                        file -> root.put("caCertificate", file.toString()), () -> root.putNull("caCertificate"));
        var events = root.putArray("timeline");
        demo.timeline
                .events()
                .forEach(event ->
                        events.addObject().put("atMs", event.atMillis()).put("text", event.text()));
        Path file = dir.resolve("report.json");
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        return file;
    }

    /** Draws {@code timeline.png} into {@code dir}. */
    static Path writeChart(Timeline timeline, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Timeline.Sample> samples = timeline.samples();
        XYSeries origin = new XYSeries("origin req/s");
        XYSeries peers = new XYSeries("peers req/s (all three)");
        XYSeries latency = new XYSeries("customers' p95 latency (ms)");
        for (Timeline.Sample sample : samples) {
            double t = sample.atMillis() / 1000.0;
            origin.add(t, sample.originPerSecond());
            peers.add(t, sample.peersPerSecond());
            latency.add(t, (double) sample.legitP95Ms());
        }
        XYSeriesCollection rates = new XYSeriesCollection();
        rates.addSeries(origin);
        rates.addSeries(peers);
        NumberAxis time = new NumberAxis("seconds since the demo started");
        NumberAxis rateAxis = new NumberAxis("requests per second");
        XYLineAndShapeRenderer rateRenderer = new XYLineAndShapeRenderer(true, false);
        rateRenderer.setSeriesPaint(0, new Color(200, 40, 40));
        rateRenderer.setSeriesPaint(1, new Color(30, 110, 200));
        rateRenderer.setSeriesStroke(0, new BasicStroke(2f));
        rateRenderer.setSeriesStroke(1, new BasicStroke(2f));
        XYPlot plot = new XYPlot(rates, time, rateAxis, rateRenderer);
        NumberAxis latencyAxis = new NumberAxis("latency (ms)");
        plot.setRangeAxis(1, latencyAxis);
        plot.setDataset(1, new XYSeriesCollection(latency));
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer latencyRenderer = new XYLineAndShapeRenderer(true, false);
        latencyRenderer.setSeriesPaint(0, new Color(40, 140, 60));
        latencyRenderer.setSeriesStroke(
                0, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {4f, 3f}, 0f));
        plot.setRenderer(1, latencyRenderer);
        addStateBands(plot, samples);
        JFreeChart chart = new JFreeChart(
                "XenoService demo: a flood absorbed by peers", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        Path file = dir.resolve("timeline.png");
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1200, 600);
        return file;
    }

    /** Background bands: the detector's state (yellow surging, red overloaded, orange recovering), flood hatched grey. */
    private static void addStateBands(XYPlot plot, List<Timeline.Sample> samples) {
        int i = 0;
        while (i < samples.size()) {
            int j = i;
            String state = samples.get(i).detector();
            while (j + 1 < samples.size() && samples.get(j + 1).detector().equals(state)) {
                j++;
            }
            Color color = switch (state) {
                case "SURGING" -> new Color(255, 220, 80, 90);
                case "OVERLOADED" -> new Color(230, 60, 60, 70);
                case "RECOVERING" -> new Color(255, 160, 60, 70);
                default -> null;
            };
            if (color != null) {
                IntervalMarker band = new IntervalMarker(
                        samples.get(i).atMillis() / 1000.0 - 1, samples.get(j).atMillis() / 1000.0, color);
                band.setLabel(state);
                plot.addDomainMarker(band, Layer.BACKGROUND);
            }
            i = j + 1;
        }
        int k = 0;
        while (k < samples.size()) {
            if (!samples.get(k).flooding()) {
                k++;
                continue;
            }
            int end = k;
            while (end + 1 < samples.size() && samples.get(end + 1).flooding()) {
                end++;
            }
            IntervalMarker flood = new IntervalMarker(
                    samples.get(k).atMillis() / 1000.0 - 1,
                    samples.get(end).atMillis() / 1000.0,
                    new Color(0, 0, 0, 0));
            flood.setOutlinePaint(Color.DARK_GRAY);
            flood.setOutlineStroke(new BasicStroke(1f));
            flood.setLabel("flood");
            flood.setLabelOffset(new org.jfree.chart.ui.RectangleInsets(14, 4, 4, 4));
            plot.addDomainMarker(flood, Layer.FOREGROUND);
            k = end + 1;
        }
    }

    private static long since(OptionalLong at, long from) {
        return at.isEmpty() ? -1 : at.getAsLong() - from;
    }
}
