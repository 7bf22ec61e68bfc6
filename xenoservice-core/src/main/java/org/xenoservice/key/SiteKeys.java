package org.xenoservice.key;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys of a site: the private key signs its bundles and control calls, the public key is
 * pinned by every peer that serves the site. Keys are stored as PEM, the private key as PKCS#8
 * ({@code -----BEGIN PRIVATE KEY-----}, file mode 600 where the file system has POSIX modes) and the
 * public key as X.509 SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}), so that
 * {@code openssl pkey} reads them too.
 *
 * <pre>{@code
 * KeyPair pair = SiteKeys.generate();
 * SiteKeys.writePrivateKey(dir.resolve("site.key"), pair.getPrivate());
 * SiteKeys.writePublicKey(dir.resolve("site.pub"), pair.getPublic());
 * PublicKey pinned = SiteKeys.readPublicKey(dir.resolve("site.pub"));
 * }</pre>
 */
public final class SiteKeys {
    /** The JDK name of the one signature algorithm XenoService uses. */
    public static final String ALGORITHM = "Ed25519";
    /** Length in bytes of an Ed25519 signature. */
    public static final int SIGNATURE_BYTES = 64;

    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";
    /** A PEM key file is a few hundred bytes; anything far larger is not a key. */
    private static final long MAX_KEY_FILE_BYTES = 64 * 1024;

    private SiteKeys() {}

    /** Generates a new Ed25519 key pair from the JDK's default secure random source. */
    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519; use Java 17 or newer", e);
        }
    }

    /** Writes a private key as PKCS#8 PEM, readable by the owner only; refuses to overwrite a file. */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        requireEd25519(key.getAlgorithm(), file);
        writeNew(file, pem(PRIVATE_LABEL, key.getEncoded()), true);
    }

    /** Writes a public key as X.509 SubjectPublicKeyInfo PEM; refuses to overwrite a file. */
    public static void writePublicKey(Path file, PublicKey key) throws IOException {
        requireEd25519(key.getAlgorithm(), file);
        writeNew(file, pem(PUBLIC_LABEL, key.getEncoded()), false);
    }

    /** Reads a PKCS#8 PEM Ed25519 private key, as written by {@link #writePrivateKey}. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        byte[] der = readPem(file, PRIVATE_LABEL, "a private key (site.key)");
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyFileException(
                    file,
                    "not an Ed25519 private key (" + e.getMessage()
                            + "); generate one with 'xenoservice keys generate'",
                    e);
        }
    }

    /** Reads an X.509 PEM Ed25519 public key, as written by {@link #writePublicKey}. */
    public static PublicKey readPublicKey(Path file) throws IOException {
        byte[] der = readPem(file, PUBLIC_LABEL, "a public key (site.pub)");
        return publicKeyFromDer(file, der);
    }

    /** Parses a public key from its PEM text, e.g. one given inline in a peer's configuration. */
    public static PublicKey parsePublicKey(String pemText) throws IOException {
        Path origin = Path.of("<inline public key>");
        return publicKeyFromDer(origin, decodePem(origin, pemText, PUBLIC_LABEL, "a public key"));
    }

    /** Returns the PEM text of a public key, as {@link #writePublicKey} writes it. */
    public static String toPem(PublicKey key) {
        return pem(PUBLIC_LABEL, key.getEncoded());
    }

    /** Signs {@code data} with an Ed25519 private key; the result is {@link #SIGNATURE_BYTES} long. */
    public static byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature signature = Signature.getInstance(ALGORITHM);
            signature.initSign(key);
            signature.update(data);
            return signature.sign();
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an Ed25519 private key: " + key.getAlgorithm(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** True only if {@code signature} is a valid Ed25519 signature of {@code data} by {@code key}. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        if (signature.length != SIGNATURE_BYTES) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + key.getAlgorithm(), e);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 verification failed", e);
        }
    }

    private static PublicKey publicKeyFromDer(Path file, byte[] der) throws KeyFileException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyFileException(
                    file,
                    "not an Ed25519 public key (" + e.getMessage()
                            + "); use the site.pub written by 'xenoservice keys generate'",
                    e);
        }
    }

    private static void requireEd25519(String algorithm, Path file) {
        if (!ALGORITHM.equals(algorithm) && !"EdDSA".equals(algorithm)) {
            throw new IllegalArgumentException(
                    "only Ed25519 keys can be written to " + file + ", this one is " + algorithm);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static void writeNew(Path file, String text, boolean ownerOnly) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            if (ownerOnly && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException(file, "already exists; move it away first, keys are never overwritten", e);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static byte[] readPem(Path file, String label, String what) throws IOException {
        String text;
        try {
            if (Files.size(file) > MAX_KEY_FILE_BYTES) {
                throw new KeyFileException(file, "is larger than any PEM key; expected " + what);
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "no such file; expected " + what, e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new KeyFileException(file, "is not a PEM text file; expected " + what, e);
        }
        return decodePem(file, text, label, what);
    }

    private static byte[] decodePem(Path file, String text, String label, String what) throws KeyFileException {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int start = text.indexOf(begin);
        int stop = text.indexOf(end);
        if (start < 0 || stop < start) {
            String other = text.contains("-----BEGIN ")
                    ? " (found '"
                            + text.substring(
                                            text.indexOf("-----BEGIN "),
                                            Math.min(text.length(), text.indexOf("-----BEGIN ") + 40))
                                    .split("\n", -1)[0]
                            + "')"
                    : "";
            throw new KeyFileException(file, "has no '" + begin + "' block" + other + "; expected " + what);
        }
        String body = text.substring(start + begin.length(), stop);
        try {
            return Base64.getMimeDecoder().decode(body.strip());
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file, "the PEM body is not valid base64; expected " + what, e);
        }
    }
}
