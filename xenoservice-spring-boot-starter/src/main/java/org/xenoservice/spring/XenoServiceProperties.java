package org.xenoservice.spring;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code xenoservice.*} properties: the same settings as a XenoService properties file
 * ({@code xeno.properties}, see {@link org.xenoservice.XenoConfig}), under the same names with the
 * prefix {@code xenoservice.}, so that {@code dns.ttl-seconds} in the file is
 * {@code xenoservice.dns.ttl-seconds} here. The starter hands them to core's own reader
 * ({@link org.xenoservice.XenoConfig.Builder#load(Map, java.nio.file.Path)}), which checks them exactly
 * as it checks a file; a property this class does not know fails the app's start.
 *
 * <pre>{@code
 * xenoservice.site=books.example
 * xenoservice.site-key=keys/site.key
 * xenoservice.state-directory=/var/lib/xeno-origin
 * xenoservice.back-channel=http://10.0.0.5:8080
 * xenoservice.dynamic.[/order]=capture,page=/thanks.html
 * xenoservice.peer.p1.control-url=https://peer1.example.net:8081
 * xenoservice.peer.p1.addresses=192.0.2.10
 * xenoservice.peer.p1.public-key=MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
 * }</pre>
 *
 * <p>Bound once at start-up, on one thread.
 */
@ConfigurationProperties(prefix = XenoServiceProperties.PREFIX, ignoreUnknownFields = false)
public final class XenoServiceProperties {
    /** The prefix of every property. */
    public static final String PREFIX = "xenoservice";

    /** Whether the starter protects the app at all; {@code false} turns it off with every other {@code xenoservice.*} property in place. */
    private boolean enabled = true;

    /** The site's host name, the DNS name XenoService defends, e.g. {@code books.example}. Required. */
    private String site;

    /** The site's Ed25519 private key (PKCS#8 PEM file, e.g. made by {@code xenoservice keys generate}), which signs its bundles and control calls. Required; relative paths are taken from the working directory. */
    private String siteKey;

    /** Where the origin keeps its bundles, the intake's ledger of applied orders and the ACME account key. Required. */
    private String stateDirectory;

    /** The URL where peers reach the origin (proxied requests, captured orders); clients never use it. */
    private String backChannel;

    /** Declares a site that browsers reach over plain HTTP only, whose peers need no certificate (default false). */
    private Boolean httpOnly;

    /** Bytes of static files the origin holds in memory to answer them while overloaded (default 64 MiB; 0 turns it off). */
    private Long staticMemoryBytes;

    /** No static file over this many bytes is held in memory (default 1 MiB). */
    private Long staticMemoryFileBytes;

    /** Bytes per second of pages from memory for direct clients while sheltered, over it a 503 (default 0: no budget). */
    private Long shelteredDirectBytesPerSecond;

    /** The bearer token for /_xeno/status and /_xeno/metrics (16 or more visible characters); or use admin-token-file. */
    private String adminToken;

    /** A file holding the bearer token for /_xeno/status and /_xeno/metrics. */
    private String adminTokenFile;

    /** What a replica does with a dynamic path, by path prefix: {@code xenoservice.dynamic.[/order]=capture,page=/thanks.html}, {@code proxy,max-in-flight=8} or {@code degrade,page=/sorry.html,status=503}. */
    private Map<String, String> dynamic = new TreeMap<>();

    /** The peer hosts the site may move to, by name ({@code xenoservice.peer.p1.control-url}, ...). */
    private Map<String, Peer> peer = new TreeMap<>();

    /** The DNS name XenoService changes with RFC 2136 updates. */
    private Dns dns = new Dns();

    /** Certificates for the peers from an ACME CA by DNS-01. */
    private Acme acme = new Acme();

    /** What peers do for HTTPS clients. */
    private Https https = new Https();

    /** The overload detector's thresholds. */
    private Overload overload = new Overload();

    /** The replicator's timings. */
    private Replication replication = new Replication();

    public boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(boolean value) {
        this.enabled = value;
    }

    public String getSite() {
        return site;
    }

    public void setSite(String value) {
        this.site = value;
    }

    public String getSiteKey() {
        return siteKey;
    }

    public void setSiteKey(String value) {
        this.siteKey = value;
    }

    public String getStateDirectory() {
        return stateDirectory;
    }

    public void setStateDirectory(String value) {
        this.stateDirectory = value;
    }

    public String getBackChannel() {
        return backChannel;
    }

    public void setBackChannel(String value) {
        this.backChannel = value;
    }

    public Boolean getHttpOnly() {
        return httpOnly;
    }

    public void setHttpOnly(Boolean value) {
        this.httpOnly = value;
    }

    public Long getStaticMemoryBytes() {
        return staticMemoryBytes;
    }

    public void setStaticMemoryBytes(Long value) {
        this.staticMemoryBytes = value;
    }

    public Long getStaticMemoryFileBytes() {
        return staticMemoryFileBytes;
    }

    public void setStaticMemoryFileBytes(Long value) {
        this.staticMemoryFileBytes = value;
    }

    public Long getShelteredDirectBytesPerSecond() {
        return shelteredDirectBytesPerSecond;
    }

    public void setShelteredDirectBytesPerSecond(Long value) {
        this.shelteredDirectBytesPerSecond = value;
    }

    public String getAdminToken() {
        return adminToken;
    }

    public void setAdminToken(String value) {
        this.adminToken = value;
    }

    public String getAdminTokenFile() {
        return adminTokenFile;
    }

    public void setAdminTokenFile(String value) {
        this.adminTokenFile = value;
    }

    public Map<String, String> getDynamic() {
        return dynamic;
    }

    public Map<String, Peer> getPeer() {
        return peer;
    }

    public Dns getDns() {
        return dns;
    }

    public Acme getAcme() {
        return acme;
    }

    public Https getHttps() {
        return https;
    }

    public Overload getOverload() {
        return overload;
    }

    public Replication getReplication() {
        return replication;
    }

    /** Where the site's static files come from. */
    private final Static staticFiles = new Static();

    /** Where the site's static files come from. */
    public Static getStatic() {
        return staticFiles;
    }

    /** Where the site's static files come from. */
    public static final class Static {
        /** A directory to publish as the site's static files; without it, the app's Spring static locations ({@code spring.web.resources.static-locations}, by default {@code classpath:/static/} and the others Spring MVC serves). */
        private String directory;

        public String getDirectory() {
            return directory;
        }

        public void setDirectory(String value) {
            this.directory = value;
        }
    }

    /** One peer host of the pool. */
    public static final class Peer {
        /** The peer's control URL, e.g. {@code https://peer1.example.net:8081}. Required. */
        private String controlUrl;

        /** The peer's IP address literals that go into the site's DNS name. Required. */
        private List<String> addresses;

        /** The peer host's identity key, as {@code xenoservice peer identity} prints it (MCowBQYDK2VwAyEA...). Required. */
        private String publicKey;

        /** Heavier peers are activated first (1 to 1000, default 1). */
        private Integer weight;

        /** The peer's region, shown in the status. */
        private String region;

        public String getControlUrl() {
            return controlUrl;
        }

        public void setControlUrl(String value) {
            this.controlUrl = value;
        }

        public List<String> getAddresses() {
            return addresses;
        }

        public void setAddresses(List<String> value) {
            this.addresses = value;
        }

        public String getPublicKey() {
            return publicKey;
        }

        public void setPublicKey(String value) {
            this.publicKey = value;
        }

        public Integer getWeight() {
            return weight;
        }

        public void setWeight(Integer value) {
            this.weight = value;
        }

        public String getRegion() {
            return region;
        }

        public void setRegion(String value) {
            this.region = value;
        }
    }

    /** The DNS name XenoService changes (RFC 2136, TSIG). */
    public static final class Dns {
        /** The primary servers that take RFC 2136 updates, host:port. Required for DNS. */
        private List<String> servers;

        /** The zone; found from the SOA when not given. */
        private String zone;

        /** The TSIG key, ALG:NAME:BASE64SECRET; or tsig-file. */
        private String tsig;

        /** A file holding the TSIG key, ALG:NAME:BASE64SECRET. */
        private String tsigFile;

        /** The DNS name to change (default the site). */
        private String name;

        /** TTL of the peer records, seconds; peers drain for twice this (default 60). */
        private Long ttlSeconds;

        /** The origin's own IP addresses in the name. */
        private List<String> originAddresses;

        /** Whether the origin's addresses leave the name while peers serve (default false). */
        private Boolean shelterOrigin;

        public List<String> getServers() {
            return servers;
        }

        public void setServers(List<String> value) {
            this.servers = value;
        }

        public String getZone() {
            return zone;
        }

        public void setZone(String value) {
            this.zone = value;
        }

        public String getTsig() {
            return tsig;
        }

        public void setTsig(String value) {
            this.tsig = value;
        }

        public String getTsigFile() {
            return tsigFile;
        }

        public void setTsigFile(String value) {
            this.tsigFile = value;
        }

        public String getName() {
            return name;
        }

        public void setName(String value) {
            this.name = value;
        }

        public Long getTtlSeconds() {
            return ttlSeconds;
        }

        public void setTtlSeconds(Long value) {
            this.ttlSeconds = value;
        }

        public List<String> getOriginAddresses() {
            return originAddresses;
        }

        public void setOriginAddresses(List<String> value) {
            this.originAddresses = value;
        }

        public Boolean getShelterOrigin() {
            return shelterOrigin;
        }

        public void setShelterOrigin(Boolean value) {
            this.shelterOrigin = value;
        }
    }

    /** The ACME CA that certifies the peers for the site's names. */
    public static final class Acme {
        /** The ACME directory URL, e.g. https://acme-v02.api.letsencrypt.org/directory. */
        private String directory;

        /** The account's contact, e.g. mailto:owner@books.example. */
        private String contact;

        /** Names besides the site that the peers' certificates cover. */
        private List<String> names;

        /** PEM certificates to trust for the ACME server's own HTTPS (a private CA). */
        private String trustFile;

        public String getDirectory() {
            return directory;
        }

        public void setDirectory(String value) {
            this.directory = value;
        }

        public String getContact() {
            return contact;
        }

        public void setContact(String value) {
            this.contact = value;
        }

        public List<String> getNames() {
            return names;
        }

        public void setNames(List<String> value) {
            this.names = value;
        }

        public String getTrustFile() {
            return trustFile;
        }

        public void setTrustFile(String value) {
            this.trustFile = value;
        }
    }

    /** What peers do for HTTPS clients. */
    public static final class Https {
        /** Whether peers redirect plain HTTP to HTTPS (default false). */
        private Boolean redirect;

        /** The Strict-Transport-Security value peers send over HTTPS, e.g. max-age=31536000; includeSubDomains (default none). */
        private String hsts;

        public Boolean getRedirect() {
            return redirect;
        }

        public void setRedirect(Boolean value) {
            this.redirect = value;
        }

        public String getHsts() {
            return hsts;
        }

        public void setHsts(String value) {
            this.hsts = value;
        }
    }

    /** The overload detector's thresholds. */
    public static final class Overload {
        /** Seconds of traffic the detector learns from before it may fire. */
        private Long warmupSeconds;

        /** Requests the detector learns from before it may fire. */
        private Long warmupRequests;

        /** How many times the usual arrival rate counts as a surge. */
        private Double surgeFactor;

        /** No arrival rate below this, per second, is a surge. */
        private Double minSurgeRatePerSecond;

        /** Process CPU share (0 to 1) that counts as overload. */
        private Double cpuThreshold;

        /** Seconds of calm before the detector says NORMAL again. */
        private Long recoverySeconds;

        public Long getWarmupSeconds() {
            return warmupSeconds;
        }

        public void setWarmupSeconds(Long value) {
            this.warmupSeconds = value;
        }

        public Long getWarmupRequests() {
            return warmupRequests;
        }

        public void setWarmupRequests(Long value) {
            this.warmupRequests = value;
        }

        public Double getSurgeFactor() {
            return surgeFactor;
        }

        public void setSurgeFactor(Double value) {
            this.surgeFactor = value;
        }

        public Double getMinSurgeRatePerSecond() {
            return minSurgeRatePerSecond;
        }

        public void setMinSurgeRatePerSecond(Double value) {
            this.minSurgeRatePerSecond = value;
        }

        public Double getCpuThreshold() {
            return cpuThreshold;
        }

        public void setCpuThreshold(Double value) {
            this.cpuThreshold = value;
        }

        public Long getRecoverySeconds() {
            return recoverySeconds;
        }

        public void setRecoverySeconds(Long value) {
            this.recoverySeconds = value;
        }
    }

    /** The replicator's timings. */
    public static final class Replication {
        /** Seconds of NORMAL before peers are withdrawn. */
        private Long coolDownSeconds;

        /** Milliseconds between waves of peers while the flood lasts. */
        private Long waveIntervalMs;

        /** Seconds between checks of the static source for changes. */
        private Long restageIntervalSeconds;

        /** Timeout of one control call to a peer, milliseconds. */
        private Long peerCallTimeoutMs;

        /** Pace of bundle uploads to peers, bytes per second (0: unpaced). */
        private Long maxUploadBytesPerSecond;

        /** Seconds a withdrawn peer must have served no request before it retires (default 120). */
        private Long drainQuietSeconds;

        /** Longest a withdrawn peer drains while requests still reach it, seconds (default 3600). */
        private Long maxDrainSeconds;

        public Long getDrainQuietSeconds() {
            return drainQuietSeconds;
        }

        public void setDrainQuietSeconds(Long value) {
            this.drainQuietSeconds = value;
        }

        public Long getMaxDrainSeconds() {
            return maxDrainSeconds;
        }

        public void setMaxDrainSeconds(Long value) {
            this.maxDrainSeconds = value;
        }

        public Long getCoolDownSeconds() {
            return coolDownSeconds;
        }

        public void setCoolDownSeconds(Long value) {
            this.coolDownSeconds = value;
        }

        public Long getWaveIntervalMs() {
            return waveIntervalMs;
        }

        public void setWaveIntervalMs(Long value) {
            this.waveIntervalMs = value;
        }

        public Long getRestageIntervalSeconds() {
            return restageIntervalSeconds;
        }

        public void setRestageIntervalSeconds(Long value) {
            this.restageIntervalSeconds = value;
        }

        public Long getPeerCallTimeoutMs() {
            return peerCallTimeoutMs;
        }

        public void setPeerCallTimeoutMs(Long value) {
            this.peerCallTimeoutMs = value;
        }

        public Long getMaxUploadBytesPerSecond() {
            return maxUploadBytesPerSecond;
        }

        public void setMaxUploadBytesPerSecond(Long value) {
            this.maxUploadBytesPerSecond = value;
        }
    }
}
