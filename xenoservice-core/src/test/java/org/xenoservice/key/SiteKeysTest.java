package org.xenoservice.key;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Site keys survive a write and read as PEM, and a wrong key file is refused with a clear reason. */
class SiteKeysTest {
    private static final KeyPair PAIR = SiteKeys.generate();
    private static final byte[] DATA = "manifest bytes".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void readsBackTheKeysItWrote() throws IOException {
        SiteKeys.writePrivateKey(dir.resolve("site.key"), PAIR.getPrivate());
        SiteKeys.writePublicKey(dir.resolve("site.pub"), PAIR.getPublic());

        PrivateKey privateKey = SiteKeys.readPrivateKey(dir.resolve("site.key"));
        PublicKey publicKey = SiteKeys.readPublicKey(dir.resolve("site.pub"));

        assertArrayEquals(PAIR.getPrivate().getEncoded(), privateKey.getEncoded());
        assertArrayEquals(PAIR.getPublic().getEncoded(), publicKey.getEncoded());
        assertTrue(SiteKeys.verify(publicKey, DATA, SiteKeys.sign(privateKey, DATA)));
        assertTrue(SiteKeys.verify(PAIR.getPublic(), DATA, SiteKeys.sign(privateKey, DATA)));
    }

    @Test
    void writesPemThatOtherToolsRead() throws IOException {
        SiteKeys.writePrivateKey(dir.resolve("site.key"), PAIR.getPrivate());
        SiteKeys.writePublicKey(dir.resolve("site.pub"), PAIR.getPublic());

        assertPem("PRIVATE KEY", PAIR.getPrivate().getEncoded(), Files.readString(dir.resolve("site.key")));
        assertPem("PUBLIC KEY", PAIR.getPublic().getEncoded(), Files.readString(dir.resolve("site.pub")));
    }

    @Test
    void writesThePrivateKeyReadableByItsOwnerOnly() throws IOException {
        Path file = dir.resolve("site.key");

        SiteKeys.writePrivateKey(file, PAIR.getPrivate());

        assertEquals(
                EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(file));
    }

    @Test
    void createsMissingFolders() throws IOException {
        Path file = dir.resolve("keys/books/site.key");

        SiteKeys.writePrivateKey(file, PAIR.getPrivate());

        assertArrayEquals(
                PAIR.getPrivate().getEncoded(), SiteKeys.readPrivateKey(file).getEncoded());
    }

    @Test
    void neverOverwritesAKeyFile() throws IOException {
        Path file = dir.resolve("site.key");
        SiteKeys.writePrivateKey(file, PAIR.getPrivate());
        byte[] before = Files.readAllBytes(file);

        KeyFileException e = assertThrows(
                KeyFileException.class,
                () -> SiteKeys.writePrivateKey(file, SiteKeys.generate().getPrivate()));

        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(file, e.file());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertThrows(KeyFileException.class, () -> SiteKeys.writePublicKey(file, PAIR.getPublic()));
    }

    @Test
    void parsesTheInlinePemOfAPublicKey() throws IOException {
        assertArrayEquals(
                PAIR.getPublic().getEncoded(),
                SiteKeys.parsePublicKey(SiteKeys.toPem(PAIR.getPublic())).getEncoded());
        assertArrayEquals(
                PAIR.getPublic().getEncoded(),
                SiteKeys.parsePublicKey(
                                "  pinned:\n" + SiteKeys.toPem(PAIR.getPublic()).replace("\n", "\r\n"))
                        .getEncoded());
    }

    @Test
    void refusesAPublicKeyFileAsPrivateKey() throws IOException {
        Path file = dir.resolve("site.pub");
        SiteKeys.writePublicKey(file, PAIR.getPublic());

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPrivateKey(file));

