package org.xenoservice.replicate;

import java.time.Duration;
import java.util.Objects;

/**
 * The replicator's timings and limits: how fast peers are brought in, how long the site must be
 * calm before they leave, how often the static files are checked, and how much a peer call may
 * take. Beside {@link org.xenoservice.overload.OverloadConfig} (when to act), this says how to
 * act. The defaults suit a small site; {@code xeno.properties} sets them as {@code replication.*}.
 * Immutable; made with {@link #builder()}.
 */
public final class ReplicationConfig {
    /** The quiet period a withdrawn peer waits for before it retires, unless configured: 2 minutes. */
    public static final Duration DEFAULT_DRAIN_QUIET = Duration.ofMinutes(2);
    /** The longest a withdrawn peer drains while requests still reach it, unless configured: 1 hour. */
    public static final Duration DEFAULT_MAX_DRAIN = Duration.ofHours(1);
    /** The defaults. */
    public static final ReplicationConfig DEFAULTS = builder().build();

    private final Duration coolDown;
    private final Duration waveInterval;
    private final Duration restageInterval;
    private final Duration peerCallTimeout;
    private final long maxUploadBytesPerSecond;
    private final Duration drainQuiet;
    private final Duration maxDrain;

    private ReplicationConfig(Builder builder) {
        if (builder.maxDrain.compareTo(builder.drainQuiet) < 0) {
            throw new IllegalArgumentException("the longest drain (" + builder.maxDrain.toSeconds()
                    + " s) must be at least the quiet period a draining peer waits for ("
                    + builder.drainQuiet.toSeconds()
                    + " s): raise replication.max-drain-seconds or lower replication.drain-quiet-seconds");
        }
        this.drainQuiet = builder.drainQuiet;
        this.maxDrain = builder.maxDrain;
        this.coolDown = builder.coolDown;
        this.waveInterval = builder.waveInterval;
        this.restageInterval = builder.restageInterval;
        this.peerCallTimeout = builder.peerCallTimeout;
        this.maxUploadBytesPerSecond = builder.maxUploadBytesPerSecond;
    }

    /** Starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * How long the detector must stay NORMAL before peers are withdrawn (default 2 min): long enough
     * that a flood which pauses does not find the origin alone again.
     */
    public Duration coolDown() {
        return coolDown;
    }

    /** The pause between activation waves of 1, 2, 4 … peers (default 2 s). */
    public Duration waveInterval() {
        return waveInterval;
    }

    /** How often the static source is checked for changes and rebuilt (default 30 s). */
    public Duration restageInterval() {
        return restageInterval;
    }

    /** How long one control call to a peer may take, uploads excepted (default 5 s). */
    public Duration peerCallTimeout() {
        return peerCallTimeout;
    }

    /** The most bytes per second a push sends to one peer; 0 (the default) is unlimited. */
    public long maxUploadBytesPerSecond() {
        return maxUploadBytesPerSecond;
    }

    /**
     * How long a withdrawn peer must have served no request for the site before it is retired
     * (default {@link #DEFAULT_DRAIN_QUIET}): DNS no longer names it, but browsers and resolvers
     * keep answers for a minute or more whatever the TTL says, so the peer keeps serving until its
     * own counter shows that nobody comes any more. Never less than twice the TTL.
     */
    public Duration drainQuiet() {
        return drainQuiet;
    }

    /**
     * The longest a withdrawn peer keeps serving while requests still reach it (default
     * {@link #DEFAULT_MAX_DRAIN}): a client that never lets go (a bot, a monitor) must not hold a
     * peer for good. After it, or after {@link #drainQuiet()}, the peer is retired, and forwards what
     * still reaches it to the origin for its own grace period.
     */
    public Duration maxDrain() {
        return maxDrain;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ReplicationConfig that
                && coolDown.equals(that.coolDown)
                && waveInterval.equals(that.waveInterval)
                && restageInterval.equals(that.restageInterval)
                && peerCallTimeout.equals(that.peerCallTimeout)
                && maxUploadBytesPerSecond == that.maxUploadBytesPerSecond
                && drainQuiet.equals(that.drainQuiet)
                && maxDrain.equals(that.maxDrain);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                coolDown,
                waveInterval,
                restageInterval,
                peerCallTimeout,
                maxUploadBytesPerSecond,
                drainQuiet,
                maxDrain);
    }

    @Override
    public String toString() {
        return "ReplicationConfig{coolDown=" + coolDown + ", waveInterval=" + waveInterval + ", restageInterval="
                + restageInterval + ", peerCallTimeout=" + peerCallTimeout + ", maxUploadBytesPerSecond="
                + maxUploadBytesPerSecond + ", drainQuiet=" + drainQuiet + ", maxDrain=" + maxDrain + "}";
    }

    /** Configures a {@link ReplicationConfig}; every setter checks its value and says what is wrong. */
    public static final class Builder {
        private Duration coolDown = Duration.ofMinutes(2);
        private Duration waveInterval = Duration.ofSeconds(2);
        private Duration restageInterval = Duration.ofSeconds(30);
        private Duration peerCallTimeout = Duration.ofSeconds(5);
        private long maxUploadBytesPerSecond;
        private Duration drainQuiet = DEFAULT_DRAIN_QUIET;
        private Duration maxDrain = DEFAULT_MAX_DRAIN;

        private Builder() {}

        /** See {@link ReplicationConfig#drainQuiet()}; must be positive. */
        public Builder drainQuiet(Duration value) {
            this.drainQuiet = positive("drain quiet period", value);
            return this;
        }

        /** See {@link ReplicationConfig#maxDrain()}; must be positive and at least the quiet period. */
        public Builder maxDrain(Duration value) {
            this.maxDrain = positive("longest drain", value);
            return this;
        }

        /** See {@link ReplicationConfig#coolDown()}; must be positive. */
        public Builder coolDown(Duration value) {
            this.coolDown = positive("cool-down", value);
            return this;
        }

        /** See {@link ReplicationConfig#waveInterval()}; must be positive. */
        public Builder waveInterval(Duration value) {
            this.waveInterval = positive("wave interval", value);
            return this;
        }

        /** See {@link ReplicationConfig#restageInterval()}; must be positive. */
        public Builder restageInterval(Duration value) {
            this.restageInterval = positive("restage interval", value);
            return this;
        }

        /** See {@link ReplicationConfig#peerCallTimeout()}; must be positive. */
        public Builder peerCallTimeout(Duration value) {
            this.peerCallTimeout = positive("peer call timeout", value);
            return this;
        }

        /** See {@link ReplicationConfig#maxUploadBytesPerSecond()}; 0 or more. */
        public Builder maxUploadBytesPerSecond(long value) {
            if (value < 0) {
                throw new IllegalArgumentException(
                        "max upload bytes per second must be 0 (unlimited) or more, was " + value);
            }
            this.maxUploadBytesPerSecond = value;
            return this;
        }

        /** The configuration. */
        public ReplicationConfig build() {
            return new ReplicationConfig(this);
        }

        private static Duration positive(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
