package org.xenoservice.client;

import java.io.IOException;
import java.net.URI;

/**
 * A control call to a peer that failed: refused by the peer (with its HTTP status and the
 * machine-readable reason from its JSON error, e.g. {@code 409} and {@code rollback}), or never
 * answered (status {@link #NO_RESPONSE} and a reason such as {@code unreachable} or
 * {@code timeout}). The message says what happened, naming the peer, and what to do.
 */
public final class PeerCallException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The {@link #status()} of a call the peer never answered. */
    public static final int NO_RESPONSE = 0;
    /**
     * The {@link #reason()} of an upload refused because it is a delta bundle on a version the peer
     * does not hold: push the full bundle instead.
     */
    public static final String REASON_BUNDLE_BASE = "bundle-base";

    private final int status;
    private final String reason;
    private final transient URI url;

    PeerCallException(URI url, int status, String reason, String message, Throwable cause) {
        super(message, cause);
        this.url = url;
        this.status = status;
        this.reason = reason;
    }

    /** The HTTP status the peer answered, or {@link #NO_RESPONSE}. */
    public int status() {
        return status;
    }

    /**
     * Why: the peer's reason (e.g. {@code bad-signature}, {@code rollback}, {@code too-large},
     * {@code quota}), or, with no usable answer, {@code unreachable}, {@code timeout}, {@code tls},
     * {@code io} or {@code http-<status>} for an answer that was not a XenoService error.
     */
    public String reason() {
        return reason;
    }

    /** The URL that was called. */
    public URI url() {
        return url;
    }
}
