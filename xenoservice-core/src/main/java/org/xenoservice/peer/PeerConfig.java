package org.xenoservice.peer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.xenoservice.peer.PeerSettingException.Setting;

/**
 * How a peer host is set up: its two ports, the address it binds, where it stores blobs and state,
 * the largest upload it takes, optional TLS, and the sites its operator enrolled. Immutable; make
 * one with {@link #builder()} or read one from a properties file with {@link #load(Path)}.
 *
 * <pre>{@code
 * # peer.properties
 * serving-port = 8080
 * control-port = 8081
 * store-directory = /var/lib/xenoservice
 * site.books.example.key = keys/books.example.pub
 * site.books.example.max-stored-bytes = 536870912
 * site.books.example.requests-per-second = 500
 * }</pre>
 *
 * <p>Properties: {@code serving-port} ({@value #DEFAULT_SERVING_PORT}), {@code https-port} (none: no
 * HTTPS listener; with one, each site is served over HTTPS with its own certificate, chosen by SNI),
 * {@code tls-engine} ({@code auto}, {@code boringssl} or {@code jdk}: the {@link TlsEngine} of the
 * HTTPS port; {@code auto} by default),
 * {@code control-port}
 * ({@value #DEFAULT_CONTROL_PORT}), {@code bind-address} ({@value #DEFAULT_BIND_ADDRESS}),
 * {@code store-directory} (required), {@code max-upload-bytes} ({@link #DEFAULT_MAX_UPLOAD_BYTES}),
 * {@code bandwidth-bytes-per-second} (0: unlimited), {@code metrics-token-file} (a file holding the
 * bearer token that {@code /metrics} on the control port asks for; without one, {@code /metrics}
 * answers 404), the {@link ConnectionLimits} (timeouts and connection caps),
 * {@code tls.keystore} with {@code tls.password} or {@code tls.password-file}, and for each site
 * {@code site.<host>.key} (a PEM public key file) or {@code site.<host>.key-pem} (the PEM text),
 * {@code site.<host>.max-stored-bytes}, {@code site.<host>.requests-per-second} and
 * {@code site.<host>.bandwidth-share} (defaults from
 * {@link org.xenoservice.protocol.SiteQuota#DEFAULT SiteQuota.DEFAULT}),
 * {@code site.<host>.allowed-origins} (comma-separated origins the site's proxy and capture routes
 * may reach; none by default), {@code site.<host>.capture-requests-per-second} and
 * {@code site.<host>.capture-bytes-per-second} (defaults from {@link CaptureLimits#DEFAULT}), {@code site.<host>.tls-certificate} and {@code site.<host>.tls-key}
 * (a {@link ManualCertificate}, which needs {@code https-port}; checked when the file is read).
 * Relative paths are
 * taken from the file's folder. A property the peer does not know is an error, so that a typo never
 * silently leaves a default in place.
 */
public final class PeerConfig {
    /** The default serving port. */
    public static final int DEFAULT_SERVING_PORT = 8080;
    /** The default control port. */
    public static final int DEFAULT_CONTROL_PORT = 8081;
    /** The default bind address: every interface. */
    public static final String DEFAULT_BIND_ADDRESS = "0.0.0.0";
    /** The default largest upload: 1 GiB. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 30;
    /** The default TLS engine of the HTTPS port: BoringSSL when it loads, else the JDK's. */
    public static final TlsEngine DEFAULT_TLS_ENGINE = TlsEngine.AUTO;

    private final int servingPort;
    private final OptionalInt httpsPort;
    private final TlsEngine tlsEngine;
    private final int controlPort;
    private final String bindAddress;
    private final Path storeDirectory;
    private final long maxUploadBytes;
    private final long bandwidthBytesPerSecond;
    private final Duration retiredForwarding;
    private final Optional<String> metricsToken;
    private final ConnectionLimits connectionLimits;
    private final Optional<Path> tlsKeystore;
    private final char[] tlsPassword;
    private final List<Enrollment> enrollments;
    private final List<ManualCertificate> manualCertificates;