        assertTrue(e.getMessage().contains("-----BEGIN PRIVATE KEY-----"), e.getMessage());
        assertTrue(e.getMessage().contains("found '-----BEGIN PUBLIC KEY-----'"), e.getMessage());
        assertEquals(file, e.file());
    }

    @Test
    void refusesAPrivateKeyFileAsPublicKey() throws IOException {
        Path file = dir.resolve("site.key");
        SiteKeys.writePrivateKey(file, PAIR.getPrivate());

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPublicKey(file));

        assertTrue(e.getMessage().contains("found '-----BEGIN PRIVATE KEY-----'"), e.getMessage());
    }

    @Test
    void refusesABinaryGarbageFile() throws IOException {
        Path file = dir.resolve("site.key");
        byte[] garbage = new byte[2_000];
        new Random(9).nextBytes(garbage);
        Files.write(file, garbage);

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPrivateKey(file));

        assertTrue(e.getMessage().contains("not a PEM text file"), e.getMessage());
    }

    @Test
    void refusesATextFileWithoutPem() throws IOException {
        Path file = dir.resolve("site.pub");
        Files.writeString(file, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKey owner@books\n");

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPublicKey(file));

        assertTrue(e.getMessage().contains("has no '-----BEGIN PUBLIC KEY-----' block"), e.getMessage());
    }

    @Test
    void refusesAPemBodyThatIsNotBase64() throws IOException {
        Path file = dir.resolve("site.pub");
        Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n!!!not base64!!!\n-----END PUBLIC KEY-----\n");

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPublicKey(file));

        assertTrue(e.getMessage().contains("not valid base64"), e.getMessage());
    }

    @Test
    void refusesAPemOfTheRightLabelButWrongContent() throws IOException {
        Path file = dir.resolve("site.pub");
        Files.writeString(file, pem("PUBLIC KEY", new byte[] {1, 2, 3, 4}));

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPublicKey(file));

        assertTrue(e.getMessage().contains("not an Ed25519 public key"), e.getMessage());
    }

    @Test
    void refusesAnRsaPrivateKey() throws Exception {
        KeyPair rsa = rsa();
        Path file = dir.resolve("site.key");
        Files.writeString(file, pem("PRIVATE KEY", rsa.getPrivate().getEncoded()));

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPrivateKey(file));

        assertTrue(e.getMessage().contains("not an Ed25519 private key"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void refusesAnRsaPublicKey() throws Exception {
        KeyPair rsa = rsa();
        Path file = dir.resolve("site.pub");
        Files.writeString(file, pem("PUBLIC KEY", rsa.getPublic().getEncoded()));

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPublicKey(file));

        assertTrue(e.getMessage().contains("not an Ed25519 public key"), e.getMessage());
        assertThrows(KeyFileException.class, () -> SiteKeys.parsePublicKey(Files.readString(file)));
    }

    @Test
    void refusesToWriteAnRsaKey() throws Exception {
        KeyPair rsa = rsa();

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SiteKeys.writePrivateKey(dir.resolve("site.key"), rsa.getPrivate()));

        assertTrue(e.getMessage().contains("only Ed25519 keys"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("site.key")));
    }

    @Test
    void refusesAMissingFile() {
        Path file = dir.resolve("nowhere.key");

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPrivateKey(file));

        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void refusesAHugeFile() throws IOException {
        Path file = dir.resolve("site.pub");
        Files.writeString(file, SiteKeys.toPem(PAIR.getPublic()) + "#".repeat(100_000));

        KeyFileException e = assertThrows(KeyFileException.class, () -> SiteKeys.readPublicKey(file));

        assertTrue(e.getMessage().contains("larger than any PEM key"), e.getMessage());
    }

    @Test
    void signsWithA64ByteSignatureThatVerifiesOnlyForTheSameDataAndKey() {
        byte[] signature = SiteKeys.sign(PAIR.getPrivate(), DATA);

        assertEquals(SiteKeys.SIGNATURE_BYTES, signature.length);
        assertTrue(SiteKeys.verify(PAIR.getPublic(), DATA, signature));
        byte[] altered = DATA.clone();
        altered[0] ^= 1;
        assertFalse(SiteKeys.verify(PAIR.getPublic(), altered, signature));
        byte[] flipped = signature.clone();
        flipped[10] ^= 1;
        assertFalse(SiteKeys.verify(PAIR.getPublic(), DATA, flipped));
        assertFalse(SiteKeys.verify(SiteKeys.generate().getPublic(), DATA, signature));
        assertFalse(SiteKeys.verify(PAIR.getPublic(), DATA, new byte[64]));
        assertFalse(SiteKeys.verify(PAIR.getPublic(), DATA, new byte[0]));
        assertFalse(SiteKeys.verify(PAIR.getPublic(), DATA, Arrays.copyOf(signature, 65)));
    }

    @Test
    void signsTheSameDataTheSameWay() {
        assertArrayEquals(SiteKeys.sign(PAIR.getPrivate(), DATA), SiteKeys.sign(PAIR.getPrivate(), DATA));
    }

    @Test
    void refusesToSignOrVerifyWithAnRsaKey() throws Exception {
        KeyPair rsa = rsa();

        assertThrows(IllegalArgumentException.class, () -> SiteKeys.sign(rsa.getPrivate(), DATA));
        assertThrows(IllegalArgumentException.class, () -> SiteKeys.verify(rsa.getPublic(), DATA, new byte[64]));
    }

    private static void assertPem(String label, byte[] der, String text) {
        List<String> lines = text.lines().toList();
        assertEquals("-----BEGIN " + label + "-----", lines.get(0));
        assertEquals("-----END " + label + "-----", lines.get(lines.size() - 1));
        assertTrue(text.endsWith("\n"));
        List<String> body = lines.subList(1, lines.size() - 1);
        body.forEach(line -> assertTrue(line.length() <= 64, line));
        assertArrayEquals(der, Base64.getDecoder().decode(String.join("", body)));
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + label
                + "-----\n";
    }

    private static KeyPair rsa() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        return generator.generateKeyPair();
    }
}
