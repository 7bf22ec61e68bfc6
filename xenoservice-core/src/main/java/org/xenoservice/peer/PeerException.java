package org.xenoservice.peer;

/**
 * A control operation the peer refused, with the HTTP status to answer and a machine-readable
 * reason (e.g. {@code rollback}), and a message that says what to do.
 */
public final class PeerException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;

    /** A refusal with its HTTP status and reason id. */
    public PeerException(int status, String reason, String message) {
        super(message);
        this.status = status;
        this.reason = reason;
    }

    /** A refusal caused by a lower-level error. */
    public PeerException(int status, String reason, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.reason = reason;
    }

    /** The HTTP status: 400, 404, 409, 413 … */
    public int status() {
        return status;
    }

    /** The machine-readable reason, kebab-case, e.g. {@code rollback}, {@code not-staged}, {@code quota}. */
    public String reason() {
        return reason;
    }
}
