package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.client.PeerClient;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.testing.TestCa;

/**
 * A real {@link PeerServer} on loopback applying the HTTPS settings signed into each site's
 * manifest: redirects from plain HTTP (301, 308 for a POST, never to another host), HSTS on every
 * HTTPS answer and never on a plain one, and nothing at all for a site that sets nothing. HTTPS
 * clients trust the test CA only and check host names.
 */
class HttpsSettingsIT {
    private static final TestCa CA = new TestCa("HTTPS settings IT CA");
    private static final String HSTS = "max-age=31536000; includeSubDomains";
    /** Redirects and HSTS, a capture and a degrade route. */
    private static final String BOOKS = "books.example";
    /** Sets nothing. */
    private static final String MAPS = "maps.example";
    /** HSTS without redirects. */
    private static final String NEWS = "news.example";
    /** Redirects, but the peer holds no certificate for it. */
    private static final String SHOP = "shop.example";

    private static final Map<String, KeyPair> KEYS = Map.of(
            BOOKS,
            SiteKeys.generate(),
            MAPS,
            SiteKeys.generate(),
            NEWS,
            SiteKeys.generate(),
            SHOP,
            SiteKeys.generate());
    private static final Map<String, HttpsSettings> SETTINGS = Map.of(
            BOOKS, HttpsSettings.redirectOnly().withHsts(HSTS),
            MAPS, HttpsSettings.NONE,
            NEWS, HttpsSettings.NONE.withHsts("max-age=600"),
            SHOP, HttpsSettings.redirectOnly());

    @TempDir
    Path dir;