    private PeerConfig(Builder builder) {
        this.servingPort = builder.servingPort;
        this.httpsPort = builder.httpsPort;
        this.tlsEngine = builder.tlsEngine;
        this.manualCertificates = List.copyOf(builder.manualCertificates.values());
        this.controlPort = builder.controlPort;
        this.bindAddress = builder.bindAddress;
        this.storeDirectory = builder.storeDirectory;
        this.maxUploadBytes = builder.maxUploadBytes;
        this.bandwidthBytesPerSecond = builder.bandwidthBytesPerSecond;
        this.retiredForwarding = builder.retiredForwarding;
        this.metricsToken = builder.metricsToken;
        this.connectionLimits = builder.connectionLimits;
        this.tlsKeystore = builder.tlsKeystore;
        this.tlsPassword = builder.tlsPassword.clone();
        this.enrollments = List.copyOf(builder.enrollments.values());
    }

    /** Starts a configuration with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a configuration from a properties file (UTF-8).
     *
     * @throws PeerConfigException if the file cannot be read, holds an unknown property or a bad value,
     *     or lacks the store directory or any site
     */
    public static PeerConfig load(Path propertiesFile) throws IOException {
        Builder builder = builder().load(propertiesFile);
        try {
            return builder.build();
        } catch (PeerSettingException e) {
            throw new PeerConfigException(propertiesFile, e.setting().propertyName(), e.problem(), e);
        }
    }

    /** The port that serves the sites; 0 picks a free one. */
    public int servingPort() {
        return servingPort;
    }

    /**
     * The port that serves the sites over HTTPS, each with its own certificate chosen by SNI; 0
     * picks a free one, empty (the default) serves no HTTPS.
     */
    public OptionalInt httpsPort() {
        return httpsPort;
    }

    /** The TLS engine of the HTTPS port; {@link #DEFAULT_TLS_ENGINE} unless set. */
    public TlsEngine tlsEngine() {
        return tlsEngine;
    }

    /** The certificates the operator installed by hand, one at most per site. */
    public List<ManualCertificate> manualCertificates() {
        return manualCertificates;
    }

    /** The port of the signed control protocol; 0 picks a free one. */
    public int controlPort() {
        return controlPort;
    }

    /** The address both ports listen on. */
    public String bindAddress() {
        return bindAddress;
    }

    /** Where blobs and state are stored. */
    public Path storeDirectory() {
        return storeDirectory;
    }

    /** The largest bundle upload accepted. */
    public long maxUploadBytes() {
        return maxUploadBytes;
    }

    /**
     * The peer's outgoing bandwidth that the sites'
     * {@link org.xenoservice.protocol.SiteQuota#bandwidthShare() shares} divide, bytes per second;
     * 0 (the default) leaves bandwidth unlimited and the shares unenforced.
     */
    public long bandwidthBytesPerSecond() {
        return bandwidthBytesPerSecond;
    }

    /**
     * How long a retired site's requests are still forwarded to its origin (default
     * {@link PeerSites#DEFAULT_RETIRED_FORWARDING}, property {@code retired-forward-seconds}; 0: never):
     * browsers and resolvers keep this peer's address after DNS dropped it, and their users should
     * get the site, not a 421.
     */
    public Duration retiredForwarding() {
        return retiredForwarding;
    }

    /** The timeouts and connection caps that keep slow and idle clients from holding the peer. */
    public ConnectionLimits connectionLimits() {
        return connectionLimits;
    }

    /** The PKCS#12 key store for TLS on both ports, empty for plain HTTP. */
    public Optional<Path> tlsKeystore() {
        return tlsKeystore;
    }

    /** A copy of the key store's password (empty without TLS); the caller should clear it after use. */
    public char[] tlsPassword() {
        return tlsPassword.clone();
    }

