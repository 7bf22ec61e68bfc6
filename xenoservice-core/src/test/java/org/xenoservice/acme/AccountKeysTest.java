package org.xenoservice.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountKeysTest {
    @TempDir
    Path dir;

    @Test
    void makesAnEcP256KeyOwnerOnlyAndReadsTheSamePairBack() throws Exception {
        Path file = dir.resolve("state/acme-account.key");
        KeyPair made = AccountKeys.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertEquals(
                256,
                ((ECPublicKey) made.getPublic())
                        .getParams()
                        .getCurve()
                        .getField()
                        .getFieldSize());

        KeyPair read = AccountKeys.loadOrCreate(file);
        assertArrayEquals(made.getPrivate().getEncoded(), read.getPrivate().getEncoded());
        assertArrayEquals(made.getPublic().getEncoded(), read.getPublic().getEncoded(), "the public half is computed");
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(read.getPrivate());
        signer.update(new byte[] {1, 2, 3});
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(read.getPublic());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signature));
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file is left");
        }
    }

    @Test
    void aFileThatIsNotAKeyIsAClearErrorAndIsLeftAlone() throws Exception {
        Path file = dir.resolve("acme-account.key");
        Files.writeString(file, "not a key\n");
        IssuanceException e = assertThrows(IssuanceException.class, () -> AccountKeys.loadOrCreate(file));
        assertEquals(IssuanceException.Reason.ACCOUNT_KEY, e.reason());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
        assertEquals("not a key\n", Files.readString(file));
    }

    @Test
    void aKeyOfAnotherKindIsRefused() throws Exception {
        Path file = dir.resolve("acme-account.key");
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Files.writeString(
                file, TestCertificateAuthority.pem(rsa.generateKeyPair().getPrivate()));
        IssuanceException e = assertThrows(IssuanceException.class, () -> AccountKeys.loadOrCreate(file));
        assertEquals(IssuanceException.Reason.ACCOUNT_KEY, e.reason());
    }
}
