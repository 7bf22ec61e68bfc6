package org.xenoservice.acme;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A certificate the CA issued: the chain as PEM, leaf first, ready to hand to the peer that holds
 * the key, the names it is for, and when it is valid. The origin never holds the private key.
 *
 * @param pemChain the leaf and the intermediates the CA sent, each a PEM {@code CERTIFICATE} block
 * @param names the names the certificate is for, as ordered
 * @param notBefore the start of validity
 * @param notAfter the end of validity
 */
public record IssuedCertificate(String pemChain, List<String> names, Instant notBefore, Instant notAfter) {
    /** Checks the values and copies the list. */
    public IssuedCertificate {
        Objects.requireNonNull(pemChain, "pemChain");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        names = List.copyOf(names);
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException(
                    "a certificate's notAfter must be after its notBefore, but was " + notAfter + " <= " + notBefore);
        }
    }

    /** How long the certificate is valid in all. */
    public Duration lifetime() {
        return Duration.between(notBefore, notAfter);
    }
}
