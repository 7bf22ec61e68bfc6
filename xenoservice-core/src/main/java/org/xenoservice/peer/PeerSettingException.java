package org.xenoservice.peer;

/**
 * A {@link PeerConfig.Builder} setting that is missing or out of range. {@link #setting()} says
 * which one and {@link #problem()} what is wrong with it, so that a tool can name the setting its
 * own way (a command-line flag, a property) without parsing the message; the message names the
 * builder method, e.g. "servingPort must be between 0 and 65535, but was 70000".
 */
public final class PeerSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The settings of a peer host that can be wrong. */
    public enum Setting {
        /** {@link PeerConfig.Builder#servingPort}. */
        SERVING_PORT("servingPort", "serving-port"),
        /** {@link PeerConfig.Builder#httpsPort}. */
        HTTPS_PORT("httpsPort", "https-port"),
        /** {@link PeerConfig.Builder#tlsEngine}. */
        TLS_ENGINE("tlsEngine", "tls-engine"),
        /** {@link PeerConfig.Builder#controlPort}. */
        CONTROL_PORT("controlPort", "control-port"),
        /** {@link PeerConfig.Builder#bindAddress}. */
        BIND_ADDRESS("bindAddress", "bind-address"),
        /** {@link PeerConfig.Builder#storeDirectory}. */
        STORE_DIRECTORY("storeDirectory", "store-directory"),
        /** {@link PeerConfig.Builder#bandwidthBytesPerSecond}. */
        BANDWIDTH_BYTES_PER_SECOND("bandwidthBytesPerSecond", "bandwidth-bytes-per-second"),
        /** {@link PeerConfig.Builder#maxUploadBytes}. */
        MAX_UPLOAD_BYTES("maxUploadBytes", "max-upload-bytes"),
        /** {@link PeerConfig.Builder#metricsToken}. */
        METRICS_TOKEN("metricsToken", "metrics-token-file"),
        /** {@link PeerConfig.Builder#enrollments}. */
        ENROLLMENTS("enrollments", "site.<host>.key"),
        /** {@link PeerConfig.Builder#manualCertificate}. */
        MANUAL_CERTIFICATES("manualCertificate", "site.<host>.tls-certificate"),
        /** {@link ConnectionLimits#headerTimeout()}. */
        HEADER_TIMEOUT("headerTimeout", "header-timeout-seconds"),
        /** {@link ConnectionLimits#bodyTimeout()}. */
        BODY_TIMEOUT("bodyTimeout", "body-timeout-seconds"),
        /** {@link ConnectionLimits#idleTimeout()}. */
        IDLE_TIMEOUT("idleTimeout", "idle-timeout-seconds"),
        /** {@link ConnectionLimits#uploadTimeout()}. */
        UPLOAD_TIMEOUT("uploadTimeout", "upload-timeout-seconds"),
        /** {@link ConnectionLimits#maxConnections()}. */
        MAX_CONNECTIONS("maxConnections", "max-connections"),
        /** {@link ConnectionLimits#maxConnectionsPerAddress()}. */
        MAX_CONNECTIONS_PER_ADDRESS("maxConnectionsPerAddress", "max-connections-per-address"),
        /** {@link ConnectionLimits#maxConcurrentUploads()}. */
        MAX_CONCURRENT_UPLOADS("maxConcurrentUploads", "max-concurrent-uploads"),
        /** {@link PeerConfig.Builder#retiredForwarding}. */
        RETIRED_FORWARDING("retiredForwarding", "retired-forward-seconds");

        private final String builderName;
        private final String propertyName;

        Setting(String builderName, String propertyName) {
            this.builderName = builderName;
            this.propertyName = propertyName;
        }

        /** The property that sets it in a peer properties file, e.g. {@code serving-port}. */
        public String propertyName() {
            return propertyName;
        }

        /** The builder method that sets it, e.g. {@code servingPort}. */
        public String builderName() {
            return builderName;
        }
    }

    private final Setting setting;
    private final String problem;
    private final boolean missing;

    private PeerSettingException(Setting setting, String problem, boolean missing) {
        super(setting.builderName() + " " + problem);
        this.setting = setting;
        this.problem = problem;
        this.missing = missing;
    }

    /** {@code setting} has a value that breaks a rule; {@code problem} says which, e.g. "must be positive, but was 0". */
    static PeerSettingException invalid(Setting setting, String problem) {
        return new PeerSettingException(setting, problem, false);
    }

    /** {@code setting} is required and was not given; {@code problem} says why it is needed. */
    static PeerSettingException missing(Setting setting, String problem) {
        return new PeerSettingException(setting, problem, true);
    }

    /** The setting at fault. */
    public Setting setting() {
        return setting;
    }

    /** What is wrong, without the setting's name, e.g. "must be between 0 and 65535, but was 70000". */
    public String problem() {
        return problem;
    }

    /** Whether the setting is required and was not given at all. */
    public boolean missing() {
        return missing;
    }
}
