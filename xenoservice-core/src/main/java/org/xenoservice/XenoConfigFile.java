package org.xenoservice;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import org.xenoservice.acme.AcmeSettings;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.dns.TsigKey;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.overload.OverloadConfig;
import org.xenoservice.replicate.DnsSettings;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.replicate.ReplicationConfig;

/**
 * Reads a XenoService properties file (see {@link XenoConfig}) into a {@link XenoConfig.Builder}:
 * the parsing apart from the values, so that the builder's checks apply to a file's settings too.
 * Relative paths are taken from the file's folder; an unknown property is an error. Used once per
 * file, on one thread.
 */
final class XenoConfigFile {
    private final Path file;
    private final XenoConfig.Builder builder;

    XenoConfigFile(Path file, XenoConfig.Builder builder) {
        this.file = file;
        this.builder = builder;
    }

    /**
     * Applies settings given as the file's keys and values by another configuration system (the
     * Spring Boot starter's {@code xenoservice.*} properties): the same checks and messages as a
     * file's, relative paths taken from {@code folder}.
     */
    static void apply(Map<String, String> properties, Path folder, XenoConfig.Builder builder) throws IOException {
        Map<String, String> values = new TreeMap<>();
        properties.forEach((name, value) -> values.put(name.trim(), value.trim()));
        new XenoConfigFile(folder.resolve("xeno.properties"), builder).apply(values, folder.toAbsolutePath());
    }

