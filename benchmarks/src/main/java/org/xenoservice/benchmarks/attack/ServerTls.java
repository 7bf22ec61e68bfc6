package org.xenoservice.benchmarks.attack;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The origin's HTTPS: a TLS context from a PEM chain (leaf first) and its PKCS#8 PEM key (EC or RSA). */
final class ServerTls {
    private ServerTls() {}

    /**
     * A server context that presents {@code chainPem} with the key in {@code keyPem}.
     *
     * @throws IOException if either file cannot be read or does not hold what it should
     */
    static SSLContext context(Path chainPem, Path keyPem) throws IOException {
        try {
            Certificate[] chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(chainPem)))
                    .toArray(new Certificate[0]);
            if (chain.length == 0) {
                throw new IOException(chainPem + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "testbed".toCharArray();
            store.setKeyEntry(
                    "origin", privateKey(keyPem, chain[0].getPublicKey().getAlgorithm()), password, chain);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot serve HTTPS with " + chainPem + " and " + keyPem + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path keyPem, String algorithm) throws IOException, GeneralSecurityException {
        String pem = Files.readString(keyPem, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IOException(keyPem + " holds no PKCS#8 PEM key (BEGIN PRIVATE KEY); openssl genpkey writes one");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
