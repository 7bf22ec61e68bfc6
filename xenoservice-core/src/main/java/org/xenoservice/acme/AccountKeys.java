package org.xenoservice.acme;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Set;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.acme.IssuanceException.Reason;

/**
 * The ACME account's key pair, kept in one PEM file ({@code EC PRIVATE KEY}, P-256, which holds
 * the public point too): read when it exists, made and written with mode 600 (owner only) when
 * it does not. The account is the key: the CA finds the same account again for the same key, so
 * losing the file only means registering a new account.
 *
 * <p>Stateless.
 */
final class AccountKeys {
    private static final Logger LOG = LoggerFactory.getLogger(AccountKeys.class);
    private static final String CURVE = "secp256r1";
    private static final long MAX_FILE_BYTES = 16 * 1024;

    private AccountKeys() {}

    /** The key pair in {@code file}, made and written there first if the file does not exist. */
    static KeyPair loadOrCreate(Path file) throws IssuanceException {
        try {
            if (Files.exists(file)) {
                return read(file);
            }
            return create(file);
        } catch (IOException | RuntimeException e) {
            throw new IssuanceException(
                    Reason.ACCOUNT_KEY,
                    "the ACME account key " + file + " cannot be used: " + e.getMessage()
                            + "; remove it to register a new account, or restore the one that was there",
                    e);
        }
    }

    private static KeyPair read(Path file) throws IOException {
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException("it is larger than " + MAX_FILE_BYTES + " bytes, too large for a key");
        }
        warnIfOthersMayRead(file);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            KeyPair pair = KeyPairUtils.readKeyPair(reader);
            if (pair == null || pair.getPrivate() == null || pair.getPublic() == null) {
                throw new IOException("it holds no PEM key pair");
            }
            return pair;
        } catch (ClassCastException e) {
            throw new IOException("it holds no PEM key pair (a key pair such as EC PRIVATE KEY is expected)", e);
        }
    }

    private static KeyPair create(Path file) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        KeyPair pair = KeyPairUtils.createECKeyPair(CURVE);
        Path temporary = Files.createTempFile(folder, ".acme-account-", ".tmp", ownerOnly(folder));
        try {
            try (Writer writer = Files.newBufferedWriter(temporary, StandardCharsets.US_ASCII)) {
                KeyPairUtils.writeKeyPair(pair, writer);
            }
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