    PeerServer peer;
    final List<PeerClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        peer = peer(dir.resolve("store"), true);
        for (String site : List.of(BOOKS, MAPS, NEWS, SHOP)) {
            PeerClient client = PeerClient.builder(
                            URI.create("http://127.0.0.1:" + peer.controlPort()),
                            site,
                            KEYS.get(site).getPrivate())
                    .build();
            clients.add(client);
            client.push(bundle(site), true, PeerClient.ProgressListener.NONE);
            if (!site.equals(SHOP)) {
                client.installCertificate(
                        CA.sign(client.certificateRequest(List.of(site)).pem()));
            }
        }
    }

    @AfterEach
    void stop() {
        clients.forEach(PeerClient::close);
        peer.close();
    }

    private static PeerServer peer(Path store, boolean https) throws IOException {
        PeerServer.Builder builder = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(store);
        if (https) {
            builder.httpsPort(0);
        }
        for (String site : List.of(BOOKS, MAPS, NEWS, SHOP)) {
            builder.enroll(new Enrollment(
                    site, KEYS.get(site).getPublic(), SiteQuota.DEFAULT, List.of(URI.create("http://127.0.0.1:9"))));
        }
        PeerServer server = builder.build();
        server.start();
        return server;
    }

    private Path bundle(String site) throws IOException {
        Path source = Files.createDirectories(dir.resolve("source-" + site));
        Files.writeString(source.resolve("index.html"), "<h1>" + site + "</h1>");
        Files.createDirectories(source.resolve("books"));
        Files.writeString(source.resolve("books/index.html"), "<h1>First editions</h1>");
        Files.writeString(source.resolve("thanks.html"), "<p>Thank you for your order</p>");
        Files.writeString(source.resolve("sorry.html"), "<p>Sorry, out of stock</p>");
        Path out = dir.resolve(site + ".xsb");
        BundleBuilder.forSite(site)
                .source(DirectorySource.of(source))
                .signingKey(KEYS.get(site).getPrivate())
                .version(1)
                .https(SETTINGS.get(site))
                .dynamicRoute(new DynamicRoute(
                        "/order",
                        DynamicRoute.Policy.CAPTURE,
                        Map.of("intake", "http://127.0.0.1:9/intake", "page", "/thanks.html")))
                .dynamicRoute(new DynamicRoute(
                        "/wishlist", DynamicRoute.Policy.DEGRADE, Map.of("page", "/sorry.html", "status", "503")))
                .build(out);
        return out;
    }

    private String httpsOrigin(String site) {
        return "https://" + site + ":" + peer.httpsPort().getAsInt();
    }

    // --- plain HTTP: redirects ------------------------------------------------------------------

    @Test
    void aPlainGetIsRedirectedPermanentlyToTheSamePathAndQueryOverHttps() throws IOException {
        Answer answer = plain("GET /books/index.html?page=2&q=first%20edition HTTP/1.1", BOOKS);

        assertEquals(301, answer.status());
        assertEquals(httpsOrigin(BOOKS) + "/books/index.html?page=2&q=first%20edition", answer.header("location"));
        assertEquals("0", answer.header("content-length"));
        assertEquals(0, answer.body().length());
        assertEquals(List.of(), answer.all("strict-transport-security"), "never HSTS over plain HTTP");
    }

    @Test
    void aPlainHeadIsRedirected301() throws IOException {
        Answer answer = plain("HEAD / HTTP/1.1", BOOKS);

        assertEquals(301, answer.status());
        assertEquals(httpsOrigin(BOOKS) + "/", answer.header("location"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"PUT", "DELETE", "PATCH", "OPTIONS"})
    void otherPlainMethodsAreRedirected308SoTheBodyIsSentAgain(String method) throws IOException {
        Answer answer = plain(method + " /books/ HTTP/1.1", BOOKS);

        assertEquals(308, answer.status());
        assertEquals(httpsOrigin(BOOKS) + "/books/", answer.header("location"));
    }

    @Test
    void aPlainPostToACaptureRouteIsRedirected308AndNotCaptured() throws IOException {
        String form = "book=gulliver&copies=1";
        Answer answer = plain(
                "POST /order?from=cart HTTP/1.1",
                BOOKS,
                List.of("Content-Type: application/x-www-form-urlencoded", "Content-Length: " + form.length()),
                form);

        assertEquals(308, answer.status());
        assertEquals(httpsOrigin(BOOKS) + "/order?from=cart", answer.header("location"));
        assertEquals(0, peer.capturesPending(BOOKS), "nothing was journalled from plain HTTP");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "GET //evil.example/login HTTP/1.1",
                "GET ///evil.example HTTP/1.1",
                "GET /%2F%2Fevil.example HTTP/1.1",
                "GET /..//evil.example HTTP/1.1",
                "GET http://evil.example/login HTTP/1.1",
                "GET https://evil.example//login HTTP/1.1",
                "GET /login?next=//evil.example HTTP/1.1",
                "GET /login?next=https://evil.example/%0d%0aSet-Cookie:x HTTP/1.1",
                "GET /caf%C3%A9?%22q%22 HTTP/1.1"
            })
    void aRedirectNeverLeavesTheSite(String requestLine) throws IOException {
        for (String host : List.of(BOOKS, BOOKS + ":8080", BOOKS + ".")) {
            Answer answer = plain(requestLine, host);

            if (answer.status() == 301) {
                String location = answer.header("location");
                String origin = httpsOrigin(BOOKS) + "/";
                assertTrue(location.startsWith(origin), requestLine + " -> " + location);
                assertFalse(location.startsWith(origin + "/"), "no path that starts with //: " + location);
                assertTrue(location.chars().allMatch(c -> c > 0x20 && c < 0x7f), "plainly encoded: " + location);
            } else {
                assertTrue(answer.status() == 400 || answer.status() == 421, requestLine + " -> " + answer.status());
            }
        }
    }

    @Test
    void aLeadingRunOfSlashesIsFoldedIntoOne() throws IOException {
        Answer answer = plain("GET //evil.example/login?a=b HTTP/1.1", BOOKS);

        assertEquals(301, answer.status());
        assertEquals(httpsOrigin(BOOKS) + "/evil.example/login?a=b", answer.header("location"));
    }

    @Test
    void aHostThatIsNotTheSiteGetsNoRedirect() throws IOException {
        for (String host : List.of("evil.example", "books.example.evil.example", "evil.example:443")) {
            Answer answer = plain("GET / HTTP/1.1", host);

            assertEquals(421, answer.status(), host);
            assertEquals(List.of(), answer.all("location"), host);
        }
    }

    @Test
    void anAbsoluteHttpsTargetOverPlainHttpIsStillPlain() throws IOException {
        Answer answer = plain("GET https://books.example/books/ HTTP/1.1", BOOKS);

        assertEquals(301, answer.status(), "the connection, not the request line, says whether it is TLS");
        assertEquals(httpsOrigin(BOOKS) + "/books/", answer.header("location"));
        assertEquals(List.of(), answer.all("strict-transport-security"));
    }

    @Test
    void aSiteWithoutRedirectIsServedOverPlainHttpWithoutHsts() throws IOException {
        for (String site : List.of(MAPS, NEWS)) {
            Answer answer = plain("GET / HTTP/1.1", site);

            assertEquals(200, answer.status(), site);
            assertEquals("<h1>" + site + "</h1>", answer.body());
            assertEquals(List.of(), answer.all("strict-transport-security"), site);
        }
    }

    @Test
    void aSiteThePeerHasNoCertificateForIsNotRedirected() throws IOException {
        Answer answer = plain("GET / HTTP/1.1", SHOP);

        assertEquals(200, answer.status(), "a redirect would end in a failed handshake");
        assertEquals("<h1>" + SHOP + "</h1>", answer.body());
    }

    @Test
    void aPeerWithoutHttpsDoesNotRedirect() throws IOException {
        clients.forEach(PeerClient::close);
        clients.clear();
        peer.close();
        peer = peer(dir.resolve("store"), false);

        Answer answer = plain("GET / HTTP/1.1", BOOKS);

        assertEquals(200, answer.status(), "a redirect would lead nowhere");
        assertEquals("<h1>" + BOOKS + "</h1>", answer.body());
        assertEquals(List.of(), answer.all("strict-transport-security"));
    }

    // --- HTTPS: HSTS ------------------------------------------------------------------------------

    @Test
    void everyHttpsAnswerForTheSiteCarriesItsHstsOnce() throws IOException {
        Answer page = secure(BOOKS, "GET / HTTP/1.1");
        assertEquals(200, page.status());
        assertEquals("<h1>" + BOOKS + "</h1>", page.body());
        assertEquals(List.of(HSTS), page.all("strict-transport-security"));

        List<Answer> others = List.of(
                secure(BOOKS, "GET / HTTP/1.1", "If-None-Match: " + page.header("etag")),
                secure(BOOKS, "HEAD / HTTP/1.1"),
                secure(BOOKS, "GET /no/such/page HTTP/1.1"),
                secure(BOOKS, "GET /books HTTP/1.1"),
                secure(BOOKS, "GET /wishlist/42 HTTP/1.1"),
                secure(BOOKS, "DELETE / HTTP/1.1"));
        List<Integer> statuses = others.stream().map(Answer::status).toList();
        assertEquals(List.of(304, 200, 404, 301, 503, 405), statuses);
        for (Answer answer : others) {
            assertEquals(List.of(HSTS), answer.all("strict-transport-security"), "status " + answer.status());
        }
        assertEquals("/books/", others.get(3).header("location"), "the folder redirect stays on HTTPS");
    }

    @Test
    void eachSiteSendsItsOwnHstsAndASiteThatSetsNoneSendsNone() throws IOException {
        assertEquals(List.of("max-age=600"), secure(NEWS, "GET / HTTP/1.1").all("strict-transport-security"));
        Answer maps = secure(MAPS, "GET / HTTP/1.1");
        assertEquals(200, maps.status());
        assertEquals(List.of(), maps.all("strict-transport-security"));
    }

    @Test
    void anHttpsRequestIsNeverRedirected() throws IOException {
        Answer answer = secure(BOOKS, "GET /books/ HTTP/1.1");

        assertEquals(200, answer.status());
        assertEquals("<h1>First editions</h1>", answer.body());
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** An HTTP/1.1 answer: status, headers by lower-case name, body as text. */
    record Answer(int status, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = all(name);
            assertEquals(1, values.size(), name + ": " + values);
            return values.get(0);
        }

        List<String> all(String name) {
            return headers.getOrDefault(name, List.of());
        }
    }

    /** Sends a request without body over plain HTTP to the serving port. */
    private Answer plain(String requestLine, String host) throws IOException {
        return plain(requestLine, host, List.of(), "");
    }

    /** Sends a request over plain HTTP to the serving port. */
    private Answer plain(String requestLine, String host, List<String> headers, String body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), peer.servingPort())) {
            socket.setSoTimeout(10_000);
            return exchange(socket, requestLine, host, headers, body);
        }
    }

    /** Sends a request over HTTPS (HTTP/1.1), with the site's name as SNI, checked against the test CA. */
    private Answer secure(String site, String requestLine, String... headers) throws IOException {
        try (Socket tls = TlsClient.connect(CA.clientContext(), peer.httpsPort().getAsInt(), site, "http/1.1")) {
            return exchange(tls, requestLine, site, List.of(headers), "");
        }
    }

    /** Writes the request with {@code Connection: close}, then reads the whole answer. */
    private static Answer exchange(Socket socket, String requestLine, String host, List<String> headers, String body)
            throws IOException {
        StringBuilder request =
                new StringBuilder(requestLine).append("\r\nHost: ").append(host).append("\r\nConnection: close\r\n");
        headers.forEach(header -> request.append(header).append("\r\n"));
        request.append("\r\n").append(body);
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        int end = answer.indexOf("\r\n\r\n");
        assertTrue(end > 0, "an answer: " + answer);
        String[] lines = answer.substring(0, end).split("\r\n", -1);
        Map<String, List<String>> fields = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            fields.computeIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        return new Answer(Integer.parseInt(lines[0].split(" ", -1)[1]), fields, answer.substring(end + 4));
    }
}
