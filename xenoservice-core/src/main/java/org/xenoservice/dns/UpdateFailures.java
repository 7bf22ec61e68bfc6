package org.xenoservice.dns;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xenoservice.dns.DnsUpdateException.Reason;

/**
 * Classifies what the servers answer {@link Rfc2136DnsUpdater}: the response code with the TSIG
 * error folded in, whether an answer to a signed message verifies, and for every way a change can
 * fail the {@link DnsUpdateException} whose {@link Reason} a program can act on and whose message
 * tells the operator what to fix. Kept apart from the updater so that the advice for each
 * response code is in one place, and the updater only decides when to retry.
 *
 * <p>Immutable; safe for concurrent use.
 */
final class UpdateFailures {
    private final Optional<TsigKey> key;
    private final String signer;
    private final String primary;

    /**
     * Words failures for an updater.
     *
     * @param key the key that signs every message, if any
     * @param primary the first server tried, named when a refusal does not say which answered
     */
    UpdateFailures(Optional<TsigKey> key, DnsServer primary) {
        this.key = key;
        this.signer = key.map(k -> "key " + k.name() + " (" + k.algorithm().token() + ")")
                .orElse("unsigned updates");
        this.primary = primary.toString();
    }

    /** The response code, with a TSIG error (BADKEY, BADSIG, BADTIME) taking precedence. */
    static int rcodeOf(Message response) {
        TSIGRecord record = response.getTSIG();
        if (record != null && record.getError() != Rcode.NOERROR) {
            return record.getError();
        }
        return response.getRcode();
    }

    /** BADSIG shares its number with BADVERS; TSIG errors are named as TSIG errors. */
    static String rcodeName(int rcode) {
        return rcode == Rcode.BADSIG || rcode == Rcode.BADKEY || rcode == Rcode.BADTIME
                ? Rcode.TSIGstring(rcode)
                : Rcode.string(rcode);
    }

    /** Answers to signed messages must be signed and verify, except the errors that say why they cannot. */
    void checkVerified(Message response, DnsServer server, int rcode) throws DnsUpdateException {
        if (key.isEmpty() || rcode == Rcode.BADKEY || rcode == Rcode.BADSIG || rcode == Rcode.BADTIME) {
            return;
        }
        if (!response.isSigned() || !response.isVerified()) {
            throw new DnsUpdateException(
                    Reason.UNVERIFIED_RESPONSE,
                    rcode,
                    "the answer from " + server + " is "
                            + (response.isSigned() ? "signed but its signature does not verify" : "not signed")
                            + " with key " + key.orElseThrow().name()
                            + "; it may be forged, or the server uses another key",
                    null);
        }
    }

    /** A change too large for one DNS message; nothing was sent. */
    static DnsUpdateException tooLarge(String what, int size) {
        return new DnsUpdateException(
                Reason.TOO_LARGE,
                "cannot " + what + ": the message would be " + size
                        + " bytes, more than the " + Message.MAXLENGTH
                        + " one DNS message can hold; nothing was sent, so "
                        + "change fewer records at once");
    }

    /** A server that answered SERVFAIL; the next one may do better. */
    static DnsUpdateException serverFailed(DnsServer server, String what, int rcode) {
        return new DnsUpdateException(
                Reason.SERVFAIL,
                rcode,
                "server " + server + " failed to " + what + " (SERVFAIL); its log says why",
                null);
    }

    /** A server that did not answer in time, {@code attempt} times. */
    static DnsUpdateException timedOut(
            DnsServer server, String what, Duration timeout, int attempt, SocketTimeoutException e) {
        return new DnsUpdateException(
                Reason.TIMEOUT,
                -1,
                "no answer from " + server + " within "
                        + timeout.toMillis() + " ms to " + what + " after " + attempt
                        + " attempt(s): is the server running "
                        + "and reachable on this port?",
                e);
    }

