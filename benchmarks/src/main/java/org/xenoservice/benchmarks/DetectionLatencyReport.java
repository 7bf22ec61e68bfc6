package org.xenoservice.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.xenoservice.overload.OverloadConfig;
import org.xenoservice.overload.OverloadEvent;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.overload.SimulatedSite;

/**
 * How long the {@code OverloadDetector} takes to see a flood, over many simulated surges: a site
 * of 8 workers × 20 ms (400 requests/s) at 100 requests/s for 3 minutes, then a step to 5×, 10× or
 * 20× its rate starting at a random moment inside a 100 ms bucket. Simulated time on a fake clock
 * (the same {@code SimulatedSite} as the tests), so the figures are the detector's logic, not the
 * machine's speed. Prints the distribution of the time to SURGING and to OVERLOADED.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.xenoservice.benchmarks.DetectionLatencyReport [SURGES] [REPORT.json]}
 */
public final class DetectionLatencyReport {
    private static final double BASE_RATE = 100;
    private static final double[] MULTIPLES = {5, 10, 20};

    private DetectionLatencyReport() {}

    /** Runs the surges and prints the distribution. */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int surges = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        Path report = args.length > 1 ? Path.of(args[1]) : Path.of("benchmarks/target/detection-latency.json");
        Random random = new Random(2026);
        List<String> json = new ArrayList<>();
        System.out.printf(
                Locale.ROOT, "%d simulated surges per multiple; site capacity 400/s, baseline 100/s%n", surges);
        System.out.printf(
                Locale.ROOT,
                "%9s %28s %28s %8s%n",
                "multiple",
                "to SURGING p50/p90/max ms",
                "to OVERLOADED p50/p90/max ms",
                "missed");
        for (double multiple : MULTIPLES) {
            List<Double> toSurging = new ArrayList<>();
            List<Double> toOverloaded = new ArrayList<>();
            int missed = 0;
            for (int i = 0; i < surges; i++) {
                SimulatedSite site =
                        new SimulatedSite(OverloadConfig.DEFAULTS, 8, Duration.ofMillis(20), random.nextLong());
                site.play(Duration.ofMinutes(3), t -> BASE_RATE);
                double offset = random.nextDouble() * 0.1; // seconds into the first bucket
                long start = site.nanoTime() + (long) (offset * SimulatedSite.SECOND);
                site.play(Duration.ofSeconds(3), t -> {
                    double surged = Math.max(0, Math.min(1, (t + 0.1 - offset) / 0.1)); // share of the bucket
                    return BASE_RATE * (1 + (multiple - 1) * surged);
                });
                double surging = firstAfter(site, OverloadState.SURGING, start);
                double overloaded = firstAfter(site, OverloadState.OVERLOADED, start);
                if (surging < 0 || overloaded < 0) {
                    missed++;
                }
                if (surging >= 0) {
                    toSurging.add(surging);
                }
                if (overloaded >= 0) {
                    toOverloaded.add(overloaded);
                }
            }
            String surgingText = describe(toSurging);
            String overloadedText = describe(toOverloaded);
            System.out.printf(Locale.ROOT, "%8.0fx %28s %28s %8d%n", multiple, surgingText, overloadedText, missed);
            json.add(String.format(
                    Locale.ROOT,
                    "{\"multiple\": %.0f, \"surges\": %d, \"missed\": %d, "
                            + "\"toSurgingMs\": %s, \"toOverloadedMs\": %s}",
                    multiple,
                    surges,
                    missed,
                    jsonOf(toSurging),
                    jsonOf(toOverloaded)));
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, "[\n  " + String.join(",\n  ", json) + "\n]\n");
        System.out.println("wrote " + report);
    }

    private static double firstAfter(SimulatedSite site, OverloadState state, long start) {
        for (OverloadEvent event : site.changes()) {
            if (event.current() == state) {
                return (event.nanoTime() - start) / 1e6;
            }
        }
        return -1;
    }

    private static double percentile(List<Double> values, double q) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.isEmpty()
                ? Double.NaN
                : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    private static String describe(List<Double> values) {
        return String.format(
                Locale.ROOT,
                "%.0f / %.0f / %.0f",
                percentile(values, 0.5),
                percentile(values, 0.9),
                percentile(values, 1.0));
    }

    private static String jsonOf(List<Double> values) {
        return String.format(
                Locale.ROOT,
                "{\"p50\": %.1f, \"p90\": %.1f, \"max\": %.1f}",
                percentile(values, 0.5),
                percentile(values, 0.9),
                percentile(values, 1.0));
    }
}
