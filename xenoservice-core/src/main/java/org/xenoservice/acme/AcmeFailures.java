package org.xenoservice.acme;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeLazyLoadingException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.exception.AcmeUserActionRequiredException;
import org.xenoservice.acme.IssuanceException.Reason;
import org.xenoservice.dns.DnsUpdateException;

/**
 * Words every way an issuance can fail as an {@link IssuanceException} whose {@link Reason} a
 * program can act on and whose message tells the operator what to fix: acme4j's exceptions (the
 * network, TLS trust, the CA's problem documents, rate limits), the DNS server's refusals, and
 * waits that ran out. Kept in one place so that the issuer only decides what to do next.
 *
 * <p>Immutable; safe for concurrent use.
 */
final class AcmeFailures {
    private final URI directory;

    AcmeFailures(URI directory) {
        this.directory = directory;
    }

    /** An acme4j failure while trying to {@code what} (e.g. "place the order for [books.example]"). */
    IssuanceException of(AcmeException e, String what) {
        if (e instanceof AcmeNetworkException) {
            return unreachable(e, what);
        }
        if (e instanceof AcmeRateLimitedException limited) {
            return new IssuanceException(
                    Reason.RATE_LIMITED,
                    "the CA at " + directory + " refused to " + what + " for now: " + problem(limited.getProblem())
                            + limited.getRetryAfter()
                                    .map(at -> "; it may be tried again after " + at)
                                    .orElse("; try again later"),
                    e);
        }
        if (e instanceof AcmeUserActionRequiredException action) {
            return new IssuanceException(
                    Reason.CA_ERROR,
                    "the CA at " + directory + " wants the account's owner to act before it will " + what + ": "
                            + problem(action.getProblem())
                            + Optional.ofNullable(action.getInstance())
                                    .map(url -> " (see " + url + ")")
                                    .orElse(""),
                    e);
        }
        if (e instanceof AcmeServerException server) {
            return new IssuanceException(
                    Reason.CA_ERROR,
                    "the CA at " + directory + " refused to " + what + ": " + problem(server.getProblem()),
                    e);
        }
        return new IssuanceException(
                Reason.CA_ERROR, "could not " + what + " at the CA " + directory + ": " + e.getMessage(), e);
    }

    /** A failure acme4j raised while it loaded a resource lazily, or found a reply malformed. */
    IssuanceException of(RuntimeException e, String what) {
        if (e instanceof AcmeLazyLoadingException lazy && lazy.getCause() instanceof AcmeException cause) {
            return of(cause, what);
        }
        return new IssuanceException(
                Reason.CA_ERROR,
                "could not " + what + ": the CA at " + directory + " sent what acme4j cannot use: " + e.getMessage(),
                e);
    }

    /** The CA's verdict on a challenge it checked and found wrong. */
    static IssuanceException challengeInvalid(String recordName, Optional<Problem> error) {
        return new IssuanceException(
                Reason.CHALLENGE_INVALID,
                "the CA checked the TXT record " + recordName + " and found it invalid: "
                        + error.map(AcmeFailures::problem).orElse("it gave no reason")
                        + "; the CA asks the zone's name servers themselves, so every one of them (secondaries too)"
                        + " must answer the record, and the zone must be reachable from the CA");
    }

    /** An order the CA gave up on after finalization. */
    static IssuanceException orderInvalid(Object names, Optional<Problem> error) {
        return new IssuanceException(
                Reason.ORDER_INVALID,
                "the CA marked the order for " + names + " invalid: "
                        + error.map(AcmeFailures::problem).orElse("it gave no reason"));
    }

    /** A DNS server that did not write (or read) a challenge record. */
    static IssuanceException dns(DnsUpdateException e, String recordName) {
        boolean refused = e.reason() == DnsUpdateException.Reason.REFUSED;
        return new IssuanceException(
                refused ? Reason.DNS_REFUSED : Reason.DNS_FAILED,
                "cannot prove control of the name with the TXT record " + recordName + ": " + e.getMessage(),
                e);
    }

    /** A wait for {@code what} that ran out after {@code timeout}. */
    static IssuanceException timedOut(String what, Duration timeout) {
        return new IssuanceException(
                Reason.TIMEOUT,
                "gave up waiting after "
                        + (timeout.compareTo(Duration.ofSeconds(10)) < 0
                                ? timeout.toMillis() + " ms"
                                : timeout.toSeconds() + " s")
                        + " for " + what + "; try again later");
    }

    private IssuanceException unreachable(AcmeException e, String what) {
        boolean tls = false;
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            tls |= cause instanceof SSLException;
        }
        String advice = tls
                ? "the ACME server's TLS certificate is not trusted or not for this host name: for a CA with a private"
                        + " root give its certificate (acme.trust-file), and check the directory URL's host"
                : "is the directory URL right, and is the CA up and reachable from here?";
        return new IssuanceException(
                Reason.CA_UNREACHABLE,
                "cannot reach the ACME server " + directory + " to " + what + " (" + rootMessage(e) + "): " + advice,
                e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    static String problem(Problem problem) {
        StringBuilder text = new StringBuilder();
        text.append(problem.getDetail().or(problem::getTitle).orElse("no detail"));
        text.append(" (").append(problem.getType()).append(')');
        for (Problem sub : problem.getSubProblems()) {
            text.append("; ")
                    .append(sub.getIdentifier().map(id -> id.getValue() + ": ").orElse(""))
                    .append(sub.getDetail().orElse(String.valueOf(sub.getType())));
        }
        return text.toString();
    }
}
