package org.xenoservice.spring;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the bound {@code xenoservice.*} properties into the keys of a XenoService properties file,
 * which core's reader checks, and core's messages back into the properties' names: a message about
 * {@code dns.ttl-seconds} names {@code xenoservice.dns.ttl-seconds}, the property the app sets.
 */
final class ConfigKeys {
    /** A file key in a message: one of the file's names, not part of a value, URL or longer word. */
    private static final Pattern KEY = Pattern.compile("(?<![\\w.:/\"-])((?:site-key|state-directory|static\\.directory"
            + "|back-channel|http-only|static-memory-bytes|static-memory-file-bytes|sheltered-direct-bytes-per-second"
            + "|admin-token-file|admin-token"
            + "|(?:dns|acme|https|overload|replication|peer|dynamic)\\.[\\w./\\[\\]-]*[\\w\\]/]))");

    private ConfigKeys() {}

    /** The file's keys and values for what {@code properties} sets; unset properties are left out. */
    static Map<String, String> of(XenoServiceProperties properties) {
        Map<String, String> keys = new TreeMap<>();
        put(keys, "site", properties.getSite());
        put(keys, "site-key", properties.getSiteKey());
        put(keys, "state-directory", properties.getStateDirectory());
        put(keys, "static.directory", properties.getStatic().getDirectory());
        put(keys, "back-channel", properties.getBackChannel());
        put(keys, "http-only", properties.getHttpOnly());
        put(keys, "static-memory-bytes", properties.getStaticMemoryBytes());
        put(keys, "static-memory-file-bytes", properties.getStaticMemoryFileBytes());
        put(keys, "sheltered-direct-bytes-per-second", properties.getShelteredDirectBytesPerSecond());
        put(keys, "admin-token", properties.getAdminToken());
        put(keys, "admin-token-file", properties.getAdminTokenFile());
        properties.getDynamic().forEach((prefix, policy) -> put(keys, "dynamic." + prefix, policy));
        properties.getPeer().forEach((name, peer) -> {
            String at = "peer." + name + ".";
            put(keys, at + "control-url", peer.getControlUrl());
            put(keys, at + "addresses", peer.getAddresses());
            put(keys, at + "public-key", peer.getPublicKey());
            put(keys, at + "weight", peer.getWeight());
            put(keys, at + "region", peer.getRegion());
        });
        XenoServiceProperties.Dns dns = properties.getDns();
        put(keys, "dns.servers", dns.getServers());
        put(keys, "dns.zone", dns.getZone());
        put(keys, "dns.tsig", dns.getTsig());
        put(keys, "dns.tsig-file", dns.getTsigFile());
        put(keys, "dns.name", dns.getName());
        put(keys, "dns.ttl-seconds", dns.getTtlSeconds());
        put(keys, "dns.origin-addresses", dns.getOriginAddresses());
        put(keys, "dns.shelter-origin", dns.getShelterOrigin());
        XenoServiceProperties.Acme acme = properties.getAcme();
        put(keys, "acme.directory", acme.getDirectory());
        put(keys, "acme.contact", acme.getContact());
        put(keys, "acme.names", acme.getNames());
        put(keys, "acme.trust-file", acme.getTrustFile());
        put(keys, "https.redirect", properties.getHttps().getRedirect());
        put(keys, "https.hsts", properties.getHttps().getHsts());
        XenoServiceProperties.Overload overload = properties.getOverload();
        put(keys, "overload.warmup-seconds", overload.getWarmupSeconds());
        put(keys, "overload.warmup-requests", overload.getWarmupRequests());
        put(keys, "overload.surge-factor", overload.getSurgeFactor());
        put(keys, "overload.min-surge-rate-per-second", overload.getMinSurgeRatePerSecond());
        put(keys, "overload.cpu-threshold", overload.getCpuThreshold());
        put(keys, "overload.recovery-seconds", overload.getRecoverySeconds());
        XenoServiceProperties.Replication replication = properties.getReplication();
        put(keys, "replication.cool-down-seconds", replication.getCoolDownSeconds());
        put(keys, "replication.wave-interval-ms", replication.getWaveIntervalMs());
        put(keys, "replication.restage-interval-seconds", replication.getRestageIntervalSeconds());
        put(keys, "replication.peer-call-timeout-ms", replication.getPeerCallTimeoutMs());
        put(keys, "replication.max-upload-bytes-per-second", replication.getMaxUploadBytesPerSecond());
        put(keys, "replication.drain-quiet-seconds", replication.getDrainQuietSeconds());
        put(keys, "replication.max-drain-seconds", replication.getMaxDrainSeconds());
        return keys;
    }

    /**
     * Checks what every app needs before core sees anything, so that its message names the property
     * (core's builder names the setting, as code calls it).
     */
    static void requireEssentials(XenoServiceProperties properties) {
        require(properties.getSite(), "site", "the host name to defend, e.g. books.example");
        require(
                properties.getSiteKey(),
                "site-key",
                "the site's Ed25519 private key (PKCS#8 PEM), made by 'xenoservice keys generate --out keys'");
        require(
                properties.getStateDirectory(),
                "state-directory",
                "where the origin keeps its bundles and the ledger of applied orders");
    }

    /**
     * Checks that every file the properties name can be read, so that the message names the property
     * as well as the file (the reader names only the file).
     */
    static void requireReadableFiles(Map<String, String> keys, Path folder) {
        for (String key :
                List.of("site-key", "admin-token-file", "dns.tsig-file", "acme.trust-file", "static.directory")) {
            String value = keys.get(key);
            if (value == null) {
                continue;
            }
            Path file = folder.resolve(value).toAbsolutePath();
            boolean directory = key.equals("static.directory");
            if (!Files.isReadable(file) || Files.isDirectory(file) != directory) {
                throw new IllegalArgumentException(XenoServiceProperties.PREFIX + "." + key + ": " + file
                        + (Files.exists(file)
                                ? " cannot be read" + (directory ? " as a directory" : " as a file")
                                : " does not exist"));
            }
        }
    }

    private static void require(String value, String key, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(XenoServiceProperties.PREFIX + "." + key + " is required: " + what
                    + "; or set " + XenoServiceProperties.PREFIX + ".enabled=false to run without XenoService");
        }
    }

    /** {@code message} with every file key in it named as its {@code xenoservice.*} property. */
    static String propertyNames(String message) {
        Matcher key = KEY.matcher(message);
        return key.replaceAll(found -> Matcher.quoteReplacement(XenoServiceProperties.PREFIX + "." + found.group(1)));
    }

    private static void put(Map<String, String> keys, String key, Object value) {
        if (value instanceof List<?> list) {
            if (!list.isEmpty()) {
                keys.put(
                        key, String.join(",", list.stream().map(String::valueOf).toList()));
            }
        } else if (value != null) {
            keys.put(key, String.valueOf(value));
        }
    }
}
