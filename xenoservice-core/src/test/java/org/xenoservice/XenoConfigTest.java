package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xenoservice.acme.AcmeSettings;
import org.xenoservice.acme.TestCertificateAuthority;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.replicate.DnsSettings;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.replicate.ReplicationConfig;

class XenoConfigTest {
    private static final String TSIG = "hmac-sha256:xeno-key:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0";

    @TempDir
    Path dir;

    /** The Ed25519 public key of RFC 8032's first test vector, on one line as 'peer identity' prints a key. */
    private static final String PEER_KEY = "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    private KeyPair keys;

    @BeforeEach
    void writeKey() throws IOException {
        keys = SiteKeys.generate();
        SiteKeys.writePrivateKey(dir.resolve("site.key"), keys.getPrivate());
        Files.createDirectories(dir.resolve("public"));
    }

    @Test
    void readsEveryPropertyWithPathsRelativeToTheFile() throws IOException {
        Files.writeString(dir.resolve("tsig.key"), TSIG + "\n");
        Files.writeString(dir.resolve("admin.token"), "a-long-admin-token-123\n");
        XenoConfig config = load("""
        site = Books.Example
        site-key = site.key
        state-directory = state
        static.directory = public
        back-channel = http://10.0.0.5:8080
        dynamic./order = capture,page=/thanks.html
        dynamic./search = proxy,max-in-flight=8
        dynamic./wishlist = degrade,page=/sorry.html,status=503
        admin-token-file = admin.token
        peer.p1.control-url = https://peer1.example.net:8081
        peer.p1.addresses = 192.0.2.10, 2001:db8::10
        peer.p1.weight = 5
        peer.p1.region = eu
        peer.p1.public-key = MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
        peer.p2.control-url = http://peer2.example.net:8081
        peer.p2.addresses = 192.0.2.11
        peer.p2.public-key = -----BEGIN PUBLIC KEY-----\\n\\
          MCowBQYDK2VwAyEAPUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=\\n\\
          -----END PUBLIC KEY-----
        dns.servers = 192.0.2.53:5353, 192.0.2.54
        dns.tsig-file = tsig.key
        dns.ttl-seconds = 20
        dns.origin-addresses = 198.51.100.7
        dns.shelter-origin = true
        replication.cool-down-seconds = 90
        replication.wave-interval-ms = 500
        replication.max-upload-bytes-per-second = 1000000
        overload.warmup-seconds = 5
        overload.surge-factor = 4
        """);
        assertEquals("books.example", config.site());
        assertEquals(dir.resolve("state"), config.stateDirectory());
        assertTrue(
                config.staticSource().describe().contains("public"),
                config.staticSource().describe());
        DynamicRoute order = config.dynamicRoutes().get(0);
        assertEquals(
                "http://10.0.0.5:8080" + XenoService.INTAKE_PATH,
                order.settings().get("intake"),
                "a capture route without an intake gets the back-channel's");
        assertEquals(
                "http://10.0.0.5:8080",
                config.dynamicRoutes().get(1).settings().get("origin"),
                "a proxy route without an origin gets the back-channel");
        assertFalse(config.dynamicRoutes().get(2).settings().containsKey("origin"));
        assertEquals(
                List.of("p1", "p2"), config.peers().stream().map(PeerSpec::name).toList());
        PeerSpec p1 = config.peers().get(0);
        assertEquals(
                List.of(InetAddress.getByName("192.0.2.10"), InetAddress.getByName("2001:db8::10")),
                p1.servingAddresses());
        assertEquals(5, p1.weight());
        assertEquals("eu", p1.region().orElseThrow());
        assertEquals(PEER_KEY, org.xenoservice.protocol.PeerSignature.keyId(p1.publicKey()));
        assertEquals(
                "MCowBQYDK2VwAyEAPUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=",
                org.xenoservice.protocol.PeerSignature.keyId(
                        config.peers().get(1).publicKey()),
                "a key given as PEM");
        DnsSettings dns = config.dns().orElseThrow();
        assertEquals("books.example", dns.name());
        assertEquals(2, dns.servers().size());
        assertEquals(53, dns.servers().get(1).port());
        assertEquals(Duration.ofSeconds(20), dns.ttl());
        assertTrue(dns.shelterOrigin());
        assertEquals(Duration.ofSeconds(90), config.replication().coolDown());
        assertEquals(Duration.ofMillis(500), config.replication().waveInterval());
        assertEquals(1_000_000, config.replication().maxUploadBytesPerSecond());
        assertEquals(Duration.ofSeconds(5), config.overload().warmupTime());
        assertEquals(4.0, config.overload().surgeFactor());
        assertTrue(config.adminToken().isPresent());
    }

