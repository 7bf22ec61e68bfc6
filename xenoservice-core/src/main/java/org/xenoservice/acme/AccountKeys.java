package org.xenoservice.acme;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.acme.IssuanceException.Reason;

/**
 * The ACME account's key pair, kept as one PKCS#8 PEM file ({@code PRIVATE KEY}, EC P-256, the
 * form {@code openssl genpkey} writes; the public half is computed from it): read when it exists, made and written with mode 600 (owner only) when
 * it does not. The account is the key: the CA finds the same account again for the same key, so
 * losing the file only means registering a new account.
 *
 * <p>Stateless.
 */
final class AccountKeys {
    private static final Logger LOG = LoggerFactory.getLogger(AccountKeys.class);
    private static final String CURVE = "secp256r1";
    private static final long MAX_FILE_BYTES = 16 * 1024;
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private AccountKeys() {}

    /** The key pair in {@code file}, made and written there first if the file does not exist. */
    static KeyPair loadOrCreate(Path file) throws IssuanceException {
        try {
            if (Files.exists(file)) {
                return read(file);
            }
            return create(file);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IssuanceException(
                    Reason.ACCOUNT_KEY,
                    "the ACME account key " + file + " cannot be used: " + e.getMessage()
                            + "; remove it to register a new account, or restore the one that was there",
                    e);
        }
    }

    private static KeyPair read(Path file) throws IOException, GeneralSecurityException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("it is larger than " + MAX_FILE_BYTES + " bytes, too large for a key");
        }
        warnIfOthersMayRead(file);
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException("it holds no " + BEGIN + " block (PKCS#8 PEM, as made by openssl genpkey)");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + BEGIN.length(), end));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        if (!(key instanceof ECPrivateKey ec)
                || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IOException("it is not an EC P-256 key");
        }
        return new KeyPair(publicKeyOf(ec), ec);
    }

    private static KeyPair create(Path file) throws IOException, GeneralSecurityException {
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(CURVE));
        KeyPair pair = generator.generateKeyPair();
        Path temporary = Files.createTempFile(folder, ".acme-account-", ".tmp", ownerOnly(folder));
        try {
            Files.writeString(
                    temporary,
                    BEGIN + "\n"
                            + Base64.getMimeEncoder(64, new byte[] {'\n'})
                                    .encodeToString(pair.getPrivate().getEncoded())
                            + "\n" + END + "\n",
                    StandardCharsets.US_ASCII);
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString(), null, "made meanwhile by another process");
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        LOG.info("acme: made a new account key {} (EC P-256, owner only)", file);
        return pair;
    }

    /** The public half of a P-256 key: its curve's generator multiplied by the private scalar. */
    static PublicKey publicKeyOf(ECPrivateKey key) throws GeneralSecurityException {
        X9ECParameters curve = ECNamedCurveTable.getByName(CURVE);
        ECPoint point = curve.getG().multiply(key.getS()).normalize();
        java.security.spec.ECPoint w = new java.security.spec.ECPoint(
                point.getAffineXCoord().toBigInteger(), point.getAffineYCoord().toBigInteger());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, key.getParams()));
    }

    private static FileAttribute<?>[] ownerOnly(Path folder) throws IOException {
        if (!Files.getFileStore(folder).supportsFileAttributeView("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
        };
    }

    private static void warnIfOthersMayRead(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView("posix")) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        permissions.retainAll(Set.of(
                PosixFilePermission.GROUP_READ,
                PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.OTHERS_READ,
                PosixFilePermission.OTHERS_WRITE));
        if (!permissions.isEmpty()) {
            LOG.warn(
                    "acme: the account key {} may be read or written by others ({}); chmod 600 it",
                    file,
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }
}
