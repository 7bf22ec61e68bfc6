package org.xenoservice.acme;

import java.io.IOException;
import java.security.PublicKey;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.xenoservice.acme.IssuanceException.Reason;

/**
 * What a PKCS#10 certificate request (from the peer that holds the key) asks for, read and checked
 * before an order is placed, so that a request the CA would refuse, or one for other names than
 * the site's, never costs an order: the DER parses, its signature verifies with its own key (the
 * peer holds the private half), and it names exactly the names ordered, as subject alternative
 * names (a common name, if any, must be one of them).
 *
 * <p>Immutable.
 */
final class CertificateRequest {
    private final Set<String> names;
    private final byte[] publicKeyInfo;

    private CertificateRequest(Set<String> names, byte[] publicKeyInfo) {
        this.names = Set.copyOf(names);
        this.publicKeyInfo = publicKeyInfo.clone();
    }

    /** The DNS names it asks for, lower case. */
    Set<String> names() {
        return names;
    }

    /** The DER SubjectPublicKeyInfo of its key, which the issued leaf must carry. */
    byte[] publicKeyInfo() {
        return publicKeyInfo.clone();
    }

    /**
     * Reads {@code der} and checks it asks for exactly {@code ordered}.
     *
     * @throws IssuanceException with {@link Reason#BAD_REQUEST} saying what is wrong
     */
    static CertificateRequest read(byte[] der, List<String> ordered) throws IssuanceException {
        PKCS10CertificationRequest csr;
        try {
            csr = new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw bad("it is not a DER-encoded PKCS#10 certificate request: " + e.getMessage(), e);
        }
        try {
            PublicKey key = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw bad("its signature does not verify with the key it carries", null);
            }
        } catch (OperatorCreationException | PKCSException | PEMException | RuntimeException e) {
            throw bad("its signature cannot be checked: " + e.getMessage(), e);
        }
        Set<String> names = alternativeNames(csr);
        for (RDN rdn : csr.getSubject().getRDNs(BCStyle.CN)) {
            String commonName = IETFUtils.valueToString(rdn.getFirst().getValue());
            if (!names.contains(hostName(commonName))) {
                throw bad("its common name " + commonName + " is not among its alternative names " + names, null);
            }
        }
        if (!names.equals(new LinkedHashSet<>(ordered))) {
            throw bad(
                    "it asks for " + names + ", but the certificate is ordered for " + ordered
                            + "; make the request for exactly these names",
                    null);
        }
        try {
            return new CertificateRequest(names, csr.getSubjectPublicKeyInfo().getEncoded());
        } catch (IOException e) {
            throw bad("its public key cannot be encoded: " + e.getMessage(), e);
        }
    }

    private static Set<String> alternativeNames(PKCS10CertificationRequest csr) throws IssuanceException {
        Set<String> names = new LinkedHashSet<>();
        for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttrValues().toArray()) {
                GeneralNames general =
                        GeneralNames.fromExtensions(Extensions.getInstance(value), Extension.subjectAlternativeName);
                if (general == null) {
                    continue;
                }
                for (GeneralName name : general.getNames()) {
                    if (name.getTagNo() != GeneralName.dNSName) {
                        throw bad(
                                "it asks for a subject alternative name that is not a DNS name (" + name
                                        + "); only DNS names are ordered",
                                null);
                    }
                    names.add(hostName(ASN1IA5String.getInstance(name.getName()).getString()));
                }
            }
        }
        if (names.isEmpty()) {
            throw bad("it names no DNS name as subject alternative name", null);
        }
        return names;
    }

    private static String hostName(String name) throws IssuanceException {
        try {
            return AcmeSettings.hostName("name", name);
        } catch (IllegalArgumentException e) {
            throw bad("it asks for " + e.getMessage(), e);
        }
    }

    private static IssuanceException bad(String why, Throwable cause) {
        return new IssuanceException(Reason.BAD_REQUEST, "the certificate request cannot be used: " + why, cause);
    }

    @Override
    public String toString() {
        return "CertificateRequest" + names;
    }
}
