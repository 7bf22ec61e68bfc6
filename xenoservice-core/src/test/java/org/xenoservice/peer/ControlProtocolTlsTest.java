package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.ControlCodec;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.testing.TestCa;

/** The {@code tls/csr} and {@code tls/certificate} calls on the control protocol, signed and refused. */
class ControlProtocolTlsTest {
    private static final KeyPair OWNER = SiteKeys.generate();
    private static final KeyPair MAPS_OWNER = SiteKeys.generate();
    private static final KeyPair STRANGER = SiteKeys.generate();
    private static final TestCa CA = new TestCa("Protocol CA");
    private static final String BASE = "/xeno/v1/sites/books.example/";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    ControlProtocol control;
    ControlProtocol plainHttp;

    @BeforeEach
    void startPeer() throws IOException {
        List<Enrollment> enrolled = List.of(
                new Enrollment("books.example", OWNER.getPublic(), SiteQuota.DEFAULT),
                new Enrollment("maps.example", MAPS_OWNER.getPublic(), SiteQuota.DEFAULT));
        PeerSites sites = PeerSites.open(dir.resolve("state"), BlobStore.openUnsynced(dir.resolve("store")), enrolled);
        PeerAccounting accounting = new PeerAccounting(enrolled, System::nanoTime);
        SiteCertificates certificates =
                SiteCertificates.open(dir.resolve("tls"), enrolled, List.of(), Clock.systemUTC());
        control =
                new ControlProtocol(sites, accounting, certificates, Clock.systemUTC(), 1 << 20, dir.resolve("spool"));
        plainHttp = new ControlProtocol(sites, accounting, Clock.systemUTC(), 1 << 20, dir.resolve("spool"));
    }

    private static ControlProtocol.Response call(
            ControlProtocol protocol, KeyPair keys, String site, String method, String path, byte[] body) {
        Map<String, String> headers = new TreeMap<>(ControlSignature.sign(
                keys.getPrivate(), site, method, path, ControlSignature.sha256(body), Instant.now()));
        return protocol.handle(method, path, headers, body.length, new ByteArrayInputStream(body));
    }

    private ControlProtocol.Response call(KeyPair keys, String method, String call, byte[] body) {
        return call(control, keys, "books.example", method, BASE + call, body);
    }

    private static JsonNode ok(ControlProtocol.Response response) throws IOException {
        assertEquals(200, response.status(), new String(response.body(), StandardCharsets.UTF_8));
        return JSON.readTree(response.body());
    }

    private static void assertError(ControlProtocol.Response response, int status, String reason) throws IOException {
        assertEquals(status, response.status(), new String(response.body(), StandardCharsets.UTF_8));
        JsonNode error = JSON.readTree(response.body());
        assertEquals(reason, error.get("error").asText());
        assertTrue(error.get("message").asText().length() > 10);
    }

    private static byte[] names(String... names) {
        return ControlCodec.writeCertificateNames(List.of(names));
    }

    @Test
    void csrSignedAndInstalledShowsInTheStatus() throws IOException {
        JsonNode request = ok(call(OWNER, "POST", "tls/csr", names("books.example", "www.books.example")));
        String chain = CA.sign(request.get("csr").asText());
        JsonNode installed = ok(call(OWNER, "PUT", "tls/certificate", ControlCodec.writeCertificateChain(chain)));
        assertEquals(
                "[\"books.example\",\"www.books.example\"]",
                installed.get("names").toString());
        JsonNode status = ok(call(OWNER, "GET", "status", new byte[0]));
        assertEquals(installed, status.get("certificate"));
        JsonNode maps =
                ok(call(control, MAPS_OWNER, "maps.example", "GET", "/xeno/v1/sites/maps.example/status", new byte[0]));
        assertTrue(maps.get("certificate").isNull(), maps.toString());
    }

    @Test
    void unsignedAndStrangersCallsAreRefused() throws IOException {
        for (String call : List.of("tls/csr", "tls/certificate")) {
            String method = call.equals("tls/csr") ? "POST" : "PUT";
            assertError(
                    control.handle(method, BASE + call, Map.of(), 2, new ByteArrayInputStream(json("{}"))),
                    401,
                    "unsigned");
            assertError(call(STRANGER, method, call, json("{}")), 403, "bad-signature");
            assertError(
                    call(control, MAPS_OWNER, "books.example", method, BASE + call, json("{}")), 403, "bad-signature");
        }
    }

    @Test
    void aTenantCannotAskForAnotherTenantsName() throws IOException {
        assertError(call(OWNER, "POST", "tls/csr", names("books.example", "maps.example")), 403, "name-not-owned");
    }

    @Test
    void hostileBodiesAre4xxWithAReason() throws IOException {
        assertError(call(OWNER, "POST", "tls/csr", json("{\"names\":\"books.example\"}")), 400, "bad-request");
        assertError(call(OWNER, "POST", "tls/csr", json("not json")), 400, "bad-request");
        assertError(
                call(OWNER, "PUT", "tls/certificate", ControlCodec.writeCertificateChain("junk")), 400, "bad-chain");
        assertError(call(OWNER, "GET", "tls/csr", new byte[0]), 405, "method");
        assertError(call(OWNER, "POST", "tls/other", new byte[0]), 404, "no-such-call");
        byte[] huge = ControlCodec.writeCertificateChain("A".repeat(300_000));
        assertError(call(OWNER, "PUT", "tls/certificate", huge), 413, "too-large");
    }

    @Test
    void aPeerWithoutHttpsSaysSo() throws IOException {
        assertError(
                call(plainHttp, OWNER, "books.example", "POST", BASE + "tls/csr", names("books.example")),
                409,
                "https-off");
        JsonNode status = ok(call(plainHttp, OWNER, "books.example", "GET", BASE + "status", new byte[0]));
        assertTrue(status.get("certificate").isNull());
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
