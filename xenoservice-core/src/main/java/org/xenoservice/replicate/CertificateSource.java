package org.xenoservice.replicate;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.xenoservice.acme.AcmeIssuer;
import org.xenoservice.acme.IssuedCertificate;

/**
 * Where the replicator gets certificates for its peers' keys: the seam between its decisions and
 * the CA. The real one is an {@link AcmeIssuer} (ACME DNS-01 through the site's own DNS); unit tests
 * put a fake in its place to exercise ordering, renewal and failures without a CA.
 *
 * <p>Called from the certificate threads; implementations must be safe for concurrent use.
 */
interface CertificateSource {
    /** The names every certificate carries: the site's, then the extra names (e.g. {@code www.}). */
    List<String> names();

    /** Orders a certificate for {@code names} and finalizes it with the peer's request (DER). */
    IssuedCertificate issue(List<String> names, byte[] csrDer) throws IOException;

    /** When to renew {@code certificate}. */
    Instant renewalTime(IssuedCertificate certificate);

    /** The real source: orders go to {@code issuer}'s CA. */
    static CertificateSource of(AcmeIssuer issuer) {
        return new CertificateSource() {
            @Override
            public List<String> names() {
                return issuer.names();
            }

            @Override
            public IssuedCertificate issue(List<String> names, byte[] csrDer) throws IOException {
                return issuer.issue(names, csrDer);
            }

            @Override
            public Instant renewalTime(IssuedCertificate certificate) {
                return issuer.renewalTime(certificate);
            }
        };
    }
}
