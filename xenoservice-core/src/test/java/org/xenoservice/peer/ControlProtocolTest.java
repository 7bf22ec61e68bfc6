package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ThinBundle;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.SiteQuota;

/** The control protocol end to end in one process: push, activate, status, metrics, and every refusal. */
class ControlProtocolTest {
    private static final KeyPair OWNER = SiteKeys.generate();
    private static final KeyPair STRANGER = SiteKeys.generate();
    private static final String BASE = "/xeno/v1/sites/books.example/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    ControlProtocol control;
    PeerSites sites;
    Path site;

    @BeforeEach
    void startPeer() throws IOException {
        List<Enrollment> enrolled = List.of(new Enrollment("books.example", OWNER.getPublic(), SiteQuota.DEFAULT));
        sites = PeerSites.open(dir.resolve("state"), BlobStore.openUnsynced(dir.resolve("store")), enrolled);
        control = new ControlProtocol(
                sites,
                new PeerAccounting(enrolled, System::nanoTime),
                Clock.systemUTC(),
                50L << 20,
                dir.resolve("spool"));
        site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>Antiquarian books</h1>".repeat(40));
    }

    private ControlProtocol.Response call(KeyPair keys, String method, String path, byte[] body) {
        Map<String, String> headers = new TreeMap<>(ControlSignature.sign(
                keys.getPrivate(), "books.example", method, path, ControlSignature.sha256(body), Instant.now()));
        return control.handle(method, path, headers, body.length, new ByteArrayInputStream(body));
    }

    private static JsonNode json(ControlProtocol.Response response) throws IOException {
        assertEquals("application/json", response.contentType());
        return JSON.readTree(response.body());
    }

    private static byte[] text(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private byte[] bundle(long version) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BundleBuilder.forSite("books.example")
                .source(DirectorySource.of(site))
                .signingKey(OWNER.getPrivate())
                .version(version)
                .build(out);
        return out.toByteArray();
    }

    @Test
    void pushActivateAndStatus() throws IOException {
        byte[] v1 = bundle(1);
        Manifest manifest = BundleReader.peekManifest(new ByteArrayInputStream(v1));
        String digests = JSON.writeValueAsString(Map.of("digests", ThinBundle.digests(manifest)));
        JsonNode missing = json(call(OWNER, "POST", BASE + "missing", text(digests)));
        assertEquals(manifest.files().size(), missing.get("missing").size());

        ControlProtocol.Response staged = call(OWNER, "PUT", BASE + "bundle", v1);
        assertEquals(200, staged.status(), new String(staged.body(), StandardCharsets.UTF_8));
        assertEquals(manifest.sha256(), json(staged).get("manifestSha256").asText());
        assertEquals(
                0,
                json(call(OWNER, "POST", BASE + "missing", text(digests)))
                        .get("missing")
                        .size());

        assertEquals(
                200,
                call(OWNER, "POST", BASE + "activate", text("{\"version\":1}")).status());
        JsonNode status = json(call(OWNER, "GET", BASE + "status", new byte[0]));
        assertEquals(1, status.get("activeVersion").asLong());
        assertEquals(manifest.sha256(), status.get("activeManifestSha256").asText());
        assertTrue(status.get("storedBytes").asLong() > 0);

        assertTrue(status.get("diskBytes").asLong() >= status.get("storedBytes").asLong());

        assertError(
                control.handle("GET", "/metrics", Map.of(), -1, new ByteArrayInputStream(new byte[0])),
                404,
                "metrics-off");
        ControlProtocol scraped = control.withMetricsToken("scraper-token-0123456789");
        assertError(
                scraped.handle("GET", "/metrics", Map.of(), -1, new ByteArrayInputStream(new byte[0])),
                401,
                "metrics-unauthorized");
        assertError(
                scraped.handle(
                        "GET",
                        "/metrics",
                        Map.of("Authorization", "Bearer scraper-token-0123456788"),
                        -1,
                        new ByteArrayInputStream(new byte[0])),
                401,
                "metrics-unauthorized");
        ControlProtocol.Response metrics = scraped.handle(
                "GET",
                "/metrics",
                Map.of("Authorization", "Bearer scraper-token-0123456789"),
                -1,
                new ByteArrayInputStream(new byte[0]));
        assertEquals(200, metrics.status());
        assertTrue(new String(metrics.body(), StandardCharsets.UTF_8)
                .contains("xeno_peer_stored_bytes{site=\"books.example\"}"));
    }

    @Test
    void anUploadCountsTowardTheQuotaWhileItIsSpooled() throws Exception {
        byte[] bundle = bundle(1);
        // captured requests fill the quota and its slack for headers but for a few bytes
        sites.countOtherBytesOnDisk(host -> SiteQuota.DEFAULT.maxStoredBytes() + (64L << 20) - 100);
        assertError(call(OWNER, "PUT", BASE + "bundle", bundle), 413, "quota");
        try (var spooled = Files.list(dir.resolve("spool"))) {
            assertEquals(0, spooled.count(), "the spool is gone");
        }
        sites.countOtherBytesOnDisk(host -> 0);
        assertEquals(200, call(OWNER, "PUT", BASE + "bundle", bundle).status());
        assertEquals(
                sites.storedBytes("books.example") + manifestBytes(bundle),
                sites.diskBytes("books.example"),
                "the blobs and the manifest, nothing of the refused upload");
    }

