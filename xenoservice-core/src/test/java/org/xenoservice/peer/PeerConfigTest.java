package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.SiteQuota;

/** Reading a peer's properties file: defaults, every setting, and a clear error for each bad input. */
class PeerConfigTest {
    private static final KeyPair BOOKS = SiteKeys.generate();
    private static final KeyPair MAPS = SiteKeys.generate();

    @TempDir
    Path dir;

    @BeforeEach
    void writeKeys() throws IOException {
        SiteKeys.writePublicKey(Files.createDirectories(dir.resolve("keys")).resolve("books.pub"), BOOKS.getPublic());
        SiteKeys.writePublicKey(dir.resolve("keys/maps.pub"), MAPS.getPublic());
    }

    private Path file(String... lines) throws IOException {
        return Files.writeString(dir.resolve("peer.properties"), String.join("\n", lines) + "\n");
    }

    private PeerConfigException rejected(String... lines) throws IOException {
        Path file = file(lines);
        return assertThrows(PeerConfigException.class, () -> PeerConfig.load(file));
    }

    private static final String STORE = "store-directory = store";
    private static final String BOOKS_KEY = "site.books.example.key = keys/books.pub";

    @Test
    void minimalFileTakesTheDefaults() throws IOException {
        PeerConfig config = PeerConfig.load(file(STORE, BOOKS_KEY));
        assertEquals(PeerConfig.DEFAULT_SERVING_PORT, config.servingPort());
        assertEquals(PeerConfig.DEFAULT_CONTROL_PORT, config.controlPort());
        assertEquals("0.0.0.0", config.bindAddress());
        assertEquals(1L << 30, config.maxUploadBytes());
        assertEquals(dir.resolve("store"), config.storeDirectory());
        assertEquals(Optional.empty(), config.tlsKeystore());
        assertEquals(1, config.enrollments().size());
        Enrollment books = config.enrollments().get(0);
        assertEquals("books.example", books.site());
        assertEquals(BOOKS.getPublic(), books.key());
        assertEquals(SiteQuota.DEFAULT, books.quota());
    }

