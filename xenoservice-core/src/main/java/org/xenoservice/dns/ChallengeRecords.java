package org.xenoservice.dns;

import java.util.Set;

/**
 * Writes and reads the TXT records of ACME DNS-01 challenges (RFC 8555 §8.4): to prove to a
 * certificate authority that it controls {@code books.example}, the origin puts the value the CA
 * asks for at {@code _acme-challenge.books.example} with the same TSIG key it changes the site's
 * addresses with, waits until the zone's primary answers it, and removes it afterwards.
 *
 * <p>Kept apart from {@link DnsUpdater} so that implementations that only change addresses (other
 * DNS providers, the demos' in-memory DNS) need not write TXT records; {@link Rfc2136DnsUpdater}
 * implements both. Every method takes the name the certificate is for ({@code books.example}),
 * never the record's own name, so a key used here can only ever touch {@code _acme-challenge} TXT
 * records of the names the updater was configured to manage.
 *
 * <p>Implementations must be safe for concurrent use by several threads. Every method throws
 * {@link DnsUpdateException} when it did not do its job; its {@link DnsUpdateException#reason()}
 * says why ({@code REFUSED} when the zone's {@code update-policy} does not allow the TXT record),
 * its message what to fix.
 */
public interface ChallengeRecords {
    /** The label in front of the name a challenge is for (RFC 8555 §8.4). */
    String CHALLENGE_LABEL = "_acme-challenge";

    /**
     * Adds the TXT record {@code value} at {@code _acme-challenge.<name>}, in one message, beside
     * any other values there; adding a value that is present is not an error.
     */
    void addChallenge(String name, String value) throws DnsUpdateException;

    /**
     * Removes the TXT record {@code value} from {@code _acme-challenge.<name>}, leaving any other
     * value there; removing a value that is absent is not an error.
     */
    void removeChallenge(String name, String value) throws DnsUpdateException;

    /**
     * The TXT values at {@code _acme-challenge.<name>} as the zone's primary server answers them now
     * (asked directly, never through a caching resolver); empty if there are none.
     */
    Set<String> challengeValues(String name) throws DnsUpdateException;
}
