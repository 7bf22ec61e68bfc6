package org.xenoservice.peer;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link Captures#capture} did not take a request, and nothing was journalled: the request cannot
 * be delivered as it is, its idempotency key belongs to another request, or the site is over its
 * capture rate or storage quota. {@link #status()} is the HTTP status to answer, {@link #retryAfter()}
 * the {@code Retry-After} to send with it, and the message says what the client should do.
 */
public final class CaptureRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a request was not taken. */
    public enum Reason {
        /** The request breaks {@link org.xenoservice.protocol.CaptureRules}: 400. */
        INVALID(400),
        /** Its idempotency key was used for another request: 422. */
        KEY_REUSED(422),
        /** The site is over its {@link CaptureLimits}: 429. */
        RATE(429),
        /** The site's journal would go over its storage quota: 503 until the origin takes the backlog. */
        QUOTA(503);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        /** The reason as metrics and logs name it, e.g. {@code key-reused}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;
    private final transient Optional<Duration> retryAfter;

    CaptureRefusedException(Reason reason, String message, Optional<Duration> retryAfter) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** Why the request was not taken. */
    public Reason reason() {
        return reason;
    }

    /** The HTTP status to answer. */
    public int status() {
        return reason.status;
    }

    /** How long the client should wait before it sends the request again, when waiting helps. */
    public Optional<Duration> retryAfter() {
        return retryAfter == null ? Optional.empty() : retryAfter;
    }
}
