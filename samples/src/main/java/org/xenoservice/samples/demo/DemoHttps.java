package org.xenoservice.samples.demo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.xenoservice.acme.AcmeIssuer;
import org.xenoservice.acme.AcmeSettings;
import org.xenoservice.acme.IssuedCertificate;
import org.xenoservice.dns.ChallengeRecords;

/**
 * The demo's HTTPS: a {@link LocalPebble} (Let's Encrypt's test CA) that checks DNS-01 challenges
 * against the demo's BIND; the root it issues under, in {@value #ROOT_FILE} beside the report (the
 * customers and the browser trust it, and nothing else); the origin's own certificate, ordered from
 * it at start with {@link AcmeIssuer} as the replicator orders the peers' (the origin's key is made
 * here and stays in memory); and the {@link AcmeSettings} with which the origin's XenoService orders
 * a certificate for each peer's own key.
 */
final class DemoHttps implements AutoCloseable {
    /** The file, in the demo's output folder, that holds the root the customers trust. */
    static final String ROOT_FILE = "pebble-root.pem";

    private final LocalPebble pebble;
    private final Path rootFile;
    private final X509Certificate root;
    private final IssuedCertificate originCertificate;
    private final SSLContext originTls;

    private DemoHttps(
            LocalPebble pebble,
            Path rootFile,
            X509Certificate root,
            IssuedCertificate originCertificate,
            SSLContext originTls) {
        this.pebble = pebble;
        this.rootFile = rootFile;
        this.root = root;
        this.originCertificate = originCertificate;
        this.originTls = originTls;
    }

    /**
     * Starts pebble in {@code dir/pebble}, asking {@code dnsServer} for challenge records, writes its
     * root into {@code outDir}, and orders the origin's certificate for {@code site}, whose challenge
     * records {@code records} writes.
     */
    static DemoHttps start(
            Path pebbleBinary, Path dir, Path outDir, String dnsServer, ChallengeRecords records, String site)
            throws IOException, InterruptedException {
        LocalPebble pebble = LocalPebble.start(pebbleBinary, dir.resolve("pebble"), dnsServer);
        try {
            Path rootFile = outDir.toAbsolutePath().resolve(ROOT_FILE);
            X509Certificate root = pebble.writeIssuingRoot(rootFile);
            AcmeIssuer issuer = AcmeIssuer.builder()
                    .settings(acme(pebble, dir.resolve("origin-tls").resolve(AcmeSettings.ACCOUNT_KEY_FILE)))
                    .site(site)
                    .challengeRecords(records)
                    .build();
            KeyPair key = LocalCa.newKey();
            IssuedCertificate certificate = issuer.issue(List.of(site), request(key, site));
            return new DemoHttps(pebble, rootFile, root, certificate, serverContext(key, certificate.pemChain()));
        } catch (IOException | RuntimeException e) {
            pebble.close();
            throw e;
        }
    }

    /** The settings with which the origin orders the peers' certificates, its account key in {@code accountKeyFile}. */
    AcmeSettings acme(Path accountKeyFile) {
        return acme(pebble, accountKeyFile);
    }

    /** The root every certificate pebble issues chains up to: all the customers trust. */
    X509Certificate root() {
        return root;
    }

    /** {@link #root()} as a PEM file, for the report and for a browser's certificate store. */
    Path rootFile() {
        return rootFile;
    }

    /** The certificate the origin serves. */
    IssuedCertificate originCertificate() {
        return originCertificate;
    }

    /** The origin's key and certificate chain, for its HTTPS listener. */
    SSLContext originTls() {
        return originTls;
    }

    /** Stops pebble. */
    @Override
    public void close() {
        pebble.close();
    }

    private static AcmeSettings acme(LocalPebble pebble, Path accountKeyFile) {
        return AcmeSettings.of(pebble.directory(), accountKeyFile).withTrust(List.of(pebble.apiTrust()));
    }

    /** A DER PKCS#10 request signed by {@code key} for {@code name} (subject CN and the one SAN). */
    private static byte[] request(KeyPair key, String name) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
            return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + name), key.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
                    .getEncoded();
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a certificate request for " + name, e);
        }
    }

    /** A server's TLS context: {@code key} with the PEM chain (leaf first) that certifies it. */
    static SSLContext serverContext(KeyPair key, String pemChain) {
        try {
            List<? extends Certificate> chain = List.copyOf(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pemChain.getBytes(StandardCharsets.US_ASCII))));
            char[] password = new char[16];
            SecureRandom random = new SecureRandom();
            for (int i = 0; i < password.length; i++) {
                password[i] = (char) ('a' + random.nextInt(26));
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("origin", key.getPrivate(), password, chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the origin's TLS context", e);
        }
    }
}
