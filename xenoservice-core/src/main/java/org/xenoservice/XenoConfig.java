package org.xenoservice;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.xenoservice.acme.AcmeSettings;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.bundle.SiteName;
import org.xenoservice.bundle.StaticSource;
import org.xenoservice.dns.DnsUpdater;
import org.xenoservice.dynamic.DynamicRoutes;
import org.xenoservice.intake.CaptureHandler;
import org.xenoservice.overload.OverloadConfig;
import org.xenoservice.replicate.DnsSettings;
import org.xenoservice.replicate.PeerSpec;
import org.xenoservice.replicate.ReplicationConfig;

/**
 * Everything a {@link XenoService} needs to defend a site: its host name and key, where its static
 * files come from, its dynamic routes and what replicas do with them, the peer pool, the DNS name
 * to change, the detector's thresholds, and the origin's back-channel address. Immutable; make one
 * with {@link #builder()}, or read one from a properties file with {@link #load(Path)}.
 *
 * <pre>{@code
 * # xeno.properties
 * site = books.example
 * site-key = keys/site.key
 * state-directory = /var/lib/xeno-origin
 * static.directory = public
 * back-channel = http://10.0.0.5:8080
 * dynamic./order = capture,page=/thanks.html
 * dynamic./search = proxy,max-in-flight=8
 * admin-token-file = admin.token
 * peer.p1.control-url = https://peer1.example.net:8081
 * peer.p1.addresses = 192.0.2.10, 2001:db8::10
 * peer.p1.public-key = MCowBQYDK2VwAyEAPUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=
 * dns.servers = 192.0.2.53:53
 * dns.tsig-file = keys/tsig.key
 * dns.origin-addresses = 198.51.100.7
 * dns.shelter-origin = true
 * acme.directory = https://acme-v02.api.letsencrypt.org/directory
 * acme.contact = mailto:owner@books.example
 * acme.names = www.books.example
 * https.redirect = true
 * https.hsts = max-age=31536000; includeSubDomains
 * static-memory-bytes = 67108864
 * }</pre>
 *
 * <p>A site is taken to be served over HTTPS: a peer enters its DNS name only while it serves a
 * certificate for the site's names that is valid for at least another day (ordered by ACME with
 * {@code acme.*}, or installed by the peer's operator). {@code http-only = true} declares a site that
 * browsers reach over plain HTTP only, whose peers need no certificate.
 *
 * <p>Every peer's {@code public-key} is required: the peer host's own identity key, which its
 * operator prints with {@code xenoservice peer identity}. The origin trusts a request on its
 * back-channel (a proxied request, a captured request's delivery) only when that key signed it.
 *
 * <p>A {@code capture} route without an {@code intake} setting gets the back-channel's
 * {@value XenoService#INTAKE_PATH}, and a {@code proxy} route without an {@code origin} gets the
 * back-channel itself, so a configuration names the back-channel once. A property XenoService does
 * not know is an error, so that a typo never silently leaves a default in place; relative paths are
 * taken from the file's folder.
 */
public final class XenoConfig {
    /**
     * The default for {@link #staticMemoryBytes()}: 64 MiB, the whole of most small sites' static
     * files, a small share of a server's memory.
     */
    public static final long DEFAULT_STATIC_MEMORY_BYTES = 64L << 20;
    /** The largest {@link #staticMemoryBytes()}: 16 GiB. */
    public static final long MAX_STATIC_MEMORY_BYTES = 16L << 30;
    /**
     * The default for {@link #staticMemoryFileBytes()}: 1 MiB, more than pages, style sheets and
     * icons need, so that one large download does not crowd out the rest.
     */
    public static final long DEFAULT_STATIC_MEMORY_FILE_BYTES = 1L << 20;
    /** The largest {@link #staticMemoryFileBytes()}: 256 MiB. */
    public static final long MAX_STATIC_MEMORY_FILE_BYTES = 256L << 20;

