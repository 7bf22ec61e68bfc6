package org.xenoservice.dns;

import java.io.IOException;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * A DNS change that was not made. {@link #reason()} says what went wrong in a form a program can
 * act on; {@link #rcode()} is the server's response code (with the TSIG error folded in, as
 * {@code BADKEY}, {@code BADSIG} and {@code BADTIME} are) when the server answered; the message
 * says what to fix.
 */
public final class DnsUpdateException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the change was not made. */
    public enum Reason {
        /** The server's update-policy does not allow this key to change this name (rcode REFUSED). */
        REFUSED,
        /** The server is not authoritative for the zone, or refused the TSIG (rcode NOTAUTH). */
        NOTAUTH,
        /** The name is not inside the zone the update was sent for (rcode NOTZONE). */
        NOTZONE,
        /** The server does not know the TSIG key name or algorithm (TSIG error BADKEY). */
        BADKEY,
        /** The TSIG signature did not verify: the secret is wrong (TSIG error BADSIG). */
        BADSIG,
        /** The clocks of this host and the server differ by more than the TSIG fudge (BADTIME). */
        BADTIME,
        /** The server failed to process the update (rcode SERVFAIL), on every server tried. */
        SERVFAIL,
        /** The server rejected the message as malformed (rcode FORMERR). */
        FORMERR,
        /** Another updater kept changing the records between read and write; retries ran out. */
        CONFLICT,
        /** Another response code the updater does not expect. */
        UNEXPECTED_RCODE,
        /** No server answered in time, after every retry. */
        TIMEOUT,
        /** No server could be reached (connection refused, no route). */
        UNREACHABLE,
        /** The answer was not signed with the key, or its signature did not verify. */
        UNVERIFIED_RESPONSE,
        /** The name is not one this updater was configured to manage; nothing was sent. */
        NAME_NOT_MANAGED,
        /** No zone could be found for the name (no SOA above it on the server). */
        ZONE_NOT_FOUND,
        /** The updater was closed. */
        CLOSED,
        /** The change does not fit in one DNS message (65,535 bytes); nothing was sent. */
        TOO_LARGE
    }

    private final Reason reason;
    private final int rcode;

    /** A failure without a server response code. */
    public DnsUpdateException(Reason reason, String message) {
        this(reason, -1, message, null);
    }

    /** A failure, with the server's response code ({@code -1} when there was none) and cause. */
    public DnsUpdateException(Reason reason, int rcode, String message, Throwable cause) {
        super(reason.name().toLowerCase(Locale.ROOT).replace('_', '-') + ": " + message, cause);
        this.reason = reason;
        this.rcode = rcode;
    }

    /** Why the change was not made. */
    public Reason reason() {
        return reason;
    }

    /** The server's response code (RFC 2136 / RFC 8945 numbering), if the server answered. */
    public OptionalInt rcode() {
        return rcode < 0 ? OptionalInt.empty() : OptionalInt.of(rcode);
    }
}