    @Test
    void toStringHidesTheSecrets() throws IOException {
        XenoConfig config = load(minimal() + "admin-token = a-long-admin-token-123\ndns.servers = 127.0.0.1:53\n"
                + "dns.tsig = " + TSIG + "\n");
        String text = config.toString();
        assertFalse(text.contains("a-long-admin-token-123"), text);
        assertFalse(text.contains("c2VjcmV0"), text);
        assertTrue(text.contains("token (hidden)"), text);
    }

    @Test
    void defaultsNeedOnlyTheEssentials() throws IOException {
        XenoConfig config = load(minimal());
        assertTrue(config.peers().isEmpty());
        assertTrue(config.dns().isEmpty());
        assertTrue(config.adminToken().isEmpty());
        assertEquals(ReplicationConfig.DEFAULTS.coolDown(), config.replication().coolDown());
        assertEquals(XenoConfig.DEFAULT_STATIC_MEMORY_BYTES, config.staticMemoryBytes());
        assertEquals(XenoConfig.DEFAULT_STATIC_MEMORY_FILE_BYTES, config.staticMemoryFileBytes());
    }

    @Test
    void readsTheStaticMemoryLimits() throws IOException {
        XenoConfig config = load(minimal() + "static-memory-bytes = 1048576\nstatic-memory-file-bytes = 65536\n");
        assertEquals(1 << 20, config.staticMemoryBytes());
        assertEquals(1 << 16, config.staticMemoryFileBytes());
        assertTrue(config.toString().contains("staticMemory=1048576 bytes (65536 per file)"), config.toString());
        assertEquals(0, load(minimal() + "static-memory-bytes = 0\n").staticMemoryBytes(), "0 turns it off");
    }

