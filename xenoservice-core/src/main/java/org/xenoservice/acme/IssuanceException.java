package org.xenoservice.acme;

import java.io.IOException;
import java.util.Locale;

/**
 * A certificate that was not issued. {@link #reason()} says what went wrong in a form a program
 * can act on (retry later, fix the DNS policy, fix the configuration); the message says what to
 * fix, with the CA's own explanation where it gave one. Whatever failed, the challenge TXT records
 * that were written for the order have been removed again.
 */
public final class IssuanceException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why the certificate was not issued. */
    public enum Reason {
        /** The ACME server could not be reached, or its TLS certificate is not trusted. */
        CA_UNREACHABLE,
        /** The CA answered with an error (its problem document is in the message). */
        CA_ERROR,
        /** The CA's rate limit was reached; try again later. */
        RATE_LIMITED,
        /** The CA checked a challenge TXT record and found it wrong or missing. */
        CHALLENGE_INVALID,
        /** The CA marked the order invalid after it was finalized. */
        ORDER_INVALID,
        /** The DNS server's update-policy refused the challenge TXT record. */
        DNS_REFUSED,
        /** The challenge TXT record could not be written or read for another reason. */
        DNS_FAILED,
        /** A wait ran out: for the primary to answer a record, for validation or for issuance. */
        TIMEOUT,
        /** The certificate request cannot be used: unreadable, badly signed, or for other names. */
        BAD_REQUEST,
        /** A name the issuer was not configured for; nothing was sent. */
        NAME_NOT_ALLOWED,
        /** The account key file cannot be read or written. */
        ACCOUNT_KEY,
        /** The thread was interrupted. */
        INTERRUPTED
    }

    private final Reason reason;

    IssuanceException(Reason reason, String message) {
        this(reason, message, null);
    }

    IssuanceException(Reason reason, String message, Throwable cause) {
        super(reason.name().toLowerCase(Locale.ROOT).replace('_', '-') + ": " + message, cause);
        this.reason = reason;
    }

    /** Why the certificate was not issued. */
    public Reason reason() {
        return reason;
    }
}
