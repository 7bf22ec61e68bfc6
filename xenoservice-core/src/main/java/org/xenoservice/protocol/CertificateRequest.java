package org.xenoservice.protocol;

import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate signing request (PKCS#10) that a peer made for one site, as its
 * {@code tls/csr} call answers it. The peer keeps the private key; the origin hands the request to
 * its certificate authority (ACME {@code finalize} takes {@link #der()}) and pushes the chain it
 * gets back with the {@code tls/certificate} call.
 *
 * @param names the DNS names the request asks for, lower case, the first one also the subject's CN
 * @param pem the request in PEM ({@code -----BEGIN CERTIFICATE REQUEST-----})
 */
public record CertificateRequest(List<String> names, String pem) {
    private static final Pattern PEM =
            Pattern.compile("-----BEGIN CERTIFICATE REQUEST-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE REQUEST-----");

    /** Copies the names and checks the PEM holds a request. */
    public CertificateRequest {
        names = List.copyOf(names);
        Objects.requireNonNull(pem, "pem");
        if (!PEM.matcher(pem).find()) {
            throw new IllegalArgumentException("the request is not a PEM CERTIFICATE REQUEST");
        }
    }

    /** The request's DER bytes, as an ACME CA's {@code finalize} takes them. */
    public byte[] der() {
        Matcher matcher = PEM.matcher(pem);
        if (!matcher.find()) {
            throw new IllegalStateException("checked in the constructor");
        }
        return Base64.getMimeDecoder().decode(matcher.group(1).strip());
    }
}