    @Test
    void theBuilderRefusesStaticMemoryLimitsOutOfRangeSayingWhy() {
        IllegalArgumentException negative = assertThrows(
                IllegalArgumentException.class, () -> XenoConfig.builder().staticMemoryBytes(-1));
        assertEquals(
                "staticMemoryBytes must be between 0 (off) and 17179869184 (16 GiB), but was -1",
                negative.getMessage());
        IllegalArgumentException zero = assertThrows(
                IllegalArgumentException.class, () -> XenoConfig.builder().staticMemoryFileBytes(0));
        assertEquals("staticMemoryFileBytes must be between 1 and 268435456 (256 MiB), but was 0", zero.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "unknown property|colour = blue|unknown property colour",
                "typo in a peer property|peer.p1.control-ur = http://x:1|unknown property peer.p1.control-ur",
                "peer without addresses|peer.p1.control-url = http://x:1|peer.p1.addresses is required",
                "peer host name instead of address|peer.p1.control-url = http://x:1\\npeer.p1.addresses = peer.example|"
                        + "not an IP address literal",
                "peer ftp control url|peer.p1.control-url = ftp://x:1\\npeer.p1.addresses = 192.0.2.1\\n"
                        + "peer.p1.public-key = " + PEER_KEY + "|absolute http(s) URL",
                "peer weight out of range|peer.p1.control-url = http://x:1\\npeer.p1.addresses = 192.0.2.1\\n"
                        + "peer.p1.weight = 0|peer.p1.weight must be between 1 and 1000",
                "peer without public key|peer.p1.control-url = http://x:1\\npeer.p1.addresses = 192.0.2.1|"
                        + "peer.p1.public-key is required",
                "peer with a bad public key|peer.p1.control-url = http://x:1\\npeer.p1.addresses = 192.0.2.1\\n"
                        + "peer.p1.public-key = bm90IGEga2V5|peer.p1.public-key is not an Ed25519 public key",
                "bad dynamic policy|dynamic./order = teleport|policy must be proxy, capture or degrade",
                "capture without intake or back-channel|dynamic./order = capture,page=/t.html|needs an \"intake\"",
                "dns without tsig|dns.servers = 127.0.0.1:53|exactly one of dns.tsig",
                "dns with both tsig forms|dns.servers = 127.0.0.1:53\\ndns.tsig = " + TSIG
                        + "\\ndns.tsig-file = t|exactly one",
                "dns ttl zero|dns.servers = 127.0.0.1:53\\ndns.tsig = " + TSIG
                        + "\\ndns.ttl-seconds = 0|dns.ttl-seconds",
                "shelter without origin addresses|dns.servers = 127.0.0.1:53\\ndns.tsig = " + TSIG
                        + "\\ndns.shelter-origin = true|needs its addresses",
                "shelter not boolean|dns.servers = 127.0.0.1:53\\ndns.tsig = " + TSIG + "\\ndns.shelter-origin = yes|"
                        + "true or false",
                "unknown dns property|dns.server = 127.0.0.1:53|unknown property dns.server",
                "unknown overload property|overload.surge = 3|unknown property overload.surge",
                "cool-down not a number|replication.cool-down-seconds = soon|must be a whole number",
                "unknown replication property|replication.cooldown-seconds = 5|unknown property replication.cooldown-seconds",
                "negative upload limit|replication.max-upload-bytes-per-second = -1|replication.max-upload-bytes-per-second",
                "unknown acme property|acme.directry = https://acme.example/dir|unknown property acme.directry",
                "acme over http|acme.directory = http://acme.example/dir\\ndns.servers = 127.0.0.1:53\\ndns.tsig = "
                        + TSIG + "|https",
                "acme without dns|acme.directory = https://acme.example/dir|ACME certificates need dns settings",
                "acme contact not an address|acme.directory = https://acme.example/dir\\nacme.contact = owner"
                        + "\\ndns.servers = 127.0.0.1:53\\ndns.tsig = " + TSIG + "|mailto:",
                "acme wildcard name|acme.directory = https://acme.example/dir\\nacme.names = *.books.example"
                        + "\\ndns.servers = 127.0.0.1:53\\ndns.tsig = " + TSIG + "|wildcard",
                "acme trust file not a certificate|acme.directory = https://acme.example/dir\\n"
                        + "acme.trust-file = site.key\\ndns.servers = 127.0.0.1:53\\ndns.tsig = " + TSIG
                        + "|acme.trust-file",
                "acme without directory|acme.contact = owner@books.example\\ndns.servers = 127.0.0.1:53\\ndns.tsig = "
                        + TSIG + "|acme.directory is required",
                "short admin token|admin-token = short|at least 16",
                "http-only not a boolean|http-only = yes|http-only must be true or false",
                "https redirect not boolean|https.redirect = yes|https.redirect must be true or false",
                "unknown https property|https.port = 8443|unknown property https.port",
                "https hsts without max-age|https.hsts = includeSubDomains|https.hsts must give max-age",
                "https hsts with a header injected|https.hsts = max-age=1\\u000d\\u000aSet-Cookie: a=b|https.hsts must be"
                        + " printable ASCII",
                "https hsts with another directive|https.hsts = max-age=1; report-uri=x|https.hsts must consist",
                "https hsts empty|https.hsts =|leave it out",
                "back-channel without scheme|back-channel = 10.0.0.5:8080|back-channel",
                "site not a host name|site = bad_host!|host name",
                "negative static memory|static-memory-bytes = -1|static-memory-bytes must be between 0 and",
                "static memory not a number|static-memory-bytes = 64M|static-memory-bytes must be a whole number",
                "static memory over 16 GiB|static-memory-bytes = 17179869185|static-memory-bytes must be between",
                "static memory per file zero|static-memory-file-bytes = 0|static-memory-file-bytes must be between 1",
            })
    void badPropertiesAreRefusedNamingTheProperty(String name, String extra, String message) throws IOException {
        String text =
                minimal().replace("site = books.example\n", extra.contains("site =") ? "" : "site = books.example\n")
                        + extra.replace("\\n", "\n") + "\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(text));
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("xeno.properties").toString()), e.getMessage());
    }

    @Test
    void readsTheAcmePropertiesWithTheAccountKeyInTheStateDirectory() throws IOException {
        TestCertificateAuthority ca = TestCertificateAuthority.create("private ACME CA");
        Files.writeString(dir.resolve("acme-ca.pem"), TestCertificateAuthority.pem(ca.certificate()));
        XenoConfig config = load(minimal() + """
                dns.servers = 127.0.0.1:53
                dns.tsig = %s
                acme.directory = https://acme.example/directory
                acme.contact = owner@books.example
                acme.names = www.books.example, shop.books.example
                acme.trust-file = acme-ca.pem
                """.formatted(TSIG));
        AcmeSettings acme = config.acme().orElseThrow();
        assertEquals(URI.create("https://acme.example/directory"), acme.directory());
        assertEquals(URI.create("mailto:owner@books.example"), acme.contact().orElseThrow());
        assertEquals(List.of("books.example", "www.books.example", "shop.books.example"), acme.names(config.site()));
        assertEquals(dir.resolve("state").resolve(AcmeSettings.ACCOUNT_KEY_FILE), acme.accountKeyFile());
        assertEquals(List.of(ca.certificate()), acme.trust());
        assertTrue(config.toString().contains("acme=https://acme.example/directory"), config.toString());
    }

    @Test
    void readsTheHttpsProperties() throws IOException {
        XenoConfig config =
                load(minimal() + "https.redirect = true\nhttps.hsts = max-age=31536000; includeSubDomains\n");

        assertEquals(HttpsSettings.redirectOnly().withHsts("max-age=31536000; includeSubDomains"), config.https());
        assertTrue(config.toString().contains("https=redirect, hsts max-age=31536000"), config.toString());
        assertEquals(
                new HttpsSettings(false, Optional.of("max-age=600")),
                load(minimal() + "https.redirect = false\nhttps.hsts = max-age=600\n")
                        .https());
    }

    @Test
    void anOversizeHstsIsRefusedNamingTheProperty() {
        String hsts = "max-age=1;" + " ".repeat(300) + "preload";
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> load(minimal() + "https.hsts = " + hsts + "\n"));
        assertTrue(e.getMessage().contains("https.hsts must be 1 to 256 characters"), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("xeno.properties").toString()), e.getMessage());
    }

    @Test
    void withoutHttpsPropertiesTheBundlesAskForNothing() throws IOException {
        assertEquals(HttpsSettings.NONE, load(minimal()).https());
        assertTrue(load(minimal()).toString().contains("https=required, no redirect"));
    }

    @Test
    void acmeNeedsTheStateDirectoryForItsAccountKey() {
        String text = minimal().replace("state-directory = state\n", "") + "dns.servers = 127.0.0.1:53\ndns.tsig = "
                + TSIG + "\nacme.directory = https://acme.example/dir\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(text));
        assertTrue(e.getMessage().contains("state-directory"), e.getMessage());
    }

    @Test
    void withoutAcmePropertiesThereIsNoAcme() throws IOException {
        assertTrue(load(minimal()).acme().isEmpty());
    }

    @Test
    void aSiteIsHttpsUnlessDeclaredHttpOnly() throws IOException {
        assertFalse(load(minimal()).httpOnly(), "peers need certificates by default");
        XenoConfig plain = load(minimal() + "http-only = true\n");
        assertTrue(plain.httpOnly());
        assertTrue(plain.toString().contains("https=off (http-only)"), plain.toString());
    }

    @Test
    void anHttpOnlySiteAsksForNoRedirect() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> load(minimal() + "http-only = true\nhttps.redirect = true\n"));
        assertTrue(e.getMessage().contains("drop https.* or http-only"), e.getMessage());
    }

    @Test
    void anHttpOnlySiteOrdersNoCertificates() {
        String text = minimal() + "http-only = true\ndns.servers = 127.0.0.1:53\ndns.tsig = " + TSIG
                + "\nacme.directory = https://acme.example/dir\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(text));
        assertTrue(e.getMessage().contains("drop acme.* or http-only"), e.getMessage());
    }

    @Test
    void missingEssentialsAreNamed() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> XenoConfig.builder()
                        .site("books.example")
                        .stateDirectory(dir)
                        .staticDirectory(dir)
                        .build());
        assertTrue(e.getMessage().contains("site key is required"), e.getMessage());
        e = assertThrows(
                IllegalStateException.class,
                () -> XenoConfig.builder()
                        .site("books.example")
                        .siteKey(keys.getPrivate())
                        .stateDirectory(dir)
                        .build());
        assertTrue(e.getMessage().contains("static source"), e.getMessage());
    }

    @Test
    void missingFileAndMissingKeyFileSayWhich() throws IOException {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> XenoConfig.load(dir.resolve("no")));
        assertTrue(missing.getMessage().contains("configuration file is missing"), missing.getMessage());
        assertThrows(IOException.class, () -> load(minimal().replace("site.key", "nope.key")));
    }

    @Test
    void rsaKeyIsRefused() throws Exception {
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> XenoConfig.builder().siteKey(rsa.generateKeyPair().getPrivate()));
        assertTrue(e.getMessage().contains("Ed25519"), e.getMessage());
    }

    @Test
    void duplicatePeersAndRoutesAreRefused() throws IOException {
        XenoConfig.Builder builder = XenoConfig.builder();
        PeerSpec peer = PeerSpec.of(
                "p1",
                java.net.URI.create("http://x:1"),
                List.of(InetAddress.getByName("192.0.2.1")),
                SiteKeys.generate().getPublic());
        builder.peer(peer);
        assertThrows(IllegalArgumentException.class, () -> builder.peer(peer));
        IllegalArgumentException sameKey = assertThrows(
                IllegalArgumentException.class,
                () -> builder.peer(new PeerSpec(
                        "p2",
                        peer.controlUrl(),
                        peer.servingAddresses(),
                        1,
                        java.util.Optional.empty(),
                        peer.publicKey())));
        assertTrue(sameKey.getMessage().contains("same public key"), sameKey.getMessage());
        builder.dynamicRoute("/order", "degrade,page=/s.html");
        assertThrows(IllegalArgumentException.class, () -> builder.dynamicRoute("/order", "degrade,page=/t.html"));
    }

    private String minimal() {
        return "site = books.example\nsite-key = site.key\nstate-directory = state\nstatic.directory = public\n";
    }

    private XenoConfig load(String text) throws IOException {
        Path file = dir.resolve("xeno.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return XenoConfig.load(file);
    }
}
