package org.xenoservice.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A tiny certificate authority for tests, made with BouncyCastle: a root, an intermediate that
 * signs leaves, and a client {@link SSLContext} that trusts this root only (never all). It signs
 * what a peer's {@code tls/csr} call answers, as the real ACME CA will, and also makes the hostile
 * chains a peer must refuse (another key, other names, expired, not yet valid, broken links).
 */
public final class TestCa {
    private static final Pattern CSR_PEM =
            Pattern.compile("-----BEGIN CERTIFICATE REQUEST-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE REQUEST-----");

    private final String name;
    private final KeyPair rootKeys;
    private final X509Certificate root;
    private final KeyPair intermediateKeys;
    private final X509Certificate intermediate;
    private long serial = 1000;

    /** A new CA whose root and intermediate are valid from a day ago for ten years. */
    public TestCa(String name) {
        this.name = name;
        Instant now = Instant.now();
        rootKeys = ecKeys();
        root = caCertificate("CN=" + name + " Root", rootKeys.getPublic(), "CN=" + name + " Root", rootKeys, now);
        intermediateKeys = ecKeys();
        intermediate = caCertificate(
                "CN=" + name + " Intermediate", intermediateKeys.getPublic(), "CN=" + name + " Root", rootKeys, now);
    }

    /** A fresh ECDSA P-256 key pair. */
    public static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The root, which clients trust. */
    public X509Certificate root() {
        return root;
    }

    /** The intermediate, which signs leaves. */
    public X509Certificate intermediate() {
        return intermediate;
    }

    /** A client TLS context that trusts this CA's root and nothing else. */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root);
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key of a PEM CSR, after checking its signature. */
    public static PublicKey csrKey(String csrPem) {
        try {
            JcaPKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(csr(csrPem));
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(request.getPublicKey()))) {
                throw new IllegalArgumentException("the CSR's signature does not verify");
            }
            return request.getPublicKey();
        } catch (GeneralSecurityException | OperatorCreationException | PKCSException e) {
            throw new IllegalArgumentException("not a CSR: " + e.getMessage(), e);
        }
    }

    /** The DNS names a PEM CSR asks for. */
    public static List<String> csrNames(String csrPem) {
        List<String> names = new ArrayList<>();
        for (Attribute attribute : csr(csrPem).getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttrValues()) {
                GeneralNames alternatives =
                        GeneralNames.fromExtensions(Extensions.getInstance(value), Extension.subjectAlternativeName);
                if (alternatives != null) {
                    for (GeneralName name : alternatives.getNames()) {
                        if (name.getTagNo() == GeneralName.dNSName) {
                            names.add(name.getName().toString());
                        }
                    }
                }
            }
        }
        return names;
    }

    /** Signs a CSR for the names it asks, valid from an hour ago for 90 days: leaf and intermediate in PEM. */
    public String sign(String csrPem) {
        Instant now = Instant.now();
        return chainPem(
                leaf(csrKey(csrPem), csrNames(csrPem), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(90))));
    }

    /** A leaf for any key and names, valid from {@code notBefore} to {@code notAfter}, signed by the intermediate. */
    public X509Certificate leaf(PublicKey key, List<String> names, Instant notBefore, Instant notAfter) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    intermediate,
                    BigInteger.valueOf(nextSerial()),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    new X500Name("CN=" + names.get(0)),
                    key);
            builder.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(names.stream()
                            .map(dns -> new GeneralName(GeneralName.dNSName, dns))
                            .toArray(GeneralName[]::new)));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return sign(builder, intermediateKeys.getPrivate());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The chain of a leaf this CA issued: the leaf, then the intermediate, in PEM. */
    public String chainPem(X509Certificate leaf) {
        return pem(leaf) + pem(intermediate);
    }

    /** One certificate in PEM. */
    public static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A private key as PKCS#8 PEM. */
    public static String pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Override
    public String toString() {
        return "TestCa[" + name + "]";
    }

    private synchronized long nextSerial() {
        return ++serial;
    }

    private X509Certificate caCertificate(
            String subject, PublicKey key, String issuer, KeyPair issuerKeys, Instant now) {
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    new X500Name(issuer),
                    BigInteger.valueOf(nextSerial()),
                    Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(3650))),
                    new X500Name(subject),
                    org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(key.getEncoded()));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return sign(builder, issuerKeys.getPrivate());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PKCS10CertificationRequest csr(String csrPem) {
        Matcher matcher = CSR_PEM.matcher(csrPem);
        if (!matcher.find()) {
            throw new IllegalArgumentException("not a PEM CSR: " + csrPem);
        }
        try {
            return new PKCS10CertificationRequest(
                    Base64.getMimeDecoder().decode(matcher.group(1).strip()));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a CSR: " + e.getMessage(), e);
        }
    }
}
