package org.xenoservice.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The certificate a peer serves for a site over HTTPS, as its {@code status} and
 * {@code tls/certificate} calls report it: which names it covers and how long it is valid. The
 * origin reads it to decide whether a peer may enter DNS (it must hold a certificate valid for a
 * while yet) and when to renew; only the certificate travels, never its key.
 *
 * @param names the DNS names of the leaf certificate's subject alternative names, lower case
 * @param notBefore when the leaf becomes valid
 * @param notAfter when the leaf stops being valid
 * @param serialNumber the leaf's serial number, lower-case hex
 */
public record ServedCertificate(List<String> names, Instant notBefore, Instant notAfter, String serialNumber) {
    /** Copies the names and checks nothing is null and the validity is an interval. */
    public ServedCertificate {
        names = names.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList();
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(serialNumber, "serialNumber");
        if (notAfter.isBefore(notBefore)) {
            throw new IllegalArgumentException("notAfter " + notAfter + " must not be before notBefore " + notBefore);
        }
    }

    /** Whether the certificate is valid at {@code when} and still for {@code margin} after it. */
    public boolean validFor(Instant when, Duration margin) {
        return !when.isBefore(notBefore) && when.plus(margin).isBefore(notAfter);
    }

    /** Whether every one of {@code hosts} is among its names (case-insensitive). */
    public boolean covers(List<String> hosts) {
        return hosts.stream().allMatch(host -> names.contains(host.toLowerCase(Locale.ROOT)));
    }
}
