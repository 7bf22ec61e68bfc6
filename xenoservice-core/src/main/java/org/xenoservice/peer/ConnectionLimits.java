package org.xenoservice.peer;

import java.time.Duration;
import java.util.Objects;
import org.xenoservice.peer.PeerSettingException.Setting;

/**
 * The limits that keep slow or idle clients from holding a peer's connections and threads: how
 * long a client may take to send a request's headers, its body, or an upload; how long a
 * connection may stay idle; how many connections one address and all clients together may hold;
 * how many uploads the control port reads at once. A flood of slow clients then costs the peer
 * file descriptors and a little memory for a bounded time, never the answers its ordinary clients
 * get. Immutable; make one with {@link #builder()}, or take {@link #DEFAULTS}.
 *
 * <p>In a peer properties file: {@code header-timeout-seconds} ({@link #DEFAULT_HEADER_TIMEOUT}),
 * {@code body-timeout-seconds} ({@link #DEFAULT_BODY_TIMEOUT}), {@code idle-timeout-seconds}
 * ({@link #DEFAULT_IDLE_TIMEOUT}), {@code upload-timeout-seconds} ({@link #DEFAULT_UPLOAD_TIMEOUT}),
 * {@code max-connections} ({@value #DEFAULT_MAX_CONNECTIONS}), {@code max-connections-per-address}
 * ({@value #DEFAULT_MAX_CONNECTIONS_PER_ADDRESS}) and {@code max-concurrent-uploads}
 * ({@value #DEFAULT_MAX_CONCURRENT_UPLOADS}).
 *
 * @param headerTimeout how long a client may take to send a request's line and headers, from its
 *     first byte; the connection is closed after it
 * @param bodyTimeout how long a client may take to send a request body on the serving ports; the
 *     connection is closed after it
 * @param idleTimeout how long a connection may go without a request, or a request without reading
 *     or writing a byte (a client that stops reading its answer); it is closed after it
 * @param uploadTimeout how long a signed upload to the control port may take, body included
 * @param maxConnections connections the serving ports (HTTP and HTTPS together) hold at most, and
 *     the control port as many again; a connection over it is closed at once
 * @param maxConnectionsPerAddress connections one client address holds at most on each port; a
 *     connection over it is closed at once
 * @param maxConcurrentUploads bundle uploads the control port reads at once; a signed upload over
 *     it is answered 503 with {@code Retry-After}, so that small control calls still get answered
 */
public record ConnectionLimits(
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration idleTimeout,
        Duration uploadTimeout,
        int maxConnections,
        int maxConnectionsPerAddress,
        int maxConcurrentUploads) {
    /** The default header timeout: 10 s, plenty for any browser, little for a slowloris. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** The default body timeout on the serving ports: 30 s for at most a captured request's body. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    /** The default idle timeout: 60 s. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The default upload timeout: 10 min, 1 GiB at under 2 MB/s. */
    public static final Duration DEFAULT_UPLOAD_TIMEOUT = Duration.ofMinutes(10);
    /** The default cap on connections. */
    public static final int DEFAULT_MAX_CONNECTIONS = 4096;
    /** The default cap on connections per client address (a browser opens at most 6 per host). */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
    /** The default cap on uploads read at once. */
    public static final int DEFAULT_MAX_CONCURRENT_UPLOADS = 2;

    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    /** Every limit at its default. */
    public static final ConnectionLimits DEFAULTS = builder().build();

    /** Checks the values, as the builder does. */
    public ConnectionLimits {
        checkTimeout(Setting.HEADER_TIMEOUT, headerTimeout);
        checkTimeout(Setting.BODY_TIMEOUT, bodyTimeout);
        checkTimeout(Setting.IDLE_TIMEOUT, idleTimeout);
        checkTimeout(Setting.UPLOAD_TIMEOUT, uploadTimeout);
        checkCount(Setting.MAX_CONNECTIONS, maxConnections);
        checkCount(Setting.MAX_CONNECTIONS_PER_ADDRESS, maxConnectionsPerAddress);
        checkCount(Setting.MAX_CONCURRENT_UPLOADS, maxConcurrentUploads);
        if (maxConnectionsPerAddress > maxConnections) {
            throw PeerSettingException.invalid(
                    Setting.MAX_CONNECTIONS_PER_ADDRESS,
                    "must be at most max-connections (" + maxConnections + "), but was " + maxConnectionsPerAddress);
        }
    }

    /** Starts with every limit at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these limits, to change some of them. */
    public Builder toBuilder() {
        return builder()
                .headerTimeout(headerTimeout)
                .bodyTimeout(bodyTimeout)
                .idleTimeout(idleTimeout)
                .uploadTimeout(uploadTimeout)
                .maxConnections(maxConnections)
                .maxConnectionsPerAddress(maxConnectionsPerAddress)
                .maxConcurrentUploads(maxConcurrentUploads);
    }

    private static void checkTimeout(Setting setting, Duration value) {
        Objects.requireNonNull(value, setting.builderName());
        if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(MAX_TIMEOUT) > 0) {
            throw PeerSettingException.invalid(
                    setting, "must be between 1 s and 1 day, but was " + value.toMillis() + " ms");
        }
    }

    private static void checkCount(Setting setting, int value) {
        if (value < 1) {
            throw PeerSettingException.invalid(setting, "must be positive, but was " + value);
        }
    }

    /** Configures {@link ConnectionLimits}; each value is checked when built. Not thread-safe. */
    public static final class Builder {
        private Duration headerTimeout = DEFAULT_HEADER_TIMEOUT;
        private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration uploadTimeout = DEFAULT_UPLOAD_TIMEOUT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private int maxConcurrentUploads = DEFAULT_MAX_CONCURRENT_UPLOADS;

        private Builder() {}

        /** See {@link ConnectionLimits#headerTimeout()}; 1 s to 1 day. */
        public Builder headerTimeout(Duration value) {
            this.headerTimeout = value;
            return this;
        }

        /** See {@link ConnectionLimits#bodyTimeout()}; 1 s to 1 day. */
        public Builder bodyTimeout(Duration value) {
            this.bodyTimeout = value;
            return this;
        }

        /** See {@link ConnectionLimits#idleTimeout()}; 1 s to 1 day. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        /** See {@link ConnectionLimits#uploadTimeout()}; 1 s to 1 day. */
        public Builder uploadTimeout(Duration value) {
            this.uploadTimeout = value;
            return this;
        }

        /** See {@link ConnectionLimits#maxConnections()}; positive. */
        public Builder maxConnections(int value) {
            this.maxConnections = value;
            return this;
        }

        /** See {@link ConnectionLimits#maxConnectionsPerAddress()}; positive, at most the total. */
        public Builder maxConnectionsPerAddress(int value) {
            this.maxConnectionsPerAddress = value;
            return this;
        }

        /** See {@link ConnectionLimits#maxConcurrentUploads()}; positive. */
        public Builder maxConcurrentUploads(int value) {
            this.maxConcurrentUploads = value;
            return this;
        }

        /**
         * Builds the limits.
         *
         * @throws PeerSettingException naming the first value out of range
         */
        public ConnectionLimits build() {
            return new ConnectionLimits(
                    headerTimeout,
                    bodyTimeout,
                    idleTimeout,
                    uploadTimeout,
                    maxConnections,
                    maxConnectionsPerAddress,
                    maxConcurrentUploads);
        }
    }
}