    /**
     * The bearer token {@code GET /metrics} on the control port asks for; empty (the default) turns
     * {@code /metrics} off. Every site's traffic is in it, so it is the operator's alone: a site's
     * owner reads its own figures with the signed {@code status} call.
     */
    public Optional<String> metricsToken() {
        return metricsToken;
    }

    /** The enrolled sites, in the order they were given. */
    public List<Enrollment> enrollments() {
        return enrollments;
    }

    /** A builder holding this configuration, to change some of it. */
    public Builder toBuilder() {
        Builder builder = builder()
                .servingPort(servingPort)
                .controlPort(controlPort)
                .bindAddress(bindAddress)
                .storeDirectory(storeDirectory)
                .maxUploadBytes(maxUploadBytes)
                .bandwidthBytesPerSecond(bandwidthBytesPerSecond)
                .retiredForwarding(retiredForwarding)
                .tlsEngine(tlsEngine)
                .connectionLimits(connectionLimits)
                .enrollments(enrollments);
        httpsPort.ifPresent(builder::httpsPort);
        manualCertificates.forEach(
                manual -> builder.manualCertificate(manual.site(), manual.chainFile(), manual.keyFile()));
        tlsKeystore.ifPresent(keystore -> builder.tls(keystore, tlsPassword));
        metricsToken.ifPresent(builder::metricsToken);
        return builder;
    }

    /** Everything but the TLS password. */
    @Override
    public String toString() {
        return "PeerConfig{servingPort=" + servingPort + ", httpsPort="
                + (httpsPort.isPresent() ? Integer.toString(httpsPort.getAsInt()) : "off") + ", tlsEngine="
                + tlsEngine.propertyValue() + ", controlPort="
                + controlPort + ", bindAddress=" + bindAddress
                + ", storeDirectory=" + storeDirectory + ", maxUploadBytes=" + maxUploadBytes
                + ", bandwidthBytesPerSecond=" + bandwidthBytesPerSecond + ", retiredForwarding=" + retiredForwarding
                + ", metrics="
                + (metricsToken.isPresent() ? "token (hidden)" : "off") + ", connectionLimits=" + connectionLimits
                + ", tls="
                + tlsKeystore.map(path -> path + " (password hidden)").orElse("off") + ", sites="
                + enrollments.stream().map(Enrollment::site).toList() + ", manualCertificates="
                + manualCertificates.stream().map(ManualCertificate::site).toList() + "}";
    }

    /** Configures a {@link PeerConfig}; every setter checks its value and says what is wrong. */
    public static final class Builder {
        private int servingPort = DEFAULT_SERVING_PORT;
        private OptionalInt httpsPort = OptionalInt.empty();
        private TlsEngine tlsEngine = DEFAULT_TLS_ENGINE;
        private final Map<String, ManualCertificate> manualCertificates = new LinkedHashMap<>();
        private int controlPort = DEFAULT_CONTROL_PORT;
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private Path storeDirectory;
        private long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
        private long bandwidthBytesPerSecond;
        private Duration retiredForwarding = PeerSites.DEFAULT_RETIRED_FORWARDING;
        private Optional<String> metricsToken = Optional.empty();
        private ConnectionLimits connectionLimits = ConnectionLimits.DEFAULTS;
        private Optional<Path> tlsKeystore = Optional.empty();
        private char[] tlsPassword = new char[0];
        private final Map<String, Enrollment> enrollments = new LinkedHashMap<>();

        private Builder() {}

        /** The serving port, 0 to 65535 (0: any free port); {@value #DEFAULT_SERVING_PORT} by default. */
        public Builder servingPort(int port) {
            this.servingPort = checkPort(Setting.SERVING_PORT, port);
            return this;
        }