    private final String site;
    private final PrivateKey siteKey;
    private final StaticSource staticSource;
    private final List<DynamicRoute> dynamicRoutes;
    private final List<PeerSpec> peers;
    private final Optional<DnsSettings> dns;
    private final Optional<DnsUpdater> dnsUpdater;
    private final OverloadConfig overload;
    private final Optional<URI> backChannel;
    private final Path stateDirectory;
    private final Optional<String> adminToken;
    private final ReplicationConfig replication;
    private final Optional<CaptureHandler> captureHandler;
    private final Optional<AcmeSettings> acme;
    private final boolean httpOnly;
    private final HttpsSettings https;
    private final long staticMemoryBytes;
    private final long shelteredDirectBytesPerSecond;
    private final long staticMemoryFileBytes;

    private XenoConfig(Builder builder) {
        this.site = builder.site;
        this.siteKey = builder.siteKey;
        this.staticSource = builder.staticSource;
        this.backChannel = builder.backChannel;
        this.dynamicRoutes = builder.dynamicRoutes.values().stream()
                .map(this::withBackChannel)
                .toList();
        this.peers = List.copyOf(builder.peers.values());
        this.dns = builder.dns;
        this.dnsUpdater = builder.dnsUpdater;
        this.overload = builder.overload;
        this.stateDirectory = builder.stateDirectory;
        this.adminToken = builder.adminToken;
        this.replication = builder.replication;
        this.captureHandler = builder.captureHandler;
        this.acme = builder.acme;
        this.httpOnly = builder.httpOnly;
        this.https = builder.https;
        this.staticMemoryBytes = builder.staticMemoryBytes;
        this.shelteredDirectBytesPerSecond = builder.shelteredDirectBytesPerSecond;
        this.staticMemoryFileBytes = builder.staticMemoryFileBytes;
    }

    /** A builder with every default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads a configuration file (see the class comment for its properties).
     *
     * @throws IOException if it cannot be read, or a file it names (key, TSIG, token) cannot be
     * @throws IllegalArgumentException naming the file and the property that is missing or invalid
     */
    public static XenoConfig load(Path propertiesFile) throws IOException {
        Builder builder = builder().load(propertiesFile);
        try {
            return builder.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IllegalArgumentException(propertiesFile + ": " + e.getMessage(), e);
        }
    }

    /** The site's host name, e.g. {@code books.example}. */
    public String site() {
        return site;
    }

    /** The site's Ed25519 private key: it signs bundles and control calls. */
    public PrivateKey siteKey() {
        return siteKey;
    }

    /** Where the site's static files come from. */
    public StaticSource staticSource() {
        return staticSource;
    }

    /** The dynamic routes, by prefix, with back-channel defaults filled in. */
    public List<DynamicRoute> dynamicRoutes() {
        return dynamicRoutes;
    }

    /** The peer pool, in configuration order. */
    public List<PeerSpec> peers() {
        return peers;
    }

    /** How the site's DNS name is changed; empty when DNS is managed otherwise. */
    public Optional<DnsSettings> dns() {
        return dns;
    }

    /**
     * The DNS updater that replaces the RFC 2136 one built from {@link #dns()}, when
     * {@link Builder#dnsUpdater(DnsUpdater)} gave one; usually empty.
     */
    public Optional<DnsUpdater> dnsUpdater() {
        return dnsUpdater;
    }

    /** The detector's thresholds. */
    public OverloadConfig overload() {
        return overload;
    }

    /** Where peers reach the origin (its proxy funnel and capture intake). */
    public Optional<URI> backChannel() {
        return backChannel;
    }

    /** Where bundles and the intake's ledger live. */
    public Path stateDirectory() {
        return stateDirectory;
    }

    /** The bearer token for {@code /_xeno/status} and {@code /_xeno/metrics}; empty turns them off. */
    public Optional<String> adminToken() {
        return adminToken;
    }

    /** How peers are brought in and withdrawn: waves, cool-down, restaging, peer calls. */
    public ReplicationConfig replication() {
        return replication;
    }

    /** What applies the requests peers captured (e.g. orders), delivered to {@value XenoService#INTAKE_PATH}. */
    public Optional<CaptureHandler> captureHandler() {
        return captureHandler;
    }

    /**
     * Where the site's HTTPS certificates come from (an ACME CA, with DNS-01 challenges written with
     * the {@link #dns()} key); empty when the peers' operators install certificates themselves.
     */
    public Optional<AcmeSettings> acme() {
        return acme;
    }

