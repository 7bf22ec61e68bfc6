package org.xenoservice.samples.demo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's pebble (Let's Encrypt's ACME test CA) for the demo, on free loopback ports in a folder
 * of its own, checking DNS-01 challenges against the demo's BIND ({@code -dnsserver}). Its ACME API
 * is served with a certificate for {@code localhost} from a {@link LocalCa} made at start, which is
 * what the origin trusts to reach it ({@link #apiTrust()}), host name checked; what it issues chains
 * up to the root it makes at start, which {@link #writeIssuingRoot} fetches from its management API
 * ({@code /roots/0}) for the customers to trust. Started with {@code PEBBLE_VA_NOSLEEP=1} (no
 * artificial validation delays) and {@code PEBBLE_WFE_NONCEREJECT=0} (no nonces refused at random):
 * the demo wants its certificates within seconds. The core tests' {@code PebbleServer} is a test
 * fixture the samples cannot use at run time; this is the demo's own, smaller one.
 */
final class LocalPebble implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String LOOPBACK = InetAddress.getLoopbackAddress().getHostAddress();

    private final Process process;
    private final int port;
    private final int managementPort;
    private final X509Certificate apiTrust;
    private final HttpClient client;

    private LocalPebble(Process process, int port, int managementPort, X509Certificate apiTrust) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.apiTrust = apiTrust;
        this.client = HttpClient.newBuilder()
                .sslContext(LocalCa.trustOnly(apiTrust))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The {@code pebble} binary on the PATH or in {@code /usr/bin}, if installed. */
    static Optional<Path> find() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(
                        Stream.of(path.split(":")).filter(p -> !p.isEmpty()).map(Path::of),
                        Stream.of(Path.of("/usr/bin"), Path.of("/usr/local/bin")))
                .map(dir -> dir.resolve("pebble"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Starts {@code pebble} in {@code directory}, asking {@code dnsServer} ({@code 127.0.0.1:PORT})
     * for the challenge records, and waits until its API answers over TLS.
     *
     * @throws IOException if it does not start; the message carries its log
     */
    static LocalPebble start(Path pebble, Path directory, String dnsServer) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        LocalCa ca = LocalCa.create("XenoService demo CA for pebble's API");
        KeyPair key = LocalCa.newKey();
        Files.writeString(
                directory.resolve("api-cert.pem"),
                LocalCa.pem("CERTIFICATE", encoded(ca.issueServer(key, "localhost"))));
        Files.writeString(
                directory.resolve("api-key.pem"),
                LocalCa.pem("PRIVATE KEY", key.getPrivate().getEncoded()));
        String log = "";
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            int managementPort = freePort();
            Path config = directory.resolve("pebble-config.json");
            Files.writeString(config, config(directory, port, managementPort));
            Path logFile = directory.resolve("pebble.log");
            ProcessBuilder builder = new ProcessBuilder(
                            pebble.toString(), "-config", config.toString(), "-dnsserver", dnsServer)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            builder.environment().put("PEBBLE_VA_NOSLEEP", "1");
            builder.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
            LocalPebble server = new LocalPebble(builder.start(), port, managementPort, ca.certificate());
            if (server.awaitRunning(logFile)) {
                return server;
            }
            server.close();
            log = Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
            if (!log.contains("address already in use")) {
                break;
            }
        }
        throw new IOException("pebble did not start; its log:\n" + log);
    }

    /** The ACME directory, {@code https://localhost:PORT/dir}. */
    URI directory() {
        return URI.create("https://localhost:" + port + "/dir");
    }

    /** The root that signed the API's certificate: what the origin trusts to reach {@link #directory()}. */
    X509Certificate apiTrust() {
        return apiTrust;
    }

    /**
     * Fetches the root that the certificates pebble issues chain up to (made at its start, so new
     * every run) and writes it to {@code file} as PEM.
     */
    X509Certificate writeIssuingRoot(Path file) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + "/roots/0"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("pebble's /roots/0 answered " + response.statusCode());
        }
        X509Certificate root;
        try {
            root = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(response.body()));
        } catch (GeneralSecurityException e) {
            throw new IOException("pebble's /roots/0 is not a PEM certificate", e);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, LocalCa.pem("CERTIFICATE", encoded(root)));
        return root;
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
            if (!process.isAlive() || text.contains("address already in use")) {
                return false;
            }
            if (text.contains("Listening on") && answers()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Whether the directory answers over TLS, trusted through {@link #apiTrust()} with the host name checked. */
    private boolean answers() throws InterruptedException {
        try {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(directory())
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("newOrder");
        } catch (IOException e) {
            return false;
        }
    }

    private static String config(Path directory, int port, int managementPort) {
        return """
                {
                  "pebble": {
                    "listenAddress": "%s:%d",
                    "managementListenAddress": "%s:%d",
                    "certificate": "%s",
                    "privateKey": "%s",
                    "httpPort": 5002,
                    "tlsPort": 5001,
                    "ocspResponderURL": "",
                    "externalAccountBindingRequired": false
                  }
                }
                """.formatted(
                        LOOPBACK,
                        port,
                        LOOPBACK,
                        managementPort,
                        directory.resolve("api-cert.pem"),
                        directory.resolve("api-key.pem"));
    }

    private static byte[] encoded(X509Certificate certificate) throws IOException {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode pebble's root", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