        /**
         * The HTTPS serving port, 0 to 65535 (0: any free port); none by default. Each site is served
         * there with its own certificate, chosen by SNI: one the site's owner had issued for the key
         * the peer made ({@code tls/csr}), or a {@linkplain #manualCertificate manual} one.
         */
        public Builder httpsPort(int port) {
            this.httpsPort = OptionalInt.of(checkPort(Setting.HTTPS_PORT, port));
            return this;
        }

        /**
         * Which TLS implementation the HTTPS port handshakes with; {@link #DEFAULT_TLS_ENGINE} by
         * default. The JDK's costs several times BoringSSL's CPU per handshake; see {@link TlsEngine}.
         * The control port's {@linkplain #tls key store} always uses the JDK's.
         */
        public Builder tlsEngine(TlsEngine engine) {
            this.tlsEngine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /**
         * Serves {@code site} over HTTPS with a certificate the operator installed: the chain (PEM,
         * leaf first) and its unencrypted private key (PEM). The site's owner cannot replace it; the
         * files are checked when the peer starts (and when a properties file is read).
         */
        public Builder manualCertificate(String site, Path chainFile, Path keyFile) {
            ManualCertificate manual = new ManualCertificate(site, chainFile, keyFile);
            if (manualCertificates.putIfAbsent(manual.site(), manual) != null) {
                throw PeerSettingException.invalid(
                        Setting.MANUAL_CERTIFICATES,
                        "must give each site one certificate, but " + manual.site() + " has two");
            }
            return this;
        }

        /** The control port, 0 to 65535 (0: any free port); {@value #DEFAULT_CONTROL_PORT} by default. */
        public Builder controlPort(int port) {
            this.controlPort = checkPort(Setting.CONTROL_PORT, port);
            return this;
        }

        /** The address to listen on (an IP literal or host name); {@value #DEFAULT_BIND_ADDRESS} by default. */
        public Builder bindAddress(String address) {
            Objects.requireNonNull(address, "address");
            if (address.isBlank()
                    || !address.equals(address.strip())
                    || address.chars().anyMatch(Character::isWhitespace)) {
                throw PeerSettingException.invalid(
                        Setting.BIND_ADDRESS,
                        "must be an IP address or host name without spaces, but was '" + address + "'");
            }
            this.bindAddress = address;
            return this;
        }

        /** Where blobs and state are stored; required. */
        public Builder storeDirectory(Path directory) {
            this.storeDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** See {@link PeerConfig#retiredForwarding()}; zero (never forwarded) up to a week. */
        public Builder retiredForwarding(Duration grace) {
            if (grace.isNegative() || grace.compareTo(Duration.ofDays(7)) > 0) {
                throw PeerSettingException.invalid(
                        Setting.RETIRED_FORWARDING,
                        "must be between 0 (never forward) and 604800 seconds (a week), but was " + grace.toSeconds()
                                + " s");
            }
            this.retiredForwarding = grace;
            return this;
        }

        /** See {@link PeerConfig#bandwidthBytesPerSecond()}; 0 (unlimited) by default. */
        public Builder bandwidthBytesPerSecond(long bytes) {
            if (bytes < 0) {
                throw PeerSettingException.invalid(
                        Setting.BANDWIDTH_BYTES_PER_SECOND, "must be 0 (unlimited) or positive, but was " + bytes);
            }
            this.bandwidthBytesPerSecond = bytes;
            return this;
        }

        /**
         * The bearer token that {@code GET /metrics} on the control port asks for: at least 16
         * visible ASCII characters. Without one (the default), {@code /metrics} answers 404.
         */
        public Builder metricsToken(String token) {
            Objects.requireNonNull(token, "token");
            if (token.length() < 16 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw PeerSettingException.invalid(
                        Setting.METRICS_TOKEN,
                        "must be at least 16 visible ASCII characters, but has " + token.length() + " characters");
            }
            this.metricsToken = Optional.of(token);
            return this;
        }

        /** See {@link PeerConfig#connectionLimits()}; {@link ConnectionLimits#DEFAULTS} by default. */
        public Builder connectionLimits(ConnectionLimits limits) {
            this.connectionLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The largest bundle upload accepted; {@link #DEFAULT_MAX_UPLOAD_BYTES} by default. */
        public Builder maxUploadBytes(long bytes) {
            if (bytes < 1) {
                throw PeerSettingException.invalid(Setting.MAX_UPLOAD_BYTES, "must be positive, but was " + bytes);
            }
            this.maxUploadBytes = bytes;
            return this;
        }

        /** Serves both ports over TLS with a PKCS#12 key store (the password is copied). */
        public Builder tls(Path keystore, char[] password) {
            this.tlsKeystore = Optional.of(Objects.requireNonNull(keystore, "keystore"));
            this.tlsPassword = Objects.requireNonNull(password, "password").clone();
            return this;
        }

        /**
         * Enrolls sites.
         *
         * @throws IllegalArgumentException if a site is enrolled already
         */
        public Builder enroll(Enrollment... sites) {
            return enrollments(Arrays.asList(sites));
        }

        /**
         * Enrolls sites.
         *
         * @throws IllegalArgumentException if a site is enrolled already
         */
        public Builder enrollments(Collection<Enrollment> sites) {
            for (Enrollment site : sites) {
                Objects.requireNonNull(site, "enrollment");
                if (enrollments.containsKey(site.site())) {
                    throw PeerSettingException.invalid(
                            Setting.ENROLLMENTS, "must name each site once, but " + site.site() + " is enrolled twice");
                }
                enrollments.put(site.site(), site);
            }
            return this;
        }

        /**
         * Applies the settings of a properties file (see {@link PeerConfig}) over this builder's;
         * relative paths in it are taken from its folder.
         *
         * @throws PeerConfigException if the file cannot be read, or holds an unknown property or a bad value
         */
        public Builder load(Path propertiesFile) throws IOException {
            new PeerConfigFile(propertiesFile, this).parse();
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @throws PeerSettingException without a store directory or an enrolled site (store-directory
         *     and site.&lt;host&gt;.key in a file), or when both ports are the same
         */
        public PeerConfig build() {
            if (storeDirectory == null) {
                throw PeerSettingException.missing(
                        Setting.STORE_DIRECTORY, "is required (where blobs and state are kept), but was not set");
            }
            if (enrollments.isEmpty()) {
                throw PeerSettingException.missing(
                        Setting.ENROLLMENTS,
                        "must name at least one site (a peer serves only "
                                + "the sites its operator enrolled, with their public keys), but names none");
            }
            if (servingPort != 0 && servingPort == controlPort) {
                throw PeerSettingException.invalid(
                        Setting.SERVING_PORT, "must differ from the control port, but both are " + servingPort);
            }
            int https = httpsPort.orElse(0);
            if (https != 0 && (https == servingPort || https == controlPort)) {
                throw PeerSettingException.invalid(
                        Setting.HTTPS_PORT,
                        "must differ from the serving and control ports, but is " + https + " like the "
                                + (https == servingPort ? "serving" : "control") + " port");
            }
            for (ManualCertificate manual : manualCertificates.values()) {
                if (!enrollments.containsKey(manual.site())) {
                    throw PeerSettingException.invalid(
                            Setting.MANUAL_CERTIFICATES,
                            "names " + manual.site() + ", which is not enrolled; enrol the site or remove its "
                                    + "certificate");
                }
                if (httpsPort.isEmpty()) {
                    throw PeerSettingException.invalid(
                            Setting.MANUAL_CERTIFICATES,
                            "gives " + manual.site() + " a certificate, but the peer serves no HTTPS; set the "
                                    + "HTTPS port too");
                }
            }
            return new PeerConfig(this);
        }

        private static int checkPort(Setting setting, int port) {
            if (port < 0 || port > 65535) {
                throw PeerSettingException.invalid(setting, "must be between 0 and 65535, but was " + port);
            }
            return port;
        }
    }
}
