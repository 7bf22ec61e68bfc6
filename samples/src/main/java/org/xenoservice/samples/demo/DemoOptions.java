package org.xenoservice.samples.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's command-line flags, with the defaults a person watching it wants: HTTPS with
 * certificates from a local ACME CA when pebble and BIND are installed, plain HTTP otherwise or
 * with {@code --http}.
 */
final class DemoOptions {
    /** How the flood finds its target ({@code --attacker}). */
    enum Attacker {
        /** Resolves the site's name once, before the flood, and floods that address (the origin's) throughout. */
        RESOLVE_ONCE("resolve-once"),
        /** Resolves the name as its TTL runs out and floods whatever addresses it holds (peers, once they are in). */
        FOLLOW_DNS("follow-dns");

        private final String flag;

        Attacker(String flag) {
            this.flag = flag;
        }

        /** The value {@code --attacker} takes. */
        String flag() {
            return flag;
        }

        static Attacker parse(String text) {
            for (Attacker attacker : values()) {
                if (attacker.flag.equals(text)) {
                    return attacker;
                }
            }
            throw new IllegalArgumentException("--attacker must be resolve-once or follow-dns, was \"" + text + "\"");
        }
    }

    /** The attacker the demo runs unless told otherwise: the one it has always run, at the origin's address. */
    static final Attacker DEFAULT_ATTACKER = Attacker.RESOLVE_ONCE;

    boolean scripted;
    Duration calm = Duration.ofSeconds(15);
    Duration flood = Duration.ofSeconds(40);
    Duration after = Duration.ofSeconds(30);
    int dashboardPort = 8080;
    boolean printedDns;
    /** Plain HTTP even when pebble is installed. */
    boolean http;

    int customers = 6;
    int floodThreads = 4;
    Attacker attacker = DEFAULT_ATTACKER;
    /** Flood requests per second; 0 means {@link #floodFactor} times the origin's capacity. */
    int floodRate;

    double floodFactor = 5;
    int originWorkers = 4;
    Duration cost = Duration.ofMillis(20);
    int queueLimit = 40;
    Duration coolDown = Duration.ofSeconds(3);
    /** Short, so that a demo of a few minutes shows peers retiring and then forwarding. */
    Duration drainQuiet = Duration.ofSeconds(5);

    Duration maxDrain = Duration.ofSeconds(20);
    Duration ttl = Duration.ofSeconds(1);
    Path out = Files.isDirectory(Path.of("samples")) ? Path.of("samples", "target", "demo") : Path.of("target", "demo");

    static final String USAGE = """
      usage: DemoMain [--scripted] [options]
        --scripted               calm, flood, calm; then report.json and timeline.png; exit 1 if an order was lost
                                 or a customer's TLS handshake failed
        --calm-seconds N         calm before the flood (15)
        --flood-seconds N        how long the flood lasts (40)
        --after-seconds N        calm after the flood (30)
        --dashboard-port N       the dashboard's port on localhost (8080; 0 = any free port)
        --printed-dns            print DNS updates instead of sending them to a local BIND (and run HTTP)
        --http                   plain HTTP, no certificates (the default is HTTPS when pebble is installed)
        --customers N            simulated customers (6)
        --flood-threads N        threads that pace the flood (4)
        --flood-rate N           flood requests per second (default: 5 x the origin's capacity)
        --attacker MODE          resolve-once: the flood resolves the name once and hits the origin's address
                                 throughout (the default); follow-dns: it resolves again as the TTL runs out
        --origin-workers N       the origin's worker threads (4)
        --cost-ms N              how long each origin request holds a worker (20)
        --queue N                requests the origin queues before answering 503 (40)
        --cool-down-seconds N    calm this long before peers are withdrawn (3)
        --drain-quiet-seconds N  a withdrawn peer retires once it has served no request this long (5)
        --max-drain-seconds N    or after this long, requests or not; then it forwards to the origin (20)
        --ttl-seconds N          TTL of the site's records (1)
        --out DIR                where report.json, timeline.png and the run's files go""";

    static DemoOptions parse(String... args) {
        DemoOptions options = new DemoOptions();
        List<String> rest = new ArrayList<>(List.of(args));
        while (!rest.isEmpty()) {
            String flag = rest.remove(0);
            switch (flag) {
                case "--scripted" -> options.scripted = true;
                case "--printed-dns" -> options.printedDns = true;
                case "--http" -> options.http = true;
                case "--calm-seconds" -> options.calm = seconds(flag, rest);
                case "--flood-seconds" -> options.flood = seconds(flag, rest);
                case "--after-seconds" -> options.after = seconds(flag, rest);
                case "--cool-down-seconds" -> options.coolDown = seconds(flag, rest);
                case "--drain-quiet-seconds" -> options.drainQuiet = seconds(flag, rest);
                case "--max-drain-seconds" -> options.maxDrain = seconds(flag, rest);
                case "--ttl-seconds" -> options.ttl = seconds(flag, rest);
                case "--dashboard-port" -> options.dashboardPort = number(flag, rest, 0, 65535);
                case "--customers" -> options.customers = number(flag, rest, 1, 200);
                case "--flood-threads" -> options.floodThreads = number(flag, rest, 1, 256);
                case "--flood-rate" -> options.floodRate = number(flag, rest, 1, 100_000);
                case "--origin-workers" -> options.originWorkers = number(flag, rest, 1, 64);
                case "--cost-ms" -> options.cost = Duration.ofMillis(number(flag, rest, 1, 10_000));
                case "--queue" -> options.queueLimit = number(flag, rest, 0, 10_000);
                case "--attacker" -> options.attacker = Attacker.parse(value(flag, rest));
                case "--out" -> options.out = Path.of(value(flag, rest));
                case "-h", "--help" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option " + flag + "\n" + USAGE);
            }
        }
        if (options.drainQuiet.isZero() || options.maxDrain.compareTo(options.drainQuiet) < 0) {
            throw new IllegalArgumentException(
                    "--drain-quiet-seconds must be at least 1 and --max-drain-seconds at least" + " as long, were "
                            + options.drainQuiet.toSeconds() + " and " + options.maxDrain.toSeconds());
        }
        if (options.ttl.isZero()) {
            throw new IllegalArgumentException("--ttl-seconds must be at least 1, was 0");
        }
        return options;
    }

    /** The origin's capacity in requests per second: workers / cost. */
    double capacityPerSecond() {
        return originWorkers * 1000.0 / cost.toMillis();
    }

    /** The flood's rate in requests per second. */
    int floodRatePerSecond() {
        return floodRate > 0 ? floodRate : (int) Math.round(floodFactor * capacityPerSecond());
    }

    private static String value(String flag, List<String> rest) {
        if (rest.isEmpty()) {
            throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
        }
        return rest.remove(0);
    }

    private static int number(String flag, List<String> rest, int min, int max) {
        String text = value(flag, rest);
        int number;
        try {
            number = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a whole number, was \"" + text + "\"", e);
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", was " + number);
        }
        return number;
    }

    private static Duration seconds(String flag, List<String> rest) {
        return Duration.ofSeconds(number(flag, rest, 0, 86_400));
    }
}