    /** Reads the file into the builder. */
    void load() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "the XenoService configuration file is missing");
        }
        Path folder = file.toAbsolutePath().getParent();
        Map<String, String> values = new TreeMap<>();
        properties
                .stringPropertyNames()
                .forEach(name ->
                        values.put(name.trim(), properties.getProperty(name).trim()));
        try {
            apply(values, folder);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private void apply(Map<String, String> values, Path folder) throws IOException {
        Function<String, Path> path = value -> folder.resolve(value);
        Map<String, Map<String, String>> peerValues = new TreeMap<>();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String name = entry.getKey();
            String value = entry.getValue();
            switch (name) {
                case "site" -> builder.site(value);
                case "site-key" -> builder.siteKey(SiteKeys.readPrivateKey(path.apply(value)));
                case "state-directory" -> builder.stateDirectory(path.apply(value));
                case "static.directory" -> builder.staticDirectory(path.apply(value));
                case "back-channel" -> builder.backChannel(uri(name, value));
                case "http-only" -> builder.httpOnly(bool(name, value));
                case "static-memory-bytes" ->
                    builder.staticMemoryBytes(number(name, value, 0, XenoConfig.MAX_STATIC_MEMORY_BYTES));
                case "static-memory-file-bytes" ->
                    builder.staticMemoryFileBytes(number(name, value, 1, XenoConfig.MAX_STATIC_MEMORY_FILE_BYTES));
                case "sheltered-direct-bytes-per-second" ->
                    builder.shelteredDirectBytesPerSecond(number(name, value, 0, 10_000_000_000L));
                case "admin-token" -> builder.adminToken(value);
                case "admin-token-file" ->
                    builder.adminToken(Files.readString(path.apply(value), StandardCharsets.UTF_8)
                            .trim());
                default -> {
                    if (name.startsWith("dynamic.")) {
                        try {
                            builder.dynamicRoute(name.substring("dynamic.".length()), value);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
                        }
                    } else if (name.startsWith("peer.")) {
                        int dot = name.lastIndexOf('.');
                        if (dot <= "peer.".length()) {
                            throw new IllegalArgumentException("unknown property " + name + ": peer properties are"
                                    + " peer.<name>.control-url, .addresses, .public-key, .weight and .region");
                        }
                        peerValues
                                .computeIfAbsent(name.substring("peer.".length(), dot), k -> new TreeMap<>())
                                .put(name.substring(dot + 1), value);
                    } else if (!name.startsWith("dns.")
                            && !name.startsWith("acme.")
                            && !name.startsWith("https.")
                            && !name.startsWith("overload.")
                            && !name.startsWith("replication.")) {
                        throw new IllegalArgumentException("unknown property " + name);
                    }
                }
            }
        }
        peerValues.forEach((peer, settings) -> builder.peer(peer(peer, settings)));
        applyDns(values, path);
        applyAcme(values, path);
        applyHttps(values);
        applyOverload(values);
        applyReplication(values);
    }

    private static boolean bool(String name, String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(name + " must be true or false, was \"" + value + "\"");
        }
        return Boolean.parseBoolean(value);
    }

    private static PeerSpec peer(String name, Map<String, String> settings) {
        for (String key : settings.keySet()) {
            if (!List.of("control-url", "addresses", "public-key", "weight", "region")
                    .contains(key)) {
                throw new IllegalArgumentException("unknown property peer." + name + "." + key
                        + ": peer properties are control-url, addresses, public-key, weight and region");
            }
        }
        String url = required(settings, "peer." + name + ".", "control-url");
        List<InetAddress> addresses =
                addresses("peer." + name + ".addresses", required(settings, "peer." + name + ".", "addresses"));
        int weight = (int) number(
                "peer." + name + ".weight",
                settings.getOrDefault("weight", String.valueOf(PeerSpec.DEFAULT_WEIGHT)),
                1,
                1000);
        Optional<String> region = Optional.ofNullable(settings.get("region")).filter(r -> !r.isEmpty());
        String keyText = settings.get("public-key");
        if (keyText == null || keyText.isEmpty()) {
            throw new IllegalArgumentException("peer." + name + ".public-key is required: the peer host's identity"
                    + " key, which its operator prints with 'xenoservice peer identity --store DIR' (one line,"
                    + " MCowBQYDK2VwAyEA...); the origin trusts only requests this key signed");
        }
        PublicKey key = publicKey("peer." + name + ".public-key", keyText);
        return new PeerSpec(name, uri("peer." + name + ".control-url", url), addresses, weight, region, key);
    }

    /** A public key given on one line (the base64 of its SubjectPublicKeyInfo) or as PEM. */
    private static PublicKey publicKey(String name, String text) {
        String pem = text.contains("-----BEGIN")
                ? text
                : "-----BEGIN PUBLIC KEY-----\n" + text.replaceAll("\\s+", "") + "\n-----END PUBLIC KEY-----\n";
        try {
            return SiteKeys.parsePublicKey(pem);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    name + " is not an Ed25519 public key: give the line 'xenoservice"
                            + " peer identity' prints (MCowBQYDK2VwAyEA...), was \"" + shortened(text) + "\"",
                    e);
        }
    }

    private static String shortened(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }

    private void applyDns(Map<String, String> values, Function<String, Path> path) throws IOException {
        Map<String, String> dnsValues = section(values, "dns.");
        if (dnsValues.isEmpty()) {
            return;
        }
        for (String key : dnsValues.keySet()) {
            if (!List.of(
                            "servers",
                            "zone",
                            "tsig",
                            "tsig-file",
                            "name",
                            "ttl-seconds",
                            "origin-addresses",
                            "shelter-origin")
                    .contains(key)) {
                throw new IllegalArgumentException("unknown property dns." + key + ": DNS properties are dns.servers,"
                        + " .zone, .tsig, .tsig-file, .name, .ttl-seconds, .origin-addresses and .shelter-origin");
            }
        }
        List<DnsServer> servers = new ArrayList<>();
        for (String server : required(dnsValues, "dns.", "servers").split(",", -1)) {
            servers.add(DnsServer.parse(server.trim()));
        }
        String tsig;
        if (dnsValues.containsKey("tsig") == dnsValues.containsKey("tsig-file")) {
            throw new IllegalArgumentException(
                    "give exactly one of dns.tsig (ALG:NAME:BASE64SECRET) and dns.tsig-file");
        } else if (dnsValues.containsKey("tsig")) {
            tsig = dnsValues.get("tsig");
        } else {
            tsig = Files.readString(path.apply(dnsValues.get("tsig-file")), StandardCharsets.UTF_8)
                    .trim();
        }
        Optional<String> site = builder.siteSoFar();
        if (site.isEmpty() && !dnsValues.containsKey("name")) {
            throw new IllegalArgumentException("dns.name is required when site is not given");
        }
        Duration ttl = Duration.ofSeconds(number(
                "dns.ttl-seconds",
                dnsValues.getOrDefault("ttl-seconds", String.valueOf(DnsSettings.DEFAULT_TTL.toSeconds())),
                1,
                86_400));
        String shelter = dnsValues.getOrDefault("shelter-origin", "false");
        if (!shelter.equals("true") && !shelter.equals("false")) {
            throw new IllegalArgumentException("dns.shelter-origin must be true or false, was \"" + shelter + "\"");
        }
        List<InetAddress> origin = dnsValues.containsKey("origin-addresses")
                ? addresses("dns.origin-addresses", dnsValues.get("origin-addresses"))
                : List.of();
        builder.dns(new DnsSettings(
                servers,
                Optional.ofNullable(dnsValues.get("zone")),
                TsigKey.parse(tsig),
                dnsValues.containsKey("name") ? dnsValues.get("name") : site.get(),
                ttl,
                origin,
                Boolean.parseBoolean(shelter)));
    }

    private void applyAcme(Map<String, String> values, Function<String, Path> path) throws IOException {
        Map<String, String> acme = section(values, "acme.");
        if (acme.isEmpty()) {
            return;
        }
        for (String key : acme.keySet()) {
            if (!List.of("directory", "contact", "names", "trust-file").contains(key)) {
                throw new IllegalArgumentException("unknown property acme." + key
                        + ": ACME properties are acme.directory, .contact, .names and .trust-file");
            }
        }
        String state = values.get("state-directory");
        if (state == null || state.isEmpty()) {
            throw new IllegalArgumentException("acme.directory needs state-directory: the ACME account key ("
                    + AcmeSettings.ACCOUNT_KEY_FILE + ") is kept there");
        }
        AcmeSettings settings = AcmeSettings.of(
                        uri("acme.directory", required(acme, "acme.", "directory")),
                        path.apply(state).resolve(AcmeSettings.ACCOUNT_KEY_FILE))
                .withExtraNames(AcmeSettings.parseNames(acme.getOrDefault("names", "")));
        if (acme.containsKey("contact") && !acme.get("contact").isEmpty()) {
            settings = settings.withContact(AcmeSettings.parseContact(acme.get("contact")));
        }
        if (acme.containsKey("trust-file")) {
            settings = settings.withTrust(certificates("acme.trust-file", path.apply(acme.get("trust-file"))));
        }
        builder.acme(settings);
    }

    private void applyHttps(Map<String, String> values) {
        Map<String, String> https = section(values, "https.");
        if (https.isEmpty()) {
            return;
        }
        HttpsSettings settings = HttpsSettings.NONE;
        for (Map.Entry<String, String> entry : https.entrySet()) {
            String value = entry.getValue();
            switch (entry.getKey()) {
                case "redirect" -> {
                    if (!value.equals("true") && !value.equals("false")) {
                        throw new IllegalArgumentException(
                                "https.redirect must be true or false, was \"" + value + "\"");
                    }
                    settings = settings.withRedirect(Boolean.parseBoolean(value));
                }
                case "hsts" -> {
                    if (value.isEmpty()) {
                        throw new IllegalArgumentException("https.hsts is empty; give a Strict-Transport-Security value"
                                + " such as max-age=31536000; includeSubDomains, or leave it out to send none");
                    }
                    try {
                        settings = settings.withHsts(value);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("https." + e.getMessage(), e);
                    }
                }
                default ->
                    throw new IllegalArgumentException("unknown property https." + entry.getKey()
                            + ": HTTPS properties are https.redirect and https.hsts");
            }
        }
        builder.https(settings);
    }

    /** The PEM certificates in {@code file}: at least one. */
    private static List<X509Certificate> certificates(String name, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate :
                    CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(name + ": " + file + " holds no PEM certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(name + ": " + file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private void applyOverload(Map<String, String> values) {
        Map<String, String> section = section(values, "overload.");
        if (section.isEmpty()) {
            return;
        }
        OverloadConfig.Builder config = OverloadConfig.builder();
        section.forEach((key, value) -> {
            String name = "overload." + key;
            switch (key) {
                case "warmup-seconds" -> config.warmupTime(Duration.ofSeconds(number(name, value, 0, 86_400)));
                case "warmup-requests" -> config.warmupRequests(number(name, value, 0, Long.MAX_VALUE / 2));
                case "surge-factor" -> config.surgeFactor(decimal(name, value));
                case "min-surge-rate-per-second" -> config.minSurgeRatePerSecond(decimal(name, value));
                case "cpu-threshold" -> config.cpuThreshold(decimal(name, value));
                case "recovery-seconds" -> config.recoveryTime(Duration.ofSeconds(number(name, value, 1, 86_400)));
                default ->
                    throw new IllegalArgumentException("unknown property " + name + ": overload properties are"
                            + " warmup-seconds, warmup-requests, surge-factor, min-surge-rate-per-second, cpu-threshold and"
                            + " recovery-seconds");
            }
        });
        builder.overload(config.build());
    }

    private void applyReplication(Map<String, String> values) {
        Map<String, String> section = section(values, "replication.");
        if (section.isEmpty()) {
            return;
        }
        ReplicationConfig.Builder config = ReplicationConfig.builder();
        section.forEach((key, value) -> {
            String name = "replication." + key;
            switch (key) {
                case "cool-down-seconds" -> config.coolDown(Duration.ofSeconds(number(name, value, 1, 86_400)));
                case "wave-interval-ms" -> config.waveInterval(Duration.ofMillis(number(name, value, 1, 3_600_000)));
                case "restage-interval-seconds" ->
                    config.restageInterval(Duration.ofSeconds(number(name, value, 1, 86_400)));
                case "peer-call-timeout-ms" ->
                    config.peerCallTimeout(Duration.ofMillis(number(name, value, 1, 3_600_000)));
                case "max-upload-bytes-per-second" ->
                    config.maxUploadBytesPerSecond(number(name, value, 0, Long.MAX_VALUE / 2));
                case "drain-quiet-seconds" -> config.drainQuiet(Duration.ofSeconds(number(name, value, 1, 86_400)));
                case "max-drain-seconds" -> config.maxDrain(Duration.ofSeconds(number(name, value, 1, 7 * 86_400)));
                default ->
                    throw new IllegalArgumentException("unknown property " + name + ": replication properties are"
                            + " cool-down-seconds, wave-interval-ms, restage-interval-seconds, peer-call-timeout-ms,"
                            + " max-upload-bytes-per-second, drain-quiet-seconds and max-drain-seconds");
            }
        });
        builder.replication(config.build());
    }

    /** The properties under {@code prefix}, by the rest of their names. */
    private static Map<String, String> section(Map<String, String> values, String prefix) {
        Map<String, String> section = new TreeMap<>();
        values.forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                section.put(name.substring(prefix.length()), value);
            }
        });
        return section;
    }

    private static String required(Map<String, String> values, String prefix, String key) {
        String value = values.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(prefix + key + " is required");
        }
        return value;
    }

    private static URI uri(String name, String value) {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(name + " is not a URL: " + e.getMessage());
        }
    }

    private static List<InetAddress> addresses(String name, String value) {
        List<InetAddress> addresses = new ArrayList<>();
        for (String text : value.split(",", -1)) {
            String literal = text.trim();
            if (!literal.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
                throw new IllegalArgumentException(name + ": \"" + literal + "\" is not an IP address literal"
                        + " (host names are not looked up)");
            }
            try {
                addresses.add(InetAddress.getByName(literal));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(name + ": \"" + literal + "\" is not an IP address");
            }
        }
        return addresses;
    }

    private static long number(String name, String value, long min, long max) {
        long number;
        try {
            number = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was \"" + value + "\"");
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + number);
        }
        return number;
    }

    private static double decimal(String name, String value) {
        try {
            double number = Double.parseDouble(value);
            if (!Double.isFinite(number)) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was \"" + value + "\"");
        }
    }
}
