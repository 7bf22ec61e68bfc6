package org.xenoservice.dns;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real BIND 9 ({@code named -g}) on a free loopback port, in a directory of its own, serving the
 * zone {@value #ZONE} with dynamic updates allowed by TSIG. Test fixture for the DNS updater, the
 * CLI and the benchmarks; it fails, never skips, when {@code named} is not installed.
 *
 * <p>Keys and what the zone's {@code update-policy} grants them:
 * <ul>
 *   <li>{@value #FULL_KEY} (hmac-sha256), {@value #SHA512_KEY} (hmac-sha512), {@value #SHA1_KEY}
 *       (hmac-sha1): any record of any name in the zone;
 *   <li>{@value #WWW_ONLY_KEY} (hmac-sha256): only A and AAAA records of {@code www.}{@value #ZONE};
 *   <li>{@value #ACME_KEY} (hmac-sha256): what README.md advises for a site that gets its
 *       certificates by ACME DNS-01: the A and AAAA records of {@value #ACME_SITE}, and the TXT
 *       records of {@code _acme-challenge.}{@value #ACME_SITE} and {@code _acme-challenge.www.}{@value
 *       #ACME_SITE}, nothing else.
 * </ul>
 */
public final class BindServer implements AutoCloseable {
    /** The zone the server is primary for. */
    public static final String ZONE = "test.example";
    /** A key allowed to change anything in the zone. */
    public static final String FULL_KEY = "xeno-test";
    /** The same rights, with hmac-sha512. */
    public static final String SHA512_KEY = "xeno-sha512";
    /** The same rights, with hmac-sha1. */
    public static final String SHA1_KEY = "xeno-sha1";
    /** A key allowed to change only {@code www.test.example} A/AAAA. */
    public static final String WWW_ONLY_KEY = "xeno-www-only";
    /** A key allowed the A/AAAA records of {@link #ACME_SITE} and the ACME challenges of it and its www name. */
    public static final String ACME_KEY = "xeno-acme";
    /** The site {@link #ACME_KEY} is for. */
    public static final String ACME_SITE = "books." + ZONE;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final int PORT_ATTEMPTS = 5;

    private final Path directory;
    private final Process process;
    private final int port;
    private final Map<String, TsigKey> keys;

    private BindServer(Path directory, Process process, int port, Map<String, TsigKey> keys) {
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.keys = keys;
    }

    /**
     * Starts {@code named} in {@code directory} and waits until it serves the zone.
     *
     * @throws IllegalStateException if {@code named} is not installed or does not start
     */
    public static BindServer start(Path directory) throws IOException, InterruptedException {
        return start(directory, 0);
    }

    /**
     * Starts {@code named} in {@code directory} on a given loopback port (0: a free one), e.g. to
     * bring up a server that an updater was already pointed at while it was down.
     *
     * @throws IllegalStateException if {@code named} is not installed or does not start
     */
    public static BindServer start(Path directory, int fixedPort) throws IOException, InterruptedException {
        Path named = findNamed();
        Map<String, TsigKey> keys = new TreeMap<>();
        SecureRandom random = new SecureRandom();
        keys.put(FULL_KEY, newKey(random, TsigKey.Algorithm.HMAC_SHA256, FULL_KEY));
        keys.put(SHA512_KEY, newKey(random, TsigKey.Algorithm.HMAC_SHA512, SHA512_KEY));
        keys.put(SHA1_KEY, newKey(random, TsigKey.Algorithm.HMAC_SHA1, SHA1_KEY));
        keys.put(WWW_ONLY_KEY, newKey(random, TsigKey.Algorithm.HMAC_SHA256, WWW_ONLY_KEY));
        keys.put(ACME_KEY, newKey(random, TsigKey.Algorithm.HMAC_SHA256, ACME_KEY));
        return start(named, directory, fixedPort, keys);
    }

    /**
     * Starts {@code named} with the keys of a server that ran before in the same directory, on the
     * same port, e.g. after {@link #close()} to test an updater against a DNS outage.
     */
    public BindServer restart() throws IOException, InterruptedException {
        return start(findNamed(), directory, port, keys);
    }

    private static BindServer start(Path named, Path directory, int fixedPort, Map<String, TsigKey> keys)
            throws IOException, InterruptedException {
        Files.createDirectories(directory);
        if (!Files.exists(directory.resolve(ZONE + ".db"))) {
            Files.writeString(
                    directory.resolve(ZONE + ".db"),
                    String.join(
                            "\n",
                            "$TTL 300",
                            "@ IN SOA ns." + ZONE + ". hostmaster." + ZONE + ". 1 60 60 600 30",
                            "@ IN NS ns." + ZONE + ".",
                            "ns IN A 127.0.0.1",
                            ""));
        }
        String failures = "";
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = fixedPort == 0 ? freePort() : fixedPort;
            Path config = directory.resolve("named.conf");
            Files.writeString(config, config(directory, port, keys));
            Path log = directory.resolve("named.log");
            int before = Files.exists(log)
                    ? Files.readString(log, StandardCharsets.UTF_8).length()
                    : 0;
            Process process = new ProcessBuilder(named.toString(), "-g", "-4", "-n", "1", "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            BindServer server = new BindServer(directory, process, port, Map.copyOf(keys));
            if (server.awaitRunning(log, before)) {
                return server;
            }
            server.close();
            failures = Files.readString(log);
            if (!failures.contains("address in use") || fixedPort != 0) {
                break;
            }
        }
        throw new IllegalStateException("named did not start; its log:\n" + failures);
    }

    /** The loopback port named listens on (UDP and TCP). */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:PORT}, as the updater and the CLI take it. */
    public String server() {
        return "127.0.0.1:" + port;
    }

    /** One of the keys named trusts, e.g. {@link #FULL_KEY}. */
    public TsigKey key(String name) {
        return Optional.ofNullable(keys.get(name)).orElseThrow(() -> new IllegalArgumentException("no key " + name));
    }

    /** A key as {@code ALG:NAME:BASE64SECRET}, as {@code nsupdate -y} and the CLI take it. */
    public String keyText(String name) {
        TsigKey key = key(name);
        return key.algorithm().token() + ":" + key.name() + ":"
                + Base64.getEncoder().encodeToString(key.secret());
    }

    /** What named logged so far, for failure messages. */
    public String log() throws IOException {
        return Files.readString(directory.resolve("named.log"));
    }

    /** Stops named. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean awaitRunning(Path log, int from) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            String all = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            String text = all.length() > from ? all.substring(from) : "";
            if (text.contains("running")) {
                return true;
            }
            if (!process.isAlive() || text.contains("exiting (due to fatal error)")) {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static String config(Path directory, int port, Map<String, TsigKey> keys) {
        StringBuilder conf = new StringBuilder();
        conf.append("options {\n")
                .append("  directory \"")
                .append(directory)
                .append("\";\n")
                .append("  pid-file \"")
                .append(directory.resolve("named.pid"))
                .append("\";\n")
                .append("  session-keyfile \"")
                .append(directory.resolve("session.key"))
                .append("\";\n")
                .append("  managed-keys-directory \"")
                .append(directory)
                .append("\";\n")
                .append("  listen-on port ")
                .append(port)
                .append(" { 127.0.0.1; };\n")
                .append("  listen-on-v6 { none; };\n")
                .append("  recursion no;\n  dnssec-validation no;\n  notify no;\n")
                .append("};\ncontrols { };\n");
        for (TsigKey key : keys.values()) {
            conf.append("key \"")
                    .append(key.name())
                    .append("\" { algorithm ")
                    .append(key.algorithm().token())
                    .append("; secret \"")
                    .append(Base64.getEncoder().encodeToString(key.secret()))
                    .append("\"; };\n");
        }
        conf.append("zone \"")
                .append(ZONE)
                .append("\" {\n  type primary;\n  file \"")
                .append(directory.resolve(ZONE + ".db"))
                .append("\";\n  update-policy {\n");
        for (String full : List.of(FULL_KEY, SHA512_KEY, SHA1_KEY)) {
            conf.append("    grant ").append(full).append(" zonesub ANY;\n");
        }
        conf.append("    grant ")
                .append(WWW_ONLY_KEY)
                .append(" name www.")
                .append(ZONE)
                .append(". A AAAA;\n");
        conf.append("    grant ")
                .append(ACME_KEY)
                .append(" name ")
                .append(ACME_SITE)
                .append(". A AAAA;\n");
        for (String name : List.of(ACME_SITE, "www." + ACME_SITE)) {
            conf.append("    grant ")
                    .append(ACME_KEY)
                    .append(" name _acme-challenge.")
                    .append(name)
                    .append(". TXT;\n");
        }
        conf.append("  };\n};\n");
        return conf.toString();
    }

    private static TsigKey newKey(SecureRandom random, TsigKey.Algorithm algorithm, String name) {
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        return TsigKey.of(algorithm, name, secret);
    }

    /** A port free for both UDP and TCP on loopback right now (named may still lose a race: retried). */
    private static int freePort() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.bind(new InetSocketAddress(loopback, port));
                    return port;
                } catch (IOException taken) {
                    // TCP side in use; try another
                }
            }
        }
        throw new IOException("no free loopback port for both UDP and TCP");
    }

    private static Path findNamed() {
        String path = System.getenv().getOrDefault("PATH", "");
        Stream<Path> candidates = Stream.concat(
                Stream.of(path.split(":")).filter(p -> !p.isEmpty()).map(Path::of),
                Stream.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/local/sbin")));
        return candidates
                .map(dir -> dir.resolve("named"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(
                        () -> new IllegalStateException("named (BIND 9) is not installed: the DNS tests need a real "
                                + "server; install Debian's bind9 package (apt-get install bind9), as .ci/run does"));
    }
}
