package org.xenoservice.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.xenoservice.dns.BindServer;
import org.xenoservice.dns.Rfc2136DnsUpdater;

/**
 * Latency of one RFC 2136 UPDATE carrying 1, 10 and 60 address changes, sent by
 * {@link Rfc2136DnsUpdater} and, in the same run against the same local BIND, by {@code nsupdate}
 * (the baseline). Each round adds N addresses in one message and removes them in another, so every
 * message changes the zone.
 *
 * <p>The updater is timed message by message (after a warm-up). {@code nsupdate} is timed as one
 * process that sends all the rounds' messages from one script, divided by the number of messages,
 * so its start-up is spread thin; it is the mean, and so is the ratio.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.xenoservice.benchmarks.DnsUpdateLatency [ROUNDS] [REPORT.json]}
 */
public final class DnsUpdateLatency {
    private static final int[] CHANGES = {1, 10, 60};
    private static final int WARMUP_ROUNDS = 500;

    private DnsUpdateLatency() {}

    /** Runs the comparison and prints a table; writes JSON when a path is given. */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path report = args.length > 1 ? Path.of(args[1]) : Path.of("benchmarks/target/dns-update-latency.json");
        Path work = Files.createTempDirectory("xeno-dns-bench-");
        List<String> json = new ArrayList<>();
        try (BindServer bind = BindServer.start(work.resolve("bind"))) {
            System.out.printf(Locale.ROOT, "BIND on %s, %d rounds (add + remove) per size%n", bind.server(), rounds);
            System.out.printf(
                    Locale.ROOT,
                    "%8s %12s %12s %12s %14s %8s%n",
                    "changes",
                    "xeno p50 ms",
                    "xeno p90 ms",
                    "xeno mean ms",
                    "nsupdate mean",
                    "ratio");
            for (int changes : CHANGES) {
                String name = "bench" + changes + "." + BindServer.ZONE;
                List<InetAddress> addresses = addresses(changes);
                double[] xeno = timeUpdater(bind, name, addresses, rounds);
                double nsupdate = timeNsupdate(bind, work, "ns" + name, addresses, rounds);
                double[] sorted = xeno.clone();
                Arrays.sort(sorted);
                double mean = Arrays.stream(xeno).average().orElse(Double.NaN);
                double p50 = sorted[sorted.length / 2];
                double p90 = sorted[(int) (sorted.length * 0.9)];
                System.out.printf(
                        Locale.ROOT,
                        "%8d %12.3f %12.3f %12.3f %14.3f %8.2f%n",
                        changes,
                        p50,
                        p90,
                        mean,
                        nsupdate,
                        mean / nsupdate);
                json.add(String.format(
                        Locale.ROOT,
                        "{\"changes\": %d, \"xenoP50Ms\": %.3f, \"xenoP90Ms\": %.3f, "
                                + "\"xenoMeanMs\": %.3f, \"nsupdateMeanMs\": %.3f, \"ratioXenoToNsupdate\": %.3f}",
                        changes,
                        p50,
                        p90,
                        mean,
                        nsupdate,
                        mean / nsupdate));
            }
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(
                report, "{\"rounds\": " + rounds + ", \"results\": [\n  " + String.join(",\n  ", json) + "\n]}\n");
        System.out.println("wrote " + report);
    }

    private static List<InetAddress> addresses(int count) throws IOException {
        List<InetAddress> addresses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            addresses.add(InetAddress.getByName("10.20." + (i / 200) + "." + (i % 200 + 1)));
        }
        return addresses;
    }

    /** Milliseconds per UPDATE message, one sample per message. */
    private static double[] timeUpdater(BindServer bind, String name, List<InetAddress> addresses, int rounds)
            throws IOException {
        try (Rfc2136DnsUpdater dns = Rfc2136DnsUpdater.builder()
                .server(bind.server())
                .zone(BindServer.ZONE)
                .tsig(bind.key(BindServer.FULL_KEY))
                .manage(name)
                .build()) {
            for (int i = 0; i < WARMUP_ROUNDS; i++) {
                dns.add(name, addresses, Duration.ofSeconds(30));
                dns.remove(name, addresses);
            }
            double[] samples = new double[rounds * 2];
            for (int i = 0; i < rounds; i++) {
                long start = System.nanoTime();
                dns.add(name, addresses, Duration.ofSeconds(30));
                long middle = System.nanoTime();
                dns.remove(name, addresses);
                long end = System.nanoTime();
                samples[2 * i] = (middle - start) / 1e6;
                samples[2 * i + 1] = (end - middle) / 1e6;
            }
            return samples;
        }
    }

    /** Mean milliseconds per UPDATE message of one nsupdate process sending all rounds. */
    private static double timeNsupdate(BindServer bind, Path work, String name, List<InetAddress> addresses, int rounds)
            throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder();
        script.append("server 127.0.0.1 ")
                .append(bind.port())
                .append('\n')
                .append("zone ")
                .append(BindServer.ZONE)
                .append('\n');
        for (int i = 0; i < rounds; i++) {
            for (InetAddress address : addresses) {
                script.append("update add ")
                        .append(name)
                        .append(". 30 A ")
                        .append(address.getHostAddress())
                        .append('\n');
            }
            script.append("send\n");
            for (InetAddress address : addresses) {
                script.append("update delete ")
                        .append(name)
                        .append(". A ")
                        .append(address.getHostAddress())
                        .append('\n');
            }
            script.append("send\n");
        }
        Path file = work.resolve("nsupdate-" + addresses.size() + ".txt");
        Files.writeString(file, script, StandardCharsets.US_ASCII);
        runNsupdate(bind, file); // warm the file cache and BIND's journal
        long start = System.nanoTime();
        runNsupdate(bind, file);
        long elapsed = System.nanoTime() - start;
        return elapsed / 1e6 / (rounds * 2.0);
    }

    private static void runNsupdate(BindServer bind, Path script) throws IOException, InterruptedException {
        Path log = script.resolveSibling(script.getFileName() + ".log");
        Process process = new ProcessBuilder("nsupdate", "-y", bind.keyText(BindServer.FULL_KEY), script.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            String output = Files.readString(log);
            throw new IOException("nsupdate failed (exit " + (process.isAlive() ? "timeout" : process.exitValue())
                    + "): " + output.substring(Math.max(0, output.length() - 2000)));
        }
    }
}
