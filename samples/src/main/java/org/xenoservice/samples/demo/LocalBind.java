package org.xenoservice.samples.demo;

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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.xenoservice.dns.TsigKey;

/**
 * A real BIND 9 ({@code named -g}) for the demo, on a free loopback port in a folder of its own:
 * primary for one zone, with the site's name pointing at the origin and RFC 2136 updates allowed
 * to one TSIG key (hmac-sha256). The samples cannot use the core tests' {@code BindServer} at
 * run time, so this is the same recipe, cut down to what the demo needs.
 */
final class LocalBind implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String KEY_NAME = "xeno-demo";

    private final Path directory;
    private final Process process;
    private final int port;
    private final TsigKey key;

    private LocalBind(Path directory, Process process, int port, TsigKey key) {
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.key = key;
    }

    /** The {@code named} binary on the PATH or in the usual sbin folders, if installed. */
    static Optional<Path> findNamed() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(
                        Stream.of(path.split(":")).filter(p -> !p.isEmpty()).map(Path::of),
                        Stream.of(Path.of("/usr/sbin"), Path.of("/sbin"), Path.of("/usr/local/sbin")))
                .map(dir -> dir.resolve("named"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts {@code named} in {@code directory}, primary for {@code zone}, with {@code site} holding
     * {@code addresses} (TTL {@code ttl}), and waits until it runs.
     *
     * @throws IOException if it does not start; the message carries its log
     */
    static LocalBind start(
            Path named, Path directory, String zone, String site, List<InetAddress> addresses, Duration ttl)
            throws IOException, InterruptedException {
        Files.createDirectories(directory);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        TsigKey key = TsigKey.of(TsigKey.Algorithm.HMAC_SHA256, KEY_NAME, secret);
        StringBuilder zoneFile = new StringBuilder(String.join(
                "\n",
                "$TTL 300",
                "@ IN SOA ns." + zone + ". hostmaster." + zone + ". 1 60 60 600 1",
                "@ IN NS ns." + zone + ".",
                "ns IN A 127.0.0.1",
                ""));
        for (InetAddress address : addresses) {
            zoneFile.append(site)
                    .append(". ")
                    .append(ttl.toSeconds())
                    .append(" IN A ")
                    .append(address.getHostAddress())
                    .append('\n');
        }
        Files.writeString(directory.resolve(zone + ".db"), zoneFile.toString(), StandardCharsets.UTF_8);
        String log = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Path config = directory.resolve("named.conf");
            Files.writeString(
                    config,
                    config(directory, zone, port, key, Base64.getEncoder().encodeToString(secret)),
                    StandardCharsets.UTF_8);
            Path logFile = directory.resolve("named.log");
            Files.deleteIfExists(logFile);
            Process process = new ProcessBuilder(named.toString(), "-g", "-4", "-n", "1", "-c", config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .start();
            LocalBind bind = new LocalBind(directory, process, port, key);
            if (bind.awaitRunning(logFile)) {
                return bind;
            }
            bind.close();
            log = Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
            if (!log.contains("address in use")) {
                break;
            }
        }
        throw new IOException("named did not start; its log:\n" + log);
    }

    /** {@code 127.0.0.1:PORT}, where updates and queries go. */
    String server() {
        return "127.0.0.1:" + port;
    }

    /** The key named takes updates signed with. */
    TsigKey key() {
        return key;
    }

    /** The folder named runs in (config, zone, log). */
    Path directory() {
        return directory;
    }

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

    private boolean awaitRunning(Path log) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
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

    private static String config(Path directory, String zone, int port, TsigKey key, String base64Secret) {
        return "options {\n"
                + "  directory \"" + directory + "\";\n"
                + "  pid-file \"" + directory.resolve("named.pid") + "\";\n"
                + "  session-keyfile \"" + directory.resolve("session.key") + "\";\n"
                + "  managed-keys-directory \"" + directory + "\";\n"
                + "  listen-on port " + port + " { 127.0.0.1; };\n"
                + "  listen-on-v6 { none; };\n"
                + "  recursion no;\n  dnssec-validation no;\n  notify no;\n"
                + "};\ncontrols { };\n"
                + "key \"" + key.name() + "\" { algorithm " + key.algorithm().token() + "; secret \""
                + base64Secret + "\"; };\n"
                + "zone \"" + zone + "\" {\n  type primary;\n  file \"" + directory.resolve(zone + ".db") + "\";\n"
                + "  update-policy {\n    grant " + key.name() + " zonesub ANY;\n  };\n};\n";
    }

    /** A loopback port free for UDP and TCP now (named may still lose a race: the caller retries). */
    private static int freePort() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.bind(new InetSocketAddress(loopback, port));
                    return port;
                } catch (IOException taken) {
                    // the TCP side is in use; try another
                }
            }
        }
        throw new IOException("no loopback port is free for both UDP and TCP");
    }
}
