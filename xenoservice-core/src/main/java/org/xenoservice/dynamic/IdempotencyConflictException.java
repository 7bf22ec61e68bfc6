package org.xenoservice.dynamic;

import java.io.IOException;

/**
 * A request was refused because its idempotency key already belongs to another request (another
 * method, path, headers or body) in the same site's journal: whoever sends a key first owns it, so
 * that a second client cannot be told its request was taken when it was dropped. Nothing was
 * written. The peer answers {@code 422}; the client should send its request with a new key.
 */
public final class IdempotencyConflictException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final long sequence;

    IdempotencyConflictException(String key, long sequence) {
        super("idempotency key " + key + " was already used for another request (#" + sequence
                + " of this site's journal); send a new request with a new key");
        this.key = key;
        this.sequence = sequence;
    }

    /** The idempotency key that is taken. */
    public String key() {
        return key;
    }

    /** The sequence number of the request that owns the key. */
    public long sequence() {
        return sequence;
    }
}
