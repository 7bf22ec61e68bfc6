package org.xenoservice.peer;

import java.nio.file.Path;
import java.util.Objects;
import org.xenoservice.bundle.SiteName;

/**
 * A certificate the peer's operator installed for a site by hand ({@code site.<host>.tls-certificate}
 * and {@code site.<host>.tls-key}), for a site whose certificate authority has no ACME: the peer
 * serves it as it is and answers the site's {@code tls/csr} and {@code tls/certificate} calls with
 * 409, since the operator, not the site's owner, manages it. It is checked at start as an installed
 * chain is (the site's names, valid now, the key matches, the chain links).
 *
 * @param site the site's host name, lower case
 * @param chainFile the chain in PEM, leaf first
 * @param keyFile the leaf's private key in PEM (PKCS#8, or OpenSSL's EC or RSA form), unencrypted
 */
public record ManualCertificate(String site, Path chainFile, Path keyFile) {
    /** Lower-cases the site and checks nothing is null. */
    public ManualCertificate {
        site = SiteName.of(Objects.requireNonNull(site, "site")).value();
        Objects.requireNonNull(chainFile, "chainFile");
        Objects.requireNonNull(keyFile, "keyFile");
    }
}
