package org.xenoservice.protocol;

import java.util.Objects;

/**
 * A control call the peer refused, as its JSON error body carries it ({@link ControlCodec}): the
 * HTTP status travels beside it.
 *
 * @param reason the machine-readable reason, kebab-case, e.g. {@code rollback}, {@code bad-signature}
 * @param message what happened and what to do, for a person
 */
public record ControlError(String reason, String message) {
    /** Checks nothing is null. */
    public ControlError {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }
}
