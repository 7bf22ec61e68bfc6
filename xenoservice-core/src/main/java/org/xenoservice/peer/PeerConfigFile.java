package org.xenoservice.peer;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.xenoservice.bundle.SiteName;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.PeerSettingException.Setting;
import org.xenoservice.protocol.SiteQuota;

/**
 * Reads one peer properties file (see {@link PeerConfig}) into a {@link PeerConfig.Builder}: the
 * parsing apart from the values, so that the builder's checks apply to a file's settings too and
 * every error names the file and the property. Used once per file, on one thread.
 */
final class PeerConfigFile {
    private static final String SERVING_PORT = Setting.SERVING_PORT.propertyName();
    private static final String HTTPS_PORT = Setting.HTTPS_PORT.propertyName();
    private static final String TLS_ENGINE = Setting.TLS_ENGINE.propertyName();
    private static final String CONTROL_PORT = Setting.CONTROL_PORT.propertyName();
    private static final String BIND_ADDRESS = Setting.BIND_ADDRESS.propertyName();
    private static final String STORE_DIRECTORY = Setting.STORE_DIRECTORY.propertyName();
    private static final String MAX_UPLOAD_BYTES = Setting.MAX_UPLOAD_BYTES.propertyName();
    private static final String BANDWIDTH = Setting.BANDWIDTH_BYTES_PER_SECOND.propertyName();
    private static final String METRICS_TOKEN_FILE = Setting.METRICS_TOKEN.propertyName();
    private static final String RETIRED_FORWARDING = Setting.RETIRED_FORWARDING.propertyName();
    private static final List<Setting> LIMITS = List.of(
            Setting.HEADER_TIMEOUT,
            Setting.BODY_TIMEOUT,
            Setting.IDLE_TIMEOUT,
            Setting.UPLOAD_TIMEOUT,
            Setting.MAX_CONNECTIONS,
            Setting.MAX_CONNECTIONS_PER_ADDRESS,
            Setting.MAX_CONCURRENT_UPLOADS);
    private static final String TLS_KEYSTORE = "tls.keystore";
    private static final String TLS_PASSWORD = "tls.password";
    private static final String TLS_PASSWORD_FILE = "tls.password-file";
    private static final List<String> SETTINGS = List.of(
            SERVING_PORT,
            HTTPS_PORT,
            TLS_ENGINE,
            CONTROL_PORT,
            BIND_ADDRESS,
            STORE_DIRECTORY,
            MAX_UPLOAD_BYTES,
            BANDWIDTH,
            METRICS_TOKEN_FILE,
            RETIRED_FORWARDING,
            TLS_KEYSTORE,
            TLS_PASSWORD,
            TLS_PASSWORD_FILE,
            Setting.HEADER_TIMEOUT.propertyName(),
            Setting.BODY_TIMEOUT.propertyName(),
            Setting.IDLE_TIMEOUT.propertyName(),
            Setting.UPLOAD_TIMEOUT.propertyName(),
            Setting.MAX_CONNECTIONS.propertyName(),
            Setting.MAX_CONNECTIONS_PER_ADDRESS.propertyName(),
            Setting.MAX_CONCURRENT_UPLOADS.propertyName());
    private static final String KEY = "key";
    private static final String KEY_PEM = "key-pem";
    private static final String MAX_STORED_BYTES = "max-stored-bytes";
    private static final String REQUESTS_PER_SECOND = "requests-per-second";
    private static final String BANDWIDTH_SHARE = "bandwidth-share";
    private static final String ALLOWED_ORIGINS = "allowed-origins";
    private static final String TLS_CERTIFICATE = "tls-certificate";
    private static final String TLS_KEY = "tls-key";
    private static final String CAPTURE_RATE = "capture-requests-per-second";
    private static final String CAPTURE_BYTES = "capture-bytes-per-second";
    private static final List<String> SITE_SETTINGS = List.of(
            CAPTURE_RATE,
            CAPTURE_BYTES,
            KEY,
            KEY_PEM,
            MAX_STORED_BYTES,
            REQUESTS_PER_SECOND,
            BANDWIDTH_SHARE,
            ALLOWED_ORIGINS,
            TLS_CERTIFICATE,
            TLS_KEY);
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,15}(\\.[0-9]{1,15})?");
    private static final long MAX_CONFIG_BYTES = 1 << 20;
    private static final long MAX_PASSWORD_FILE_BYTES = 4096;

    private final Path file;
    private final Path folder;
    private final PeerConfig.Builder builder;

    PeerConfigFile(Path file, PeerConfig.Builder builder) {
        this.file = file;
        Path parent = file.toAbsolutePath().getParent();
        this.folder = parent == null ? Path.of("") : parent;
        this.builder = builder;
    }

    void parse() throws IOException {
        Map<String, String> properties = read();
        Map<String, Map<String, String>> sites = sites(properties);
        String value;
        if ((value = properties.get(SERVING_PORT)) != null) {
            builder.servingPort(port(SERVING_PORT, value));
        }
        if ((value = properties.get(HTTPS_PORT)) != null) {
            builder.httpsPort(port(HTTPS_PORT, value));
        }
        if ((value = properties.get(TLS_ENGINE)) != null) {
            String name = value;
            builder.tlsEngine(TlsEngine.fromPropertyValue(name)
                    .orElseThrow(() -> fail(
                            TLS_ENGINE,
                            "is '" + name + "'; give auto (BoringSSL when it loads, else the JDK's), boringssl or jdk",
                            null)));
        }
        if ((value = properties.get(CONTROL_PORT)) != null) {
            builder.controlPort(port(CONTROL_PORT, value));
        }
        if ((value = properties.get(BIND_ADDRESS)) != null) {
            String address = value;
            apply(BIND_ADDRESS, () -> builder.bindAddress(address));
        }
        if ((value = properties.get(STORE_DIRECTORY)) != null) {
            builder.storeDirectory(folder.resolve(path(STORE_DIRECTORY, value)).normalize());
        }
        if ((value = properties.get(MAX_UPLOAD_BYTES)) != null) {
            long bytes = wholeNumber(MAX_UPLOAD_BYTES, value);
            apply(MAX_UPLOAD_BYTES, () -> builder.maxUploadBytes(bytes));
        }
        if ((value = properties.get(RETIRED_FORWARDING)) != null) {
            if (!WHOLE_NUMBER.matcher(value).matches() || value.length() > 18) {
                throw fail(
                        RETIRED_FORWARDING,
                        "must be a whole number of seconds such as 3600, but was '" + value + "'",
                        null);
            }
            long seconds = Long.parseLong(value);
            apply(RETIRED_FORWARDING, () -> builder.retiredForwarding(Duration.ofSeconds(seconds)));
        }
        if ((value = properties.get(BANDWIDTH)) != null) {
            long bytes = wholeNumber(BANDWIDTH, value);
            apply(BANDWIDTH, () -> builder.bandwidthBytesPerSecond(bytes));
        }
        if ((value = properties.get(METRICS_TOKEN_FILE)) != null) {
            String token = secret(METRICS_TOKEN_FILE, value);
            apply(METRICS_TOKEN_FILE, () -> builder.metricsToken(token));
        }
        limits(properties);
        tls(properties);
        for (Map.Entry<String, Map<String, String>> site : sites.entrySet()) {
            Enrollment enrollment = enrollment(site.getKey(), site.getValue());
            apply("site." + site.getKey() + "." + KEY, () -> builder.enroll(enrollment));
            manualCertificate(site.getKey(), site.getValue());
        }
    }

    /** The per-site properties by host ({@code site.<host>.<setting>}); refuses unknown properties. */
    private Map<String, Map<String, String>> sites(Map<String, String> properties) throws PeerConfigException {
        Map<String, Map<String, String>> sites = new TreeMap<>();
        for (Map.Entry<String, String> property : properties.entrySet()) {
            String name = property.getKey();
            if (SETTINGS.contains(name)) {
                continue;
            }
            int dot = name.lastIndexOf('.');
            if (!name.startsWith("site.")
                    || dot <= "site.".length()
                    || !SITE_SETTINGS.contains(name.substring(dot + 1))) {
                throw fail(
                        name,
                        "unknown property; the known properties are " + String.join(", ", SETTINGS) + " and, per site, "
                                + String.join(
                                        ", ",
                                        SITE_SETTINGS.stream()
                                                .map(s -> "site.<host>." + s)
                                                .toList()),
                        null);
            }
            String rawHost = name.substring("site.".length(), dot);
            String host = rawHost.toLowerCase(Locale.ROOT);
            Optional<String> problem = SiteName.problem(host);
            if (problem.isPresent()) {
                throw fail(name, "'" + rawHost + "' is not a site: a site " + problem.get(), null);
            }
            String setting = name.substring(dot + 1);
            if (sites.computeIfAbsent(host, h -> new TreeMap<>()).put(setting, property.getValue()) != null) {
                throw fail(
                        name,
                        "site " + host + " is configured twice (host names are not case-sensitive); give each "
                                + "setting once",
                        null);
            }
        }
        return sites;
    }

    /**
     * A site's {@code tls-certificate} and {@code tls-key}: both or neither, read and checked now
     * (the site's name, valid now, the key matches, the chain links), so that a bad file is named
     * before the peer starts.
     */
    private void manualCertificate(String host, Map<String, String> settings) throws IOException {
        String prefix = "site." + host + ".";
        String chain = settings.get(TLS_CERTIFICATE);
        String key = settings.get(TLS_KEY);
        if (chain == null && key == null) {
            return;
        }
        if (chain == null || key == null) {
            throw fail(
                    prefix + (chain == null ? TLS_CERTIFICATE : TLS_KEY),
                    "give both " + prefix + TLS_CERTIFICATE + " (the chain, PEM, leaf first) and " + prefix + TLS_KEY
                            + " (its private key, PEM)",
                    null);
        }
        ManualCertificate manual = new ManualCertificate(
                host,
                folder.resolve(path(prefix + TLS_CERTIFICATE, chain)).normalize(),
                folder.resolve(path(prefix + TLS_KEY, key)).normalize());
        java.security.PrivateKey privateKey;
        try {
            privateKey = SiteCertificates.readManualKey(manual);
        } catch (IOException e) {
            throw fail(prefix + TLS_KEY, e.getMessage(), e);
        }
        try {
            SiteCertificates.checkManualChain(manual, privateKey, java.time.Instant.now());
        } catch (IOException e) {
            throw fail(prefix + TLS_CERTIFICATE, e.getMessage(), e);
        }
        apply(prefix + TLS_CERTIFICATE, () -> builder.manualCertificate(host, manual.chainFile(), manual.keyFile()));
    }

    private Map<String, String> read() throws IOException {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_CONFIG_BYTES) {
                throw fail(
                        "",
                        "is larger than " + MAX_CONFIG_BYTES + " bytes; a peer configuration is a small "
                                + "properties file",
                        null);
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw fail("", "no such file; give the peer's properties file", e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail("", "is not UTF-8 text; a peer configuration is a properties file", e);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        List<String> duplicates = new ArrayList<>();
        Properties reader = new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object key, Object value) {
                if (properties.put((String) key, ((String) value).strip()) != null) {
                    duplicates.add((String) key);
                }
                return super.put(key, value);
            }
        };
        try (Reader in = new StringReader(text)) {
            reader.load(in);
        } catch (IllegalArgumentException e) {
            throw fail("", "is not a valid properties file: " + e.getMessage(), e);
        }
        if (!duplicates.isEmpty()) {
            throw fail(duplicates.get(0), "is set more than once; give each property once", null);
        }
        for (Map.Entry<String, String> property : properties.entrySet()) {
            if (property.getValue().isEmpty()) {
                throw fail(property.getKey(), "is empty; give a value or leave the property out", null);
            }
        }
        return properties;
    }

    /** The stripped text of a small secret file named by {@code property}. */
    private String secret(String property, String value) throws IOException {
        Path secretFile = folder.resolve(path(property, value)).normalize();
        try {
            if (Files.size(secretFile) > MAX_PASSWORD_FILE_BYTES) {
                throw fail(property, secretFile + " is too large for a secret file", null);
            }
            return Files.readString(secretFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            if (e instanceof PeerConfigException known) {
                throw known;
            }
            throw fail(
                    property,
                    "cannot read the file " + secretFile + " (" + e.getClass().getSimpleName() + ")",
                    e);
        }
    }

    /** The {@link ConnectionLimits} properties, over the defaults, when the file sets any. */
    private void limits(Map<String, String> properties) throws PeerConfigException {
        if (LIMITS.stream().noneMatch(setting -> properties.containsKey(setting.propertyName()))) {
            return;
        }
        ConnectionLimits.Builder limits = ConnectionLimits.builder();
        for (Setting setting : LIMITS) {
            String name = setting.propertyName();
            String value = properties.get(name);
            if (value == null) {
                continue;
            }
            if (!WHOLE_NUMBER.matcher(value).matches() || Long.parseLong(value) > Integer.MAX_VALUE) {
                throw fail(
                        name,
                        "must be a whole number"
                                + (name.endsWith("-seconds") ? " of seconds such as 30" : " such as 64") + ", but was '"
                                + value + "'",
                        null);
            }
            int number = Integer.parseInt(value);
            Duration seconds = Duration.ofSeconds(number);
            switch (setting) {
                case HEADER_TIMEOUT -> limits.headerTimeout(seconds);
                case BODY_TIMEOUT -> limits.bodyTimeout(seconds);
                case IDLE_TIMEOUT -> limits.idleTimeout(seconds);
                case UPLOAD_TIMEOUT -> limits.uploadTimeout(seconds);
                case MAX_CONNECTIONS -> limits.maxConnections(number);
                case MAX_CONNECTIONS_PER_ADDRESS -> limits.maxConnectionsPerAddress(number);
                default -> limits.maxConcurrentUploads(number);
            }
        }
        try {
            builder.connectionLimits(limits.build());
        } catch (PeerSettingException e) {
            throw fail(e.setting().propertyName(), e.problem(), e);
        }
    }

    private void tls(Map<String, String> properties) throws IOException {
        String keystore = properties.get(TLS_KEYSTORE);
        String password = properties.get(TLS_PASSWORD);
        String passwordFile = properties.get(TLS_PASSWORD_FILE);
        if (password != null && passwordFile != null) {
            throw fail(TLS_PASSWORD_FILE, "give either tls.password or tls.password-file, not both", null);
        }
        if (keystore == null) {
            if (password != null || passwordFile != null) {
                throw fail(
                        password != null ? TLS_PASSWORD : TLS_PASSWORD_FILE,
                        "a TLS password without tls.keystore; set tls.keystore to the PKCS#12 key store it opens",
                        null);
            }
            return;
        }
        Path store = folder.resolve(path(TLS_KEYSTORE, keystore)).normalize();
        if (!Files.isRegularFile(store) || !Files.isReadable(store)) {
            throw fail(TLS_KEYSTORE, "cannot read the key store " + store + "; give a readable PKCS#12 file", null);
        }
        char[] secret;
        if (password != null) {
            secret = password.toCharArray();
        } else if (passwordFile != null) {
            Path secretFile =
                    folder.resolve(path(TLS_PASSWORD_FILE, passwordFile)).normalize();
            try {
                if (Files.size(secretFile) > MAX_PASSWORD_FILE_BYTES) {
                    throw fail(TLS_PASSWORD_FILE, secretFile + " is too large for a password file", null);
                }
                secret = Files.readString(secretFile, StandardCharsets.UTF_8)
                        .strip()
                        .toCharArray();
            } catch (IOException e) {
                if (e instanceof PeerConfigException known) {
                    throw known;
                }
                throw fail(
                        TLS_PASSWORD_FILE,
                        "cannot read the password file " + secretFile + " ("
                                + e.getClass().getSimpleName() + ")",
                        e);
            }
            if (secret.length == 0) {
                throw fail(TLS_PASSWORD_FILE, "the password file " + secretFile + " is empty", null);
            }
        } else {
            throw fail(TLS_KEYSTORE, "a key store without a password; set tls.password or tls.password-file", null);
        }
        builder.tls(store, secret);
        Arrays.fill(secret, '\0');
    }

    private Enrollment enrollment(String host, Map<String, String> settings) throws IOException {
        String prefix = "site." + host + ".";
        String keyFile = settings.get(KEY);
        String keyPem = settings.get(KEY_PEM);
        if (keyFile != null && keyPem != null) {
            throw fail(
                    prefix + KEY_PEM, "give either " + prefix + KEY + " or " + prefix + KEY_PEM + ", not both", null);
        }
        if (keyFile == null && keyPem == null) {
            throw fail(
                    prefix + settings.keySet().iterator().next(),
                    "site " + host + " has no public key; set " + prefix + KEY + " to its site.pub (or " + prefix
                            + KEY_PEM + " to the PEM text)",
                    null);
        }
        PublicKey key;
        if (keyFile != null) {
            Path pub = folder.resolve(path(prefix + KEY, keyFile)).normalize();
            try {
                key = SiteKeys.readPublicKey(pub);
            } catch (IOException e) {
                throw fail(prefix + KEY, e.getMessage(), e);
            }
        } else {
            try {
                key = SiteKeys.parsePublicKey(keyPem);
            } catch (IOException e) {
                throw fail(prefix + KEY_PEM, e.getMessage(), e);
            }
        }
        SiteQuota defaults = SiteQuota.DEFAULT;
        long maxStored = settings.containsKey(MAX_STORED_BYTES)
                ? wholeNumber(prefix + MAX_STORED_BYTES, settings.get(MAX_STORED_BYTES))
                : defaults.maxStoredBytes();
        double rate = settings.containsKey(REQUESTS_PER_SECOND)
                ? decimal(prefix + REQUESTS_PER_SECOND, settings.get(REQUESTS_PER_SECOND))
                : defaults.requestsPerSecond();
        double share = settings.containsKey(BANDWIDTH_SHARE)
                ? decimal(prefix + BANDWIDTH_SHARE, settings.get(BANDWIDTH_SHARE))
                : defaults.bandwidthShare();
        SiteQuota quota;
        try {
            quota = new SiteQuota(maxStored, rate, share);
        } catch (IllegalArgumentException e) {
            String property = maxStored < 1 ? MAX_STORED_BYTES : !(rate > 0) ? REQUESTS_PER_SECOND : BANDWIDTH_SHARE;
            throw fail(prefix + property, e.getMessage(), e);
        }
        List<java.net.URI> origins = new java.util.ArrayList<>();
        if (settings.containsKey(ALLOWED_ORIGINS)) {
            for (String origin : settings.get(ALLOWED_ORIGINS).split(",", -1)) {
                try {
                    origins.add(new java.net.URI(origin.strip()));
                } catch (java.net.URISyntaxException e) {
                    throw fail(
                            prefix + ALLOWED_ORIGINS,
                            "\"" + origin.strip() + "\" is not a URL such as " + "https://origin.books.example:8443",
                            e);
                }
            }
        }
        double captureRate = settings.containsKey(CAPTURE_RATE)
                ? decimal(prefix + CAPTURE_RATE, settings.get(CAPTURE_RATE))
                : CaptureLimits.DEFAULT.requestsPerSecond();
        long captureBytes = settings.containsKey(CAPTURE_BYTES)
                ? wholeNumber(prefix + CAPTURE_BYTES, settings.get(CAPTURE_BYTES))
                : CaptureLimits.DEFAULT.bytesPerSecond();
        CaptureLimits captureLimits;
        try {
            captureLimits = new CaptureLimits(captureRate, captureBytes);
        } catch (IllegalArgumentException e) {
            throw fail(prefix + (captureRate > 0 ? CAPTURE_BYTES : CAPTURE_RATE), e.getMessage(), e);
        }
        try {
            return new Enrollment(host, key, quota, origins, captureLimits);
        } catch (IllegalArgumentException e) {
            throw fail(prefix + ALLOWED_ORIGINS, e.getMessage(), e);
        }
    }

    private int port(String name, String value) throws PeerConfigException {
        if (!WHOLE_NUMBER.matcher(value).matches() || Long.parseLong(value) > 65535) {
            throw fail(name, "must be a port number between 0 and 65535, but was '" + value + "'", null);
        }
        return Integer.parseInt(value);
    }

    private long wholeNumber(String name, String value) throws PeerConfigException {
        if (!WHOLE_NUMBER.matcher(value).matches()) {
            throw fail(name, "must be a whole number of bytes such as 1073741824, but was '" + value + "'", null);
        }
        return Long.parseLong(value);
    }

    private double decimal(String name, String value) throws PeerConfigException {
        if (!DECIMAL.matcher(value).matches()) {
            throw fail(name, "must be a decimal number such as 500 or 0.25, but was '" + value + "'", null);
        }
        return Double.parseDouble(value);
    }

    private Path path(String name, String value) throws PeerConfigException {
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw fail(name, "'" + value + "' is not a valid path: " + e.getReason(), e);
        }
    }

    private void apply(String name, Runnable setter) throws PeerConfigException {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            throw fail(name, e.getMessage(), e);
        }
    }

    private PeerConfigException fail(String property, String message, Throwable cause) {
        return new PeerConfigException(file, property, message, cause);
    }
}
