package org.xenoservice.samples.demo;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The demo's own small certificate authority (BouncyCastle builds the certificates; the keys and
 * signatures are the JDK's): an ECDSA P-256 root that signs one server certificate, the one
 * pebble's ACME API is served with, so that the origin reaches that API with the chain and the host
 * name checked, never trusting all. It lives as long as the demo; its key is never written to disk.
 */
final class LocalCa {
    /** How long the root and what it signs are valid: longer than any demo runs. */
    static final Duration VALIDITY = Duration.ofDays(7);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair key;
    private final X509Certificate certificate;

    private LocalCa(KeyPair key, X509Certificate certificate) {
        this.key = key;
        this.certificate = certificate;
    }

    /** A new root named {@code commonName}. */
    static LocalCa create(String commonName) {
        KeyPair key = newKey();
        X500Principal subject = new X500Principal("CN=" + commonName);
        try {
            X509v3CertificateBuilder builder = builder(subject, subject, key)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new LocalCa(key, sign(builder, key));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the demo's CA", e);
        }
    }

    /** The root: what a client of a server this CA signed for trusts. */
    X509Certificate certificate() {
        return certificate;
    }

    /** A TLS server certificate for {@code serverKey}, for the one DNS name {@code host}. */
    X509Certificate issueServer(KeyPair serverKey, String host) {
        try {
            X509v3CertificateBuilder builder = builder(
                            certificate.getSubjectX500Principal(), new X500Principal("CN=" + host), serverKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
            return sign(builder, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a certificate for " + host, e);
        }
    }

    /** A fresh ECDSA P-256 key pair. */
    static KeyPair newKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has ECDSA P-256", e);
        }
    }

    /**
     * A TLS context that trusts {@code root} and nothing else (not the JDK's trust store); the chain is
     * checked as ever, and a client that uses it checks the host name too.
     */
    static SSLContext trustOnly(X509Certificate root) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("root", root);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    "cannot make a TLS context that trusts " + root.getSubjectX500Principal(), e);
        }
    }

    /** {@code der} as PEM with {@code label} ({@code CERTIFICATE}, {@code PRIVATE KEY}, …), 64 characters a line. */
    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + label
                + "-----\n";
    }

    private static X509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, KeyPair subjectKey) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(
                issuer,
                new BigInteger(64, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(VALIDITY)),
                subject,
                subjectKey.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
