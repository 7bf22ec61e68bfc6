package org.xenoservice.intake;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link OriginCaptures#capture} did not journal a request, and nothing of it was kept: the client
 * gets {@link #status()} with the message, and {@code Retry-After} when {@link #retryAfter()} says
 * so. {@link #reason()} is the machine-readable reason; the message names the value, the rule and
 * what to do.
 */
public final class OriginCaptureRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a request was not journalled, each with the HTTP status the client gets. */
    public enum Reason {
        /** The request breaks the rules every captured request follows ({@code CaptureRules}): 400. */
        INVALID(400),
        /** No capture route of the site decides the request's path once normalized: 404. */
        NOT_CAPTURED(404),
        /** The idempotency key belongs to another request (another method, path, type or body): 422. */
        KEY_REUSED(422),
        /** The journal holds as many requests or bytes as it may; retry once they are applied: 503. */
        FULL(503),
        /** The journal is closed, or failed and is being reopened: 503. */
        UNAVAILABLE(503);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        /** The HTTP status the client gets. */
        public int status() {
            return status;
        }

        /** The reason as it appears in messages, e.g. {@code key-reused}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;
    private final transient Optional<Duration> retryAfter;

    OriginCaptureRefusedException(Reason reason, String message, Optional<Duration> retryAfter) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** Why the request was not journalled. */
    public Reason reason() {
        return reason;
    }

    /** The HTTP status the client gets: {@link Reason#status()}. */
    public int status() {
        return reason.status();
    }

    /** How long the client should wait before it sends the request again, for a 503. */
    public Optional<Duration> retryAfter() {
        return retryAfter == null ? Optional.empty() : retryAfter;
    }
}