    /** Whether the site is reached over plain HTTP only, so that its peers need no certificate. */
    public boolean httpOnly() {
        return httpOnly;
    }

    /**
     * What the site's bundles ask of replicas: redirect plain HTTP to HTTPS, send HSTS over HTTPS;
     * {@link HttpsSettings#NONE} by default.
     */
    public HttpsSettings https() {
        return https;
    }

    /**
     * The most bytes of static files the origin holds in memory, to answer them without the
     * application while overloaded ({@link XenoService#staticFromMemory}); 0 holds none.
     * {@link #DEFAULT_STATIC_MEMORY_BYTES} by default.
     */
    public long staticMemoryBytes() {
        return staticMemoryBytes;
    }

    /**
     * The most bytes held in memory for one static file (stored bytes, plus the decoded bytes of a
     * gzip-stored file); larger files are left to the application. {@link #DEFAULT_STATIC_MEMORY_FILE_BYTES}
     * by default.
     */
    public long staticMemoryFileBytes() {
        return staticMemoryFileBytes;
    }

    /**
     * The most bytes per second of static files the origin answers from memory to direct clients
     * while the site is sheltered ({@code sheltered-direct-bytes-per-second}); a page over it gets a
     * short 503 with {@code Retry-After}. 0 (the default) sets no budget. A flood aimed at the
     * origin's address outlives the DNS change, and its pages, cheap in CPU, fill the origin's link,
     * where the peers' back-channel requests then queue: set it to about a third of the origin's
     * upstream bandwidth so that searches and deliveries through the peers stay fast.
     */
    public long shelteredDirectBytesPerSecond() {
        return shelteredDirectBytesPerSecond;
    }

    /** Everything but the secrets. */
    @Override
    public String toString() {
        return "XenoConfig{site=" + site + ", static=" + staticSource.describe() + ", dynamic="
                + dynamicRoutes.stream()
                        .map(route -> route.prefix() + "=" + route.policy().token())
                        .toList()
                + ", peers=" + peers.stream().map(PeerSpec::name).toList() + ", dns="
                + dns.map(d -> d.name() + " via " + (dnsUpdater.isPresent() ? "an injected updater" : d.servers()))
                        .orElse("off")
                + ", backChannel="
                + backChannel.map(URI::toString).orElse("none") + ", stateDirectory=" + stateDirectory + ", admin="
                + (adminToken.isPresent() ? "token (hidden)" : "off") + ", acme="
                + acme.map(a -> a.directory().toString()).orElse("off") + ", https=" + httpsSummary()
                + ", staticMemory=" + staticMemoryBytes + " bytes (" + staticMemoryFileBytes + " per file)"
                + ", shelteredDirectBytesPerSecond=" + shelteredDirectBytesPerSecond + "}";
    }

    private String httpsSummary() {
        if (httpOnly) {
            return "off (http-only)";
        }
        return https.isNone()
                ? "required, no redirect"
                : (https.redirect() ? "redirect" : "required, no redirect")
                        + https.hsts().map(h -> ", hsts " + h).orElse("");
    }

    private DynamicRoute withBackChannel(DynamicRoute route) {
        if (backChannel.isEmpty()) {
            DynamicRoutes.check(route);
            return route;
        }
        String base = backChannel.get().toString().replaceAll("/+$", "");
        Map<String, String> settings = new TreeMap<>(route.settings());
        switch (route.policy()) {
            case CAPTURE -> settings.putIfAbsent("intake", base + XenoService.INTAKE_PATH);
            case PROXY -> settings.putIfAbsent("origin", base);
            default -> {
                DynamicRoutes.check(route);
                return route;
            }
        }
        DynamicRoute filled = new DynamicRoute(route.prefix(), route.policy(), settings);
        DynamicRoutes.check(filled);
        return filled;
    }