    /** A server that could not be reached at all. */
    static DnsUpdateException unreachable(DnsServer server, String what, IOException e) {
        return new DnsUpdateException(
                Reason.UNREACHABLE,
                -1,
                "cannot reach " + server + " to " + what + ": " + e.getMessage() + "; check the host and port",
                e);
    }

    /** A rewrite that lost to another updater {@code rounds} times. */
    static DnsUpdateException conflict(Name owner, int rounds, int rcode) {
        return new DnsUpdateException(
                Reason.CONFLICT,
                rcode,
                "the records of " + owner + " changed under " + rounds
                        + " attempts to rewrite them; another updater keeps changing them",
                null);
    }

    /** The primary returned no SOA above {@code owner}. */
    DnsUpdateException zoneNotFound(Name owner, int rcode) {
        return new DnsUpdateException(
                Reason.ZONE_NOT_FOUND,
                rcode,
                "server " + primary + " returned no SOA "
                        + "for " + owner + " (" + rcodeName(rcode)
                        + "): it is not authoritative for a zone holding this name; "
                        + "point the updater at the zone's primary, or configure the zone",
                null);
    }

    /**
     * A change of {@code owner}'s {@code types} records (e.g. {@code "A AAAA"}, {@code "TXT"}) in
     * {@code zone} that the server answered {@code rcode} to.
     */
    DnsUpdateException refusal(int rcode, Name owner, Name zone, String types) {
        return switch (rcode) {
            case Rcode.REFUSED ->
                new DnsUpdateException(
                        Reason.REFUSED,
                        rcode,
                        "the server refused to change the " + types + " records of " + owner
                                + " in zone " + zone + ": its update-policy does not grant " + signer
                                + " that right; " + grantAdvice(owner, zone, types),
                        null);
            case Rcode.NOTAUTH ->
                new DnsUpdateException(
                        Reason.NOTAUTH,
                        rcode,
                        "the server is not authoritative for zone " + zone
                                + " (or takes no updates for it): send updates to the zone's primary and check the zone",
                        null);
            case Rcode.NOTZONE ->
                new DnsUpdateException(
                        Reason.NOTZONE,
                        rcode,
                        owner + " is not inside zone " + zone
                                + ": configure the zone that holds it, or leave the zone out to find it from the SOA",
                        null);
            case Rcode.BADKEY ->
                new DnsUpdateException(
                        Reason.BADKEY,
                        rcode,
                        "the server does not know " + signer
                                + ": the key's name and algorithm must match a key statement on the server",
                        null);
            case Rcode.BADSIG ->
                new DnsUpdateException(
                        Reason.BADSIG,
                        rcode,
                        "the server could not verify the signature " + "by " + signer
                                + ": the secret differs from the server's",
                        null);
            case Rcode.BADTIME ->
                new DnsUpdateException(
                        Reason.BADTIME,
                        rcode,
                        "the server says this host's clock differs " + "from its own by more than the TSIG fudge of "
                                + TSIG.FUDGE.toSeconds() + " s: synchronise the clocks (NTP)",
                        null);
            case Rcode.FORMERR ->
                new DnsUpdateException(
                        Reason.FORMERR,
                        rcode,
                        "the server found the message for " + owner + " malformed (FORMERR)",
                        null);
            case Rcode.SERVFAIL ->
                new DnsUpdateException(
                        Reason.SERVFAIL,
                        rcode,
                        "the server failed to change " + owner + " (SERVFAIL); its log says why",
                        null);
            default ->
                new DnsUpdateException(
                        Reason.UNEXPECTED_RCODE,
                        rcode,
                        "the server answered " + rcodeName(rcode) + " to the change of " + owner + " via " + primary,
                        null);
        };
    }

    /** The {@code update-policy} line that would allow the change, or what to do for unsigned updates. */
    private String grantAdvice(Name owner, Name zone, String types) {
        return key.map(k -> "add this line to the update-policy of zone " + zone + ": grant " + k.name() + " name "
                        + owner + " " + types + ";")
                .orElse("let the server take unsigned updates of this name (allow-update), or sign them with a"
                        + " TSIG key and grant it the name");
    }
}
