package org.xenoservice.peer;

import java.util.Locale;

/**
 * A control call that was not authenticated. {@link #status()} is the HTTP status to answer (401
 * when the call is not signed or its signature headers are malformed, 403 when it is signed but
 * must be refused), {@link #reason()} the machine-readable cause.
 */
final class ControlAuthException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the call was refused. */
    public enum Reason {
        /** A signature header is missing: the call is not signed (401). */
        UNSIGNED(401),
        /** A signature header is malformed (401). */
        MALFORMED(401),
        /** The site is not enrolled on this peer, or the path names another site (403). */
        STRANGER(403),
        /** The signature does not verify against the site's pinned key (403). */
        BAD_SIGNATURE(403),
        /** The timestamp is further than the allowed skew from the peer's clock (403). */
        STALE(403),
        /** The nonce was already used within the skew window: a replay (403). */
        REPLAYED(403);

        private final int status;

        Reason(int status) {
            this.status = status;
        }

        /** The HTTP status to answer. */
        public int status() {
            return status;
        }

        /** The kebab-case id used in JSON errors, e.g. {@code bad-signature}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;

    ControlAuthException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** Why the call was refused. */
    public Reason reason() {
        return reason;
    }

    /** The HTTP status to answer: 401 or 403. */
    public int status() {
        return reason.status();
    }
}