    /** Configures a {@link XenoConfig}; every setter checks its value and says what is wrong. */
    public static final class Builder {
        private String site;
        private PrivateKey siteKey;
        private StaticSource staticSource;
        private final Map<String, DynamicRoute> dynamicRoutes = new LinkedHashMap<>();
        private final Map<String, PeerSpec> peers = new LinkedHashMap<>();
        private Optional<DnsSettings> dns = Optional.empty();
        private Optional<DnsUpdater> dnsUpdater = Optional.empty();
        private OverloadConfig overload = OverloadConfig.DEFAULTS;
        private Optional<URI> backChannel = Optional.empty();
        private Path stateDirectory;
        private Optional<String> adminToken = Optional.empty();
        private ReplicationConfig replication = ReplicationConfig.DEFAULTS;
        private Optional<CaptureHandler> captureHandler = Optional.empty();
        private Optional<AcmeSettings> acme = Optional.empty();
        private boolean httpOnly;
        private HttpsSettings https = HttpsSettings.NONE;
        private long staticMemoryBytes = DEFAULT_STATIC_MEMORY_BYTES;
        private long shelteredDirectBytesPerSecond;
        private long staticMemoryFileBytes = DEFAULT_STATIC_MEMORY_FILE_BYTES;

        private Builder() {}

        /** The site's host name (required), e.g. {@code books.example}. */
        public Builder site(String host) {
            this.site = SiteName.of(Objects.requireNonNull(host, "site")).value();
            return this;
        }

        /** The site's Ed25519 private key (required; {@code xenoservice keys generate} makes one). */
        public Builder siteKey(PrivateKey key) {
            Objects.requireNonNull(key, "siteKey");
            if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
                throw new IllegalArgumentException("siteKey must be an Ed25519 private key, was " + key.getAlgorithm());
            }
            this.siteKey = key;
            return this;
        }

        /** Where static files come from (required unless an adapter supplies it). */
        public Builder staticSource(StaticSource source) {
            this.staticSource = Objects.requireNonNull(source, "staticSource");
            return this;
        }

        /** Static files from a directory. */
        public Builder staticDirectory(Path directory) {
            return staticSource(DirectorySource.of(directory));
        }

        /** Whether a static source was given, so an adapter knows whether to supply its own. */
        public boolean hasStaticSource() {
            return staticSource != null;
        }

        /** Adds a dynamic route; a prefix may appear once. */
        public Builder dynamicRoute(DynamicRoute route) {
            Objects.requireNonNull(route, "route");
            if (dynamicRoutes.putIfAbsent(route.prefix(), route) != null) {
                throw new IllegalArgumentException("dynamic route " + route.prefix() + " is given twice");
            }
            return this;
        }

        /**
         * Adds a dynamic route from its one-line form, see {@link DynamicRoutes#parse}; its settings are
         * checked by {@link #build()}, once the back-channel defaults are filled in.
         */
        public Builder dynamicRoute(String prefix, String spec) {
            return dynamicRoute(DynamicRoutes.read(prefix, spec));
        }

        /**
         * Adds a peer to the pool; names and public keys must be unique. The origin trusts a request
         * from the back-channel (proxied, or a captured request's delivery) only when the peer's
         * {@linkplain PeerSpec#publicKey() pinned key} signed it.
         */
        public Builder peer(PeerSpec peer) {
            Objects.requireNonNull(peer, "peer");
            for (PeerSpec other : peers.values()) {
                if (other.publicKey().equals(peer.publicKey()) && !other.name().equals(peer.name())) {
                    throw new IllegalArgumentException("peers " + other.name() + " and " + peer.name()
                            + " have the same public key; every peer host has its own identity"
                            + " ('xenoservice peer identity' on each)");
                }
            }
            if (peers.putIfAbsent(peer.name(), peer) != null) {
                throw new IllegalArgumentException("peer " + peer.name() + " is given twice");
            }
            return this;
        }

        /** How the site's DNS name is changed. */
        public Builder dns(DnsSettings settings) {
            this.dns = Optional.of(Objects.requireNonNull(settings, "dns"));
            return this;
        }