    private static long manifestBytes(byte[] bundle) throws IOException {
        return BundleReader.peekManifest(new ByteArrayInputStream(bundle)).bytes().length;
    }

    private void assertError(ControlProtocol.Response response, int status, String reason) throws IOException {
        assertEquals(status, response.status(), new String(response.body(), StandardCharsets.UTF_8));
        JsonNode error = json(response);
        assertEquals(reason, error.get("error").asText());
        assertTrue(error.get("message").asText().length() > 10);
    }

    @Test
    void unsignedCallsAre401() throws IOException {
        assertError(
                control.handle("GET", BASE + "status", Map.of(), 0, new ByteArrayInputStream(new byte[0])),
                401,
                "unsigned");
    }

    @Test
    void strangersKeysAre403() throws IOException {
        assertError(call(STRANGER, "GET", BASE + "status", new byte[0]), 403, "bad-signature");
    }

    @Test
    void replayedCallsAre403() throws IOException {
        byte[] body = new byte[0];
        Map<String, String> headers = new TreeMap<>(ControlSignature.sign(
                OWNER.getPrivate(),
                "books.example",
                "GET",
                BASE + "status",
                ControlSignature.sha256(body),
                Instant.now()));
        assertEquals(
                200,
                control.handle("GET", BASE + "status", headers, 0, new ByteArrayInputStream(body))
                        .status());
        assertError(
                control.handle("GET", BASE + "status", headers, 0, new ByteArrayInputStream(body)), 403, "replayed");
    }

    @Test
    void rollbacksAre409() throws IOException {
        assertEquals(200, call(OWNER, "PUT", BASE + "bundle", bundle(1)).status());
        Files.writeString(site.resolve("index.html"), "<h1>New</h1>");
        assertEquals(200, call(OWNER, "PUT", BASE + "bundle", bundle(2)).status());
        assertEquals(
                200,
                call(OWNER, "POST", BASE + "activate", text("{\"version\":2}")).status());
        assertError(call(OWNER, "POST", BASE + "activate", text("{\"version\":1}")), 409, "rollback");
        assertError(call(OWNER, "PUT", BASE + "bundle", bundle(2)), 409, "version");
    }

    @Test
    void oversizeUploadsAre413() throws IOException {
        byte[] big = new byte[1024];
        Map<String, String> headers = new TreeMap<>(ControlSignature.sign(
                OWNER.getPrivate(),
                "books.example",
                "PUT",
                BASE + "bundle",
                ControlSignature.sha256(big),
                Instant.now()));
        assertError(
                control.handle("PUT", BASE + "bundle", headers, 100L << 20, new ByteArrayInputStream(big)),
                413,
                "too-large");
        ControlProtocol small = new ControlProtocol(
                PeerSites.open(
                        dir.resolve("s2"),
                        BlobStore.openUnsynced(dir.resolve("b2")),
                        List.of(new Enrollment("books.example", OWNER.getPublic(), SiteQuota.DEFAULT))),
                new PeerAccounting(List.of(), System::nanoTime),
                new ControlAuthenticator(
                        s -> java.util.Optional.of(OWNER.getPublic()),
                        Clock.systemUTC(),
                        ControlAuthenticator.DEFAULT_SKEW),
                100,
                dir.resolve("spool2"));
        Map<String, String> streamed = new TreeMap<>(ControlSignature.sign(
                OWNER.getPrivate(),
                "books.example",
                "PUT",
                BASE + "bundle",
                ControlSignature.sha256(big),
                Instant.now()));
        assertError(
                small.handle("PUT", BASE + "bundle", streamed, -1, new ByteArrayInputStream(big)), 413, "too-large");
    }

    @Test
    void aBodyThatIsNotTheSignedOneIs400() throws IOException {
        byte[] v1 = bundle(1);
        Map<String, String> headers = new TreeMap<>(ControlSignature.sign(
                OWNER.getPrivate(),
                "books.example",
                "PUT",
                BASE + "bundle",
                ControlSignature.sha256(v1),
                Instant.now()));
        byte[] cut = java.util.Arrays.copyOf(v1, v1.length / 2);
        assertError(
                control.handle("PUT", BASE + "bundle", headers, cut.length, new ByteArrayInputStream(cut)),
                400,
                "body-digest");
    }

    @Test
    void badRequestsSayWhatIsWrong() throws IOException {
        assertError(call(OWNER, "POST", BASE + "activate", text("not json")), 400, "bad-request");
        assertError(call(OWNER, "POST", BASE + "activate", text("{\"version\":\"seven\"}")), 400, "bad-request");
        assertError(call(OWNER, "POST", BASE + "missing", text("{\"digests\":[\"XYZ\"]}")), 400, "bad-request");
        assertError(call(OWNER, "POST", BASE + "activate", text("{\"version\":9}")), 404, "not-staged");
        assertError(call(OWNER, "GET", BASE + "activate", new byte[0]), 405, "method");
        assertError(call(OWNER, "GET", BASE + "frobnicate", new byte[0]), 404, "no-such-call");
        assertError(
                call(OWNER, "PUT", BASE + "bundle", text("garbage that is not a bundle ".repeat(40))),
                400,
                "bundle-not-a-bundle");
    }
}