    @Test
    void everySettingIsRead() throws IOException {
        Files.write(dir.resolve("peer.p12"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve("tls.pass"), "s3cret\n");
        PeerConfig config = PeerConfig.load(file(
                "serving-port = 80",
                "control-port = 8443",
                "bind-address = 127.0.0.1",
                "store-directory = /var/lib/xeno",
                "max-upload-bytes = 1048576",
                "tls.keystore = peer.p12",
                "tls.password-file = tls.pass",
                BOOKS_KEY,
                "site.books.example.max-stored-bytes = 5000000",
                "site.books.example.requests-per-second = 250.5",
                "site.books.example.bandwidth-share = 0.25",
                "site.maps.example.key-pem = "
                        + SiteKeys.toPem(MAPS.getPublic()).replace("\n", "\\n")));
        assertEquals(80, config.servingPort());
        assertEquals(8443, config.controlPort());
        assertEquals("127.0.0.1", config.bindAddress());
        assertEquals(Path.of("/var/lib/xeno"), config.storeDirectory());
        assertEquals(1_048_576, config.maxUploadBytes());
        assertEquals(Optional.of(dir.resolve("peer.p12")), config.tlsKeystore());
        assertArrayEquals("s3cret".toCharArray(), config.tlsPassword());
        assertEquals(
                List.of(
                        new Enrollment("books.example", BOOKS.getPublic(), new SiteQuota(5_000_000, 250.5, 0.25)),
                        new Enrollment("maps.example", MAPS.getPublic(), SiteQuota.DEFAULT)),
                config.enrollments());
        assertFalse(config.toString().contains("s3cret"), config.toString());
    }

    @Test
    void toBuilderKeepsEverythingAndAllowsOverrides() throws IOException {
        Files.write(dir.resolve("peer.p12"), new byte[] {1});
        PeerConfig config = PeerConfig.load(file(STORE, BOOKS_KEY, "tls.keystore = peer.p12", "tls.password = pw"));
        PeerConfig changed = config.toBuilder().controlPort(9000).build();
        assertEquals(9000, changed.controlPort());
        assertEquals(config.enrollments(), changed.enrollments());
        assertEquals(config.tlsKeystore(), changed.tlsKeystore());
        assertArrayEquals("pw".toCharArray(), changed.tlsPassword());
    }

    @Test
    void unknownPropertyIsNamedWithTheKnownOnes() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "control-prot = 9000");
        assertEquals(Optional.of("control-prot"), e.property());
        assertTrue(e.getMessage().contains("unknown property"), e.getMessage());
        assertTrue(e.getMessage().contains("control-port"), e.getMessage());
        assertTrue(e.getMessage().contains("site.<host>.requests-per-second"), e.getMessage());
    }

    @Test
    void tlsEngineIsReadInAnyCaseAndDefaultsToAuto() throws IOException {
        assertEquals(TlsEngine.AUTO, PeerConfig.load(file(STORE, BOOKS_KEY)).tlsEngine());
        assertEquals(
                TlsEngine.BORINGSSL,
                PeerConfig.load(file(STORE, BOOKS_KEY, "tls-engine = BoringSSL"))
                        .tlsEngine());
        assertEquals(
                TlsEngine.BORINGSSL,
                PeerConfig.load(file(STORE, BOOKS_KEY, "tls-engine = openssl")).tlsEngine(),
                "the engine's name before BoringSSL replaced the system's OpenSSL");
        PeerConfig jdk = PeerConfig.load(file(STORE, BOOKS_KEY, "tls-engine = jdk"));
        assertEquals(TlsEngine.JDK, jdk.tlsEngine());
        assertEquals(TlsEngine.JDK, jdk.toBuilder().build().tlsEngine());
        assertTrue(jdk.toString().contains("tlsEngine=jdk"), jdk.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"boring", "open ssl", "yes", "jsse"})
    void unknownTlsEngineIsRejectedWithTheChoices(String value) throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "tls-engine = " + value);
        assertEquals(Optional.of("tls-engine"), e.property());
        assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
        assertTrue(
                e.getMessage().contains("give auto (BoringSSL when it loads, else the JDK's), boringssl or jdk"),
                e.getMessage());
    }

    @Test
    void unknownSiteSettingIsRejected() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "site.books.example.quota = 5");
        assertEquals(Optional.of("site.books.example.quota"), e.property());
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "65536", "99999999999999999999", "80.5", "0x50", " 8 0"})
    void badPortIsRejectedWithTheValue(String value) throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "serving-port = " + value);
        assertEquals(Optional.of("serving-port"), e.property());
        assertTrue(e.getMessage().contains("between 0 and 65535"), e.getMessage());
    }

    @Test
    void samePortTwiceIsRejected() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "serving-port = 9000", "control-port = 9000");
        assertTrue(e.getMessage().contains("must differ"), e.getMessage());
    }

    @Test
    void allowedOriginsAreReadAndCheckedPerSite() throws IOException {
        PeerConfig config = PeerConfig.load(file(
                STORE,
                BOOKS_KEY,
                "site.books.example.allowed-origins = http://10.0.0.5:8080, https://origin.books.example"));
        Enrollment books = config.enrollments().get(0);
        assertTrue(books.allows(java.net.URI.create("http://10.0.0.5:8080/search?q=x")));
        assertTrue(books.allows(java.net.URI.create("https://origin.books.example:443/_xeno/intake")));
        assertFalse(books.allows(java.net.URI.create("http://10.0.0.6:8080/")));
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "site.books.example.allowed-origins = ftp://files.example");
        assertEquals(Optional.of("site.books.example.allowed-origins"), e.property());
    }

    @Test
    void peerBandwidthIsReadAndDefaultsToUnlimited() throws IOException {
        assertEquals(0, PeerConfig.load(file(STORE, BOOKS_KEY)).bandwidthBytesPerSecond());
        assertEquals(
                12_500_000,
                PeerConfig.load(file(STORE, BOOKS_KEY, "bandwidth-bytes-per-second = 12500000"))
                        .bandwidthBytesPerSecond());
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "bandwidth-bytes-per-second = 10Mbit");
        assertEquals(Optional.of("bandwidth-bytes-per-second"), e.property());
    }

    @Test
    void connectionLimitsAreReadAndDefaultWhenAbsent() throws IOException {
        assertEquals(
                ConnectionLimits.DEFAULTS,
                PeerConfig.load(file(STORE, BOOKS_KEY)).connectionLimits());
        ConnectionLimits limits = PeerConfig.load(file(
                        STORE,
                        BOOKS_KEY,
                        "header-timeout-seconds = 2",
                        "body-timeout-seconds = 3",
                        "idle-timeout-seconds = 4",
                        "upload-timeout-seconds = 5",
                        "max-connections = 600",
                        "max-connections-per-address = 6",
                        "max-concurrent-uploads = 7"))
                .connectionLimits();
        assertEquals(
                new ConnectionLimits(
                        java.time.Duration.ofSeconds(2),
                        java.time.Duration.ofSeconds(3),
                        java.time.Duration.ofSeconds(4),
                        java.time.Duration.ofSeconds(5),
                        600,
                        6,
                        7),
                limits);
        assertEquals(
                Optional.of("header-timeout-seconds"),
                rejected(STORE, BOOKS_KEY, "header-timeout-seconds = 0").property());
        assertEquals(
                Optional.of("idle-timeout-seconds"),
                rejected(STORE, BOOKS_KEY, "idle-timeout-seconds = 1m").property());
        PeerConfigException perAddress =
                rejected(STORE, BOOKS_KEY, "max-connections = 10", "max-connections-per-address = 20");
        assertEquals(Optional.of("max-connections-per-address"), perAddress.property());
        assertTrue(
                perAddress.getMessage().contains("at most max-connections (10), but was 20"), perAddress.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "1GB", "1e9", "1_000"})
    void badUploadLimitIsRejected(String value) throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "max-upload-bytes = " + value);
        assertEquals(Optional.of("max-upload-bytes"), e.property());
        assertTrue(e.getMessage().contains(value.strip()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1.5", "NaN", "Infinity", "-0.1", "1e-3"})
    void badBandwidthShareIsRejected(String value) throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "site.books.example.bandwidth-share = " + value);
        assertEquals(Optional.of("site.books.example.bandwidth-share"), e.property());
    }

    @Test
    void captureLimitsAreReadPerSite() throws IOException {
        PeerConfig config = PeerConfig.load(file(
                STORE,
                BOOKS_KEY,
                "site.books.example.capture-requests-per-second = 2.5",
                "site.books.example.capture-bytes-per-second = 65536"));
        assertEquals(new CaptureLimits(2.5, 65536), config.enrollments().get(0).captureLimits());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"capture-requests-per-second = 0", "capture-bytes-per-second = 0", "capture-bytes-per-second = x"
            })
    void badCaptureLimitIsRejectedNamingTheProperty(String setting) throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "site.books.example." + setting);
        assertEquals(Optional.of("site.books.example." + setting.substring(0, setting.indexOf(' '))), e.property());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "fast", "-10"})
    void badRateIsRejected(String value) throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "site.books.example.requests-per-second = " + value);
        assertEquals(Optional.of("site.books.example.requests-per-second"), e.property());
    }

    @Test
    void missingKeyFileIsNamed() throws IOException {
        PeerConfigException e = rejected(STORE, "site.books.example.key = keys/nope.pub");
        assertEquals(Optional.of("site.books.example.key"), e.property());
        assertTrue(e.getMessage().contains("nope.pub") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void privateKeyInsteadOfPublicIsRejected() throws IOException {
        SiteKeys.writePrivateKey(dir.resolve("keys/books.key"), BOOKS.getPrivate());
        PeerConfigException e = rejected(STORE, "site.books.example.key = keys/books.key");
        assertTrue(e.getMessage().contains("BEGIN PUBLIC KEY"), e.getMessage());
    }

    @Test
    void garbledInlinePemIsRejected() throws IOException {
        PeerConfigException e =
                rejected(STORE, "site.books.example.key-pem = -----BEGIN PUBLIC KEY-----!!!!-----END PUBLIC KEY-----");
        assertEquals(Optional.of("site.books.example.key-pem"), e.property());
    }

    @Test
    void rsaShapedGarbageInPemIsRejected() throws IOException {
        PeerConfigException e = rejected(
                STORE, "site.books.example.key-pem = -----BEGIN PUBLIC KEY-----QUJDRA==-----END PUBLIC KEY-----");
        assertTrue(e.getMessage().contains("not an Ed25519 public key"), e.getMessage());
    }

    @Test
    void keyFileAndInlineKeyTogetherAreRejected() throws IOException {
        PeerConfigException e = rejected(
                STORE,
                BOOKS_KEY,
                "site.books.example.key-pem = "
                        + SiteKeys.toPem(BOOKS.getPublic()).replace("\n", "\\n"));
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
    }

    @Test
    void quotaWithoutKeyIsRejected() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "site.maps.example.max-stored-bytes = 100");
        assertTrue(e.getMessage().contains("site maps.example has no public key"), e.getMessage());
    }

    @Test
    void sameSiteInTwoCasesIsADuplicate() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "site.Books.Example.key = keys/maps.pub");
        assertTrue(e.getMessage().contains("configured twice"), e.getMessage());
    }

    @Test
    void propertyGivenTwiceIsRejected() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "control-port = 9000", "control-port = 9001");
        assertEquals(Optional.of("control-port"), e.property());
        assertTrue(e.getMessage().contains("more than once"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "site..key",
                "site.-books.example.key",
                "site.books_shop.example.key",
                "site.a..b.key",
                "site.ünïcode.example.key"
            })
    void badHostNameIsRejected(String property) throws IOException {
        PeerConfigException e = rejected(STORE, property + " = keys/books.pub");
        assertTrue(
                e.getMessage().contains("is not a site") || e.getMessage().contains("unknown property"),
                e.getMessage());
    }

    @Test
    void emptyValueIsRejected() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "bind-address =   ");
        assertEquals(Optional.of("bind-address"), e.property());
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
    }

    @Test
    void missingStoreDirectoryIsRejected() throws IOException {
        PeerConfigException e = rejected(BOOKS_KEY);
        assertEquals(Optional.of("store-directory"), e.property());
        assertTrue(e.getMessage().contains("store-directory: is required"), e.getMessage());
    }

    @Test
    void noSiteIsRejected() throws IOException {
        PeerConfigException e = rejected(STORE);
        assertEquals(Optional.of("site.<host>.key"), e.property());
        assertTrue(e.getMessage().contains("must name at least one site"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        PeerConfigException e = assertThrows(PeerConfigException.class, () -> PeerConfig.load(dir.resolve("none")));
        assertTrue(e.getMessage().contains("none") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void binaryFileIsRejected() throws IOException {
        Path file = Files.write(dir.resolve("peer.properties"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
        PeerConfigException e = assertThrows(PeerConfigException.class, () -> PeerConfig.load(file));
        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
    }

    @Test
    void malformedUnicodeEscapeIsRejected() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "bind-address = \\uZZZZ");
        assertTrue(e.getMessage().contains("not a valid properties file"), e.getMessage());
    }

    @Test
    void hugeFileIsRejected() throws IOException {
        Path file = Files.writeString(dir.resolve("peer.properties"), "# x\n".repeat(300_000), StandardCharsets.UTF_8);
        PeerConfigException e = assertThrows(PeerConfigException.class, () -> PeerConfig.load(file));
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }

    @Test
    void tlsKeystoreWithoutPasswordIsRejected() throws IOException {
        Files.write(dir.resolve("peer.p12"), new byte[] {1});
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "tls.keystore = peer.p12");
        assertTrue(e.getMessage().contains("without a password"), e.getMessage());
    }

    @Test
    void tlsPasswordWithoutKeystoreIsRejected() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "tls.password = pw");
        assertEquals(Optional.of("tls.password"), e.property());
    }

    @Test
    void tlsPasswordTwoWaysIsRejected() throws IOException {
        Files.write(dir.resolve("peer.p12"), new byte[] {1});
        Files.writeString(dir.resolve("tls.pass"), "pw");
        PeerConfigException e = rejected(
                STORE, BOOKS_KEY, "tls.keystore = peer.p12", "tls.password = pw", "tls.password-file = tls.pass");
        assertTrue(e.getMessage().contains("not both"), e.getMessage());
    }

    @Test
    void missingKeystoreIsNamed() throws IOException {
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "tls.keystore = gone.p12", "tls.password = pw");
        assertTrue(e.getMessage().contains("gone.p12"), e.getMessage());
    }

    @Test
    void missingPasswordFileIsNamedWithoutTheSecret() throws IOException {
        Files.write(dir.resolve("peer.p12"), new byte[] {1});
        PeerConfigException e = rejected(STORE, BOOKS_KEY, "tls.keystore = peer.p12", "tls.password-file = gone.pass");
        assertTrue(e.getMessage().contains("gone.pass"), e.getMessage());
    }

    @Test
    void builderRejectsBadValuesWithTheirNames() {
        PeerConfig.Builder builder = PeerConfig.builder();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.servingPort(70000))
                .getMessage()
                .contains("servingPort must be between 0 and 65535, but was 70000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.maxUploadBytes(0))
                .getMessage()
                .contains("maxUploadBytes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> builder.bindAddress("a b"))
                .getMessage()
                .contains("bindAddress"));
        Enrollment books = new Enrollment("books.example", BOOKS.getPublic(), SiteQuota.DEFAULT);
        builder.enroll(books);
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> builder.enroll(new Enrollment("BOOKS.example", MAPS.getPublic(), SiteQuota.DEFAULT)))
                .getMessage()
                .contains("enrolled twice"));
    }

    @Test
    void builderErrorsCarryTheSettingAndTheProblemApart() {
        PeerSettingException port = assertThrows(
                PeerSettingException.class, () -> PeerConfig.builder().controlPort(-1));
        assertEquals(PeerSettingException.Setting.CONTROL_PORT, port.setting());
        assertEquals("must be between 0 and 65535, but was -1", port.problem());
        assertFalse(port.missing());
        PeerSettingException noStore = assertThrows(
                PeerSettingException.class, () -> PeerConfig.builder().build());
        assertEquals(PeerSettingException.Setting.STORE_DIRECTORY, noStore.setting());
        assertTrue(noStore.missing());
    }

    @Test
    void portZeroIsAllowedForBothPorts() {
        PeerConfig config = PeerConfig.builder()
                .servingPort(0)
                .controlPort(0)
                .storeDirectory(dir)
                .enroll(new Enrollment("books.example", BOOKS.getPublic(), SiteQuota.DEFAULT))
                .build();
        assertEquals(0, config.servingPort());
        assertEquals(0, config.controlPort());
    }
}
