package org.xenoservice.acme;

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
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.xenoservice.dns.BindServer;

/**
 * A real pebble (Let's Encrypt's RFC 8555 test CA, Debian package {@code pebble}) on free loopback
 * ports, in a directory of its own, checking DNS-01 challenges against a real BIND started by
 * {@link BindServer}. Test fixture for the ACME issuer, the peers' TLS and the demo; it fails,
 * never skips, when {@code pebble} is not installed.
 *
 * <p>Its ACME API is served with a certificate the fixture makes itself from a
 * {@link TestCertificateAuthority} (for {@code localhost} only, so that a client that reaches it
 * as {@code 127.0.0.1} must refuse it):
 * {@link #apiTrust()} is what a client trusts to reach {@link #directory()}, with host names
 * checked. What pebble issues chains up to {@link #issuingRoot()}, the root it makes at start and
 * serves on its management API ({@code /roots/0}). Started with {@code PEBBLE_VA_NOSLEEP=1} (no
 * artificial validation delays) and {@code PEBBLE_WFE_NONCEREJECT=0} (no nonces rejected at
 * random), so that tests are quick and deterministic.
 */
public final class PebbleServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final int PORT_ATTEMPTS = 5;

    private final Path directory;
    private final Process process;
    private final int port;
    private final int managementPort;
    private final TestCertificateAuthority apiCa;
    private final HttpClient client;
    private X509Certificate issuingRoot;

    private PebbleServer(
            Path directory, Process process, int port, int managementPort, TestCertificateAuthority apiCa) {
        this.directory = directory;
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.apiCa = apiCa;
        this.client = HttpClient.newBuilder()
                .sslContext(trusting(apiCa.certificate()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * Starts pebble in {@code directory}, validating challenges against {@code dns}, and waits until
     * its API answers over TLS.
     *
     * @throws IllegalStateException if pebble is not installed or does not start
     */
    public static PebbleServer start(Path directory, BindServer dns) throws IOException, InterruptedException {
        Path pebble = findPebble();
        Files.createDirectories(directory);
        TestCertificateAuthority apiCa = TestCertificateAuthority.create("XenoService test CA for pebble's API");
        KeyPair listenerKey = TestCertificateAuthority.newKey();
        X509Certificate listener = apiCa.issueServer(listenerKey, List.of("localhost"), List.of());
        Files.writeString(directory.resolve("api-cert.pem"), TestCertificateAuthority.pem(listener));
        Files.writeString(directory.resolve("api-key.pem"), TestCertificateAuthority.pem(listenerKey.getPrivate()));
        Files.writeString(directory.resolve("api-ca.pem"), TestCertificateAuthority.pem(apiCa.certificate()));
        String failures = "";
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = freePort();
            int managementPort = freePort();
            Path config = directory.resolve("pebble-config.json");
            Files.writeString(config, config(directory, port, managementPort));
            Path log = directory.resolve("pebble.log");
            ProcessBuilder builder = new ProcessBuilder(
                            pebble.toString(), "-config", config.toString(), "-dnsserver", dns.server())
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            builder.environment().put("PEBBLE_VA_NOSLEEP", "1");
            builder.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
            PebbleServer server = new PebbleServer(directory, builder.start(), port, managementPort, apiCa);
            if (server.awaitRunning(log)) {
                return server;
            }
            server.close();
            failures = Files.readString(log);
            if (!failures.contains("address already in use")) {
                break;
            }
        }
        throw new IllegalStateException("pebble did not start; its log:\n" + failures);
    }

    /** The ACME directory URL, {@code https://localhost:PORT/dir}. */
    public URI directory() {
        return URI.create("https://localhost:" + port + "/dir");
    }

    /** The certificate that signed the API's TLS certificate: what an ACME client trusts. */
    public X509Certificate apiTrust() {
        return apiCa.certificate();
    }

    /** {@link #apiTrust()} as a PEM file, as {@code acme.trust-file} takes it. */
    public Path apiTrustFile() {
        return directory.resolve("api-ca.pem");
    }

    /** The root that the certificates pebble issues chain up to, from its management API. */
    public synchronized X509Certificate issuingRoot() throws IOException, InterruptedException {
        if (issuingRoot == null) {
            HttpResponse<byte[]> response = client.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + "/roots/0"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("pebble's /roots/0 answered " + response.statusCode());
            }
            try {
                issuingRoot = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(response.body()));
            } catch (GeneralSecurityException e) {
                throw new IOException("pebble's /roots/0 is not a PEM certificate", e);
            }
        }
        return issuingRoot;
    }

    /** What pebble logged so far, for failure messages. */
    public String log() throws IOException {
        return Files.readString(directory.resolve("pebble.log"));
    }

    /** Stops pebble. */
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

    /** Whether the directory answers over TLS trusted through {@link #apiTrust()}, host name checked. */
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
        String loopback = TestCertificateAuthority.loopback();
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
                        loopback,
                        port,
                        loopback,
                        managementPort,
                        directory.resolve("api-cert.pem"),
                        directory.resolve("api-key.pem"));
    }

    private static SSLContext trusting(X509Certificate certificate) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", certificate);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }

    private static Path findPebble() {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(
                        Stream.of(path.split(":")).filter(p -> !p.isEmpty()).map(Path::of),
                        Stream.of(Path.of("/usr/bin"), Path.of("/usr/local/bin")))
                .map(dir -> dir.resolve("pebble"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("pebble (Let's Encrypt's ACME test server) is not"
                        + " installed: the certificate tests need a real CA; install Debian's pebble package"
                        + " (apt-get install pebble), as ./test.sh does"));
    }
}
