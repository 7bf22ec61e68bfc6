package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.OperatorCalls;
import org.xenoservice.peer.PeerConfig;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.testing.TestCa;

/**
 * A running peer's reload through its Java API and the operator's signed control call, with the
 * hostile cases beside the happy path: unsigned, signed with a site's key, replayed, with a body,
 * the wrong method; a configuration file that does not parse; manual certificate files that are
 * missing. A refused reload changes nothing. Also {@code /healthz} and {@code /readyz}.
 */
class PeerReloadIT {
    private static final KeyPair BOOKS = SiteKeys.generate();
    private static final KeyPair SHOP = SiteKeys.generate();
    private static final TestCa CA = new TestCa("Operator CA");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<PeerConfig> next = new AtomicReference<>();
    private PeerServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private PeerConfig.Builder config() {
        return PeerConfig.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("store"))
                .enroll(new Enrollment("books.example", BOOKS.getPublic(), SiteQuota.DEFAULT));
    }

    private void start(PeerConfig config) throws IOException {
        next.set(config);
        server = PeerServer.fromConfig(config, next::get);
        server.start();
    }

    private PeerConfig withShop() {
        return config().enroll(new Enrollment("shop.example", SHOP.getPublic(), SiteQuota.DEFAULT))
                .build();
    }

    @Test
    void theOperatorsSignedCallReloadsAndSaysWhatChanged() throws Exception {
        start(config().build());
        next.set(withShop());
        HttpResponse<String> answer = call("POST", signed(operatorKey(), "peer"), "");
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("site added: shop.example"), answer.body());
        assertEquals(2, server.sites().enrolledSites().size());
    }

    @Test
    void aReloadCallSignedWithASitesKeyIsRefused() throws Exception {
        start(config().build());
        next.set(withShop());
        HttpResponse<String> answer = call("POST", signed(BOOKS.getPrivate(), "peer"), "");
        assertEquals(403, answer.statusCode(), answer.body());
        assertTrue(answer.body().contains("identity key"), answer.body());
        assertEquals(
                403,
                call("POST", signed(BOOKS.getPrivate(), "books.example"), "").statusCode());
        assertEquals(1, server.sites().enrolledSites().size(), "nothing reloaded");
    }

    @Test
    void anUnsignedReplayedBodiedOrGetReloadCallIsRefused() throws Exception {
        start(config().build());
        next.set(withShop());
        assertEquals(401, call("POST", Map.of(), "").statusCode());
        Map<String, String> headers = signed(operatorKey(), "peer");
        assertEquals(200, call("POST", headers, "").statusCode());
        HttpResponse<String> replay = call("POST", headers, "");
        assertEquals(403, replay.statusCode());
        assertTrue(replay.body().contains("replayed"), replay.body());
        assertEquals(
                413,
                call("POST", signed(operatorKey(), "peer"), "x".repeat(100)).statusCode());
        assertEquals(405, call("GET", signed(operatorKey(), "peer"), "").statusCode());
    }

    @Test
    void aConfigurationFileThatDoesNotParseIsRefusedWithItsFileAndKey() throws Exception {
        Path file = Files.writeString(dir.resolve("peer.properties"), "max-connections = lots\n");
        start(config().build());
        server = restartWithSource(() -> config().load(file).build());
        ReloadResult result = server.reload();
        assertFalse(result.applied());
        assertTrue(result.refusal().orElseThrow().contains(file + ": max-connections"), result.toString());
    }

    @Test
    void missingManualCertificateFilesKeepTheCertificateServed() throws Exception {
        Path[] files = manual("v1");
        start(config().httpsPort(0)
                .manualCertificate("books.example", files[0], files[1])
                .build());
        String served = servedSerial();
        ReloadResult missing = server.reload(config().httpsPort(0)
                .manualCertificate("books.example", dir.resolve("gone.crt"), files[1])
                .build());
        assertFalse(missing.applied());
        assertTrue(missing.refusal().orElseThrow().contains("gone.crt"), missing.toString());
        assertEquals(served, servedSerial());

        Path[] renewed = manual("v2");
        ReloadResult applied = server.reload(config().httpsPort(0)
                .manualCertificate("books.example", renewed[0], renewed[1])
                .build());
        assertTrue(
                applied.changes().stream().anyMatch(line -> line.startsWith("certificate renewed: books.example")),
                applied.toString());
        assertFalse(served.equals(servedSerial()), "the renewed certificate is served");
    }

    @Test
    void healthAndReadinessAnswerWithoutSecrets() throws Exception {
        start(config().build());
        HttpResponse<String> health = get("/healthz");
        assertEquals(200, health.statusCode());
        assertEquals("{\"alive\":true}\n", health.body());
        HttpResponse<String> ready = get("/readyz");
        assertEquals(200, ready.statusCode());
        assertEquals("{\"ready\":true,\"sites\":1}\n", ready.body());
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(control("/readyz"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    // --- helpers ------------------------------------------------------------------------------

    private PeerServer restartWithSource(java.util.concurrent.Callable<PeerConfig> source) throws IOException {
        server.close();
        PeerServer restarted = PeerServer.fromConfig(config().build(), source);
        restarted.start();
        return restarted;
    }

    private PrivateKey operatorKey() throws IOException {
        return SiteKeys.readPrivateKey(
                dir.resolve("store").resolve(PeerIdentity.DIRECTORY).resolve(PeerIdentity.PRIVATE_KEY_FILE));
    }

    private static Map<String, String> signed(PrivateKey key, String signer) {
        return ControlSignature.sign(
                key, signer, "POST", OperatorCalls.RELOAD_PATH, ControlSignature.EMPTY_BODY_SHA256, Instant.now());
    }

    private HttpResponse<String> call(String method, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(control(OperatorCalls.RELOAD_PATH))
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(control(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI control(String path) {
        return URI.create("http://127.0.0.1:" + server.controlPort() + path);
    }

    private Path[] manual(String name) throws IOException {
        KeyPair keys = TestCa.ecKeys();
        Instant now = Instant.now();
        X509Certificate leaf = CA.leaf(
                keys.getPublic(),
                List.of("books.example"),
                now.minus(1, ChronoUnit.HOURS),
                now.plus(30, ChronoUnit.DAYS));
        return new Path[] {
            Files.writeString(dir.resolve(name + ".crt"), CA.chainPem(leaf)),
            Files.writeString(dir.resolve(name + ".key"), TestCa.pem(keys.getPrivate()))
        };
    }

    private String servedSerial() throws IOException {
        try (SSLSocket tls =
                TlsClient.connect(CA.clientContext(), server.httpsPort().getAsInt(), "books.example")) {
            return TlsClient.leaf(tls).getSerialNumber().toString(16);
        }
    }
}