        /**
         * Sends DNS changes through {@code updater} instead of an RFC 2136 updater built from
         * {@link #dns(DnsSettings)}, which is still required for the name, TTL and origin addresses
         * (its servers and TSIG key go unused). For DNS providers with another API, and for demos that
         * keep the records in memory; see {@code Replicator.Builder.dnsUpdater}. The service closes
         * the updater when it is closed. Not settable from a properties file.
         */
        public Builder dnsUpdater(DnsUpdater updater) {
            this.dnsUpdater = Optional.of(Objects.requireNonNull(updater, "dnsUpdater"));
            return this;
        }

        /** The detector's thresholds; {@link OverloadConfig#DEFAULTS} by default. */
        public Builder overload(OverloadConfig config) {
            this.overload = Objects.requireNonNull(config, "overload");
            return this;
        }

        /** Where peers reach the origin, e.g. {@code http://10.0.0.5:8080} (an address clients do not use). */
        public Builder backChannel(URI url) {
            Objects.requireNonNull(url, "backChannel");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException(
                        "back-channel must be an absolute http(s) URL with a host, was " + url);
            }
            this.backChannel = Optional.of(url);
            return this;
        }

        /** Where bundles and the intake's ledger live (required). */
        public Builder stateDirectory(Path directory) {
            this.stateDirectory = Objects.requireNonNull(directory, "stateDirectory");
            return this;
        }

        /** The bearer token for the admin endpoints (at least 16 characters); without one they answer 404. */
        public Builder adminToken(String token) {
            Objects.requireNonNull(token, "adminToken");
            if (token.length() < 16 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("admin token must be at least 16 visible ASCII characters, was "
                        + token.length() + " characters");
            }
            this.adminToken = Optional.of(token);
            return this;
        }

        /** How peers are brought in and withdrawn; {@link ReplicationConfig#DEFAULTS} by default. */
        public Builder replication(ReplicationConfig config) {
            this.replication = Objects.requireNonNull(config, "replication");
            return this;
        }

        /**
         * What applies the requests peers captured under the site's {@code capture} routes, once per
         * idempotency key (see {@link CaptureHandler} for the contract). Without one, the intake
         * answers 503 and peers keep the requests, retrying, until an origin with a handler takes them.
         */
        public Builder captureHandler(CaptureHandler handler) {
            this.captureHandler = Optional.of(Objects.requireNonNull(handler, "captureHandler"));
            return this;
        }

        /** Where the site's HTTPS certificates come from: an ACME CA and its account. */
        public Builder acme(AcmeSettings settings) {
            this.acme = Optional.of(Objects.requireNonNull(settings, "acme"));
            return this;
        }

        /**
         * Declares the site HTTP-only ({@code http-only} in the file; false by default): its peers
         * enter DNS without a certificate. Leave it off for any site browsers reach over HTTPS: a
         * peer without the site's certificate would break every page load sent to it.
         */
        public Builder httpOnly(boolean value) {
            this.httpOnly = value;
            return this;
        }

        /**
         * What the site's bundles ask of replicas: whether they redirect plain HTTP to HTTPS, and
         * the HSTS value they send over HTTPS (never over plain HTTP); {@link HttpsSettings#NONE}
         * by default. Ask for a redirect only when every name of the site works over HTTPS on every
         * peer, and for HSTS only once it does: browsers keep it for its {@code max-age}.
         */
        public Builder https(HttpsSettings settings) {
            this.https = Objects.requireNonNull(settings, "https");
            return this;
        }

        /**
         * How many bytes of the site's static files the origin holds in memory to answer them while
         * overloaded ({@code static-memory-bytes} in the file); 0 turns it off.
         * {@link #DEFAULT_STATIC_MEMORY_BYTES} by default. While a new bundle loads, the files it changed
         * are held twice for a moment.
         *
         * @throws IllegalArgumentException unless between 0 and {@link #MAX_STATIC_MEMORY_BYTES}
         */
        public Builder staticMemoryBytes(long bytes) {
            if (bytes < 0 || bytes > MAX_STATIC_MEMORY_BYTES) {
                throw new IllegalArgumentException("staticMemoryBytes must be between 0 (off) and "
                        + MAX_STATIC_MEMORY_BYTES + " (16 GiB), but was " + bytes);
            }
            this.staticMemoryBytes = bytes;
            return this;
        }

        /**
         * See {@link XenoConfig#shelteredDirectBytesPerSecond()}; 0 (no budget) by default.
         *
         * @throws IllegalArgumentException unless between 0 and 10^10 (10 GB/s)
         */
        public Builder shelteredDirectBytesPerSecond(long bytes) {
            if (bytes < 0 || bytes > 10_000_000_000L) {
                throw new IllegalArgumentException("shelteredDirectBytesPerSecond must be between 0 (no budget) and"
                        + " 10000000000, but was " + bytes);
            }
            this.shelteredDirectBytesPerSecond = bytes;
            return this;
        }

        /**
         * The most bytes held in memory for one static file ({@code static-memory-file-bytes} in the
         * file): its stored bytes, plus its decoded bytes when stored gzip-compressed. Larger files are
         * left to the application. {@link #DEFAULT_STATIC_MEMORY_FILE_BYTES} by default.
         *
         * @throws IllegalArgumentException unless between 1 and {@link #MAX_STATIC_MEMORY_FILE_BYTES}
         */
        public Builder staticMemoryFileBytes(long bytes) {
            if (bytes < 1 || bytes > MAX_STATIC_MEMORY_FILE_BYTES) {
                throw new IllegalArgumentException("staticMemoryFileBytes must be between 1 and "
                        + MAX_STATIC_MEMORY_FILE_BYTES + " (256 MiB), but was " + bytes);
            }
            this.staticMemoryFileBytes = bytes;
            return this;
        }

        /**
         * Reads a properties file into this builder (see {@link XenoConfig} for the properties).
         *
         * @throws IOException if it or a file it names cannot be read
         * @throws IllegalArgumentException naming the property that is missing or invalid
         */
        public Builder load(Path propertiesFile) throws IOException {
            new XenoConfigFile(propertiesFile, this).load();
            return this;
        }

        /**
         * Applies settings given as keys and values of the properties file (see {@link XenoConfig}),
         * for a configuration system of an application's own: the Spring Boot starter turns its
         * {@code xenoservice.*} properties into these, so that they are checked exactly as a file's.
         *
         * @param properties values by property name, e.g. {@code dns.ttl-seconds} to {@code 30}
         * @param folder where relative paths are taken from
         * @throws IOException if a file a property names cannot be read
         * @throws IllegalArgumentException naming the property that is missing or invalid
         */
        public Builder load(Map<String, String> properties, Path folder) throws IOException {
            XenoConfigFile.apply(properties, folder, this);
            return this;
        }

        /** The site set so far, for the file reader's defaults. */
        Optional<String> siteSoFar() {
            return Optional.ofNullable(site);
        }

        /**
         * Builds the configuration.
         *
         * @throws IllegalStateException naming what is missing
         */
        public XenoConfig build() {
            if (site == null) {
                throw new IllegalStateException("site is required: the host name to defend, e.g. books.example");
            }
            if (siteKey == null) {
                throw new IllegalStateException(
                        "site key is required: the site's Ed25519 private key (PKCS#8 PEM), e.g. made by "
                                + "SiteKeys.generate or the xenoservice tool's 'keys generate'");
            }
            if (staticSource == null) {
                throw new IllegalStateException("a static source is required (static.directory, or the adapter's own)");
            }
            if (stateDirectory == null) {
                throw new IllegalStateException(
                        "state directory is required: where bundles and the intake ledger live");
            }
            if (dnsUpdater.isPresent() && dns.isEmpty()) {
                throw new IllegalStateException(
                        "a dnsUpdater needs dns settings too: they give the name, the TTL and the"
                                + " origin's addresses that the updater changes");
            }
            if (httpOnly && !https.isNone()) {
                throw new IllegalStateException("an http-only site cannot ask peers to redirect to HTTPS or send HSTS:"
                        + " drop https.* or http-only");
            }
            if (acme.isPresent() && httpOnly) {
                throw new IllegalStateException("an http-only site needs no certificates: drop acme.* or http-only");
            }
            if (acme.isPresent() && dns.isEmpty()) {
                throw new IllegalStateException("ACME certificates need dns settings too: the challenge TXT records"
                        + " are written with the dns.tsig key to the dns.servers");
            }
            return new XenoConfig(this);
        }
    }
}
