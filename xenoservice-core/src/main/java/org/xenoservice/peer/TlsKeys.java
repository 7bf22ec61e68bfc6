package org.xenoservice.peer;

import java.io.IOException;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The peer's TLS key material on disk and on the wire: ECDSA P-256 key pairs, PKCS#10 requests for
 * them (BouncyCastle; the JDK has no CSR API, and only its encoder is used: the keys and signatures
 * are the JDK's), PEM text, and private key files written with mode 600 from the start, atomically.
 * Stateless.
 */
final class TlsKeys {
    private static final long MAX_KEY_FILE_BYTES = 64 * 1024;

    private TlsKeys() {}

    /** A fresh ECDSA P-256 key pair. */
    static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has ECDSA P-256", e);
        }
    }

    /** A PKCS#10 request, signed by {@code keys}, for {@code names} (the first also the subject's CN), in PEM. */
    static String request(KeyPair keys, List<String> names) {
        try {
            GeneralName[] alternatives = names.stream()
                    .map(name -> new GeneralName(GeneralName.dNSName, name))
                    .toArray(GeneralName[]::new);
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives));
            PKCS10CertificationRequest request = new JcaPKCS10CertificationRequestBuilder(
                            new X500Principal("CN=" + names.get(0)), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            return pem("CERTIFICATE REQUEST", request.getEncoded());
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot encode a certificate request for " + names, e);
        }
    }

    /** {@code der} as PEM with {@code label}, 64 characters a line. */
    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /** Writes a private key as PKCS#8 PEM, readable by the owner only (mode 600), replacing the file atomically. */
    static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        writeAtomically(file, pem("PRIVATE KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII), true);
    }

    /**
     * Reads an unencrypted private key in PEM: PKCS#8 ({@code PRIVATE KEY}), or the
     * {@code EC PRIVATE KEY} and {@code RSA PRIVATE KEY} forms that OpenSSL writes.
     *
     * @throws IOException naming the file and the problem
     */
    static PrivateKey readPrivateKey(Path file) throws IOException {
        if (Files.size(file) > MAX_KEY_FILE_BYTES) {
            throw new IOException(file + " is larger than " + MAX_KEY_FILE_BYTES + " bytes; it is not a key file");
        }
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " is not a PEM private key (" + e.getMessage() + ")", e);
        }
        PrivateKeyInfo info;
        if (parsed instanceof PrivateKeyInfo plain) {
            info = plain;
        } else if (parsed instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else {
            throw new IOException(file + " holds no unencrypted private key"
                    + (parsed == null ? "" : " (but " + parsed.getClass().getSimpleName() + ")")
                    + "; give the key in PEM without a passphrase (openssl pkey -in KEY -out KEY.pem)");
        }
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        String name = algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)
                ? "EC"
                : algorithm.equals(PKCSObjectIdentifiers.rsaEncryption) ? "RSA" : "";
        if (name.isEmpty()) {
            throw new IOException(file + " holds a key of algorithm " + algorithm + "; a TLS key is EC or RSA");
        }
        try {
            return KeyFactory.getInstance(name).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException(file + " holds an " + name + " key that cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** Writes {@code bytes} to {@code file} through a synced temporary file and an atomic rename. */
    static void writeAtomically(Path file, byte[] bytes, boolean secret) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temporary;
        if (secret && FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            temporary = Files.createTempFile(
                    folder,
                    "." + file.getFileName(),
                    ".part",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            temporary = Files.createTempFile(folder, "." + file.getFileName(), ".part");
        }
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel directory = FileChannel.open(folder, StandardOpenOption.READ)) {
                directory.force(true);
            } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
                // a platform that cannot open directories (Windows) orders renames itself
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
