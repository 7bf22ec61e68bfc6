package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.PeerSignature;

/** A peer's own identity: made once in its store, private key owner-only, the same after a restart. */
class PeerIdentityTest {
    @TempDir
    Path store;

    @Test
    void isMadeOnTheFirstStartWithAnOwnerOnlyPrivateKey() throws IOException {
        PeerIdentity identity = PeerIdentity.loadOrCreate(store, Clock.systemUTC());
        Path key = store.resolve(PeerIdentity.DIRECTORY).resolve(PeerIdentity.PRIVATE_KEY_FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals(
                identity.publicKey(),
                SiteKeys.readPublicKey(store.resolve(PeerIdentity.DIRECTORY).resolve(PeerIdentity.PUBLIC_KEY_FILE)));
        assertEquals(PeerSignature.keyId(identity.publicKey()), identity.publicKeyId());
        assertTrue(identity.publicKeyId().startsWith("MCowBQYDK2VwAyEA"), identity.publicKeyId());
        assertTrue(identity.toString().contains(identity.publicKeyId()));
        assertTrue(identity.publicKeyPem().startsWith("-----BEGIN PUBLIC KEY-----"));
    }

    @Test
    void isKeptAcrossRestarts() throws IOException {
        String first = PeerIdentity.loadOrCreate(store, Clock.systemUTC()).publicKeyId();
        assertEquals(first, PeerIdentity.loadOrCreate(store, Clock.systemUTC()).publicKeyId());
    }

    @Test
    void aPublicKeyThatDoesNotMatchThePrivateKeyIsAnError() throws IOException {
        PeerIdentity.loadOrCreate(store, Clock.systemUTC());
        Path pub = store.resolve(PeerIdentity.DIRECTORY).resolve(PeerIdentity.PUBLIC_KEY_FILE);
        Files.writeString(pub, SiteKeys.toPem(SiteKeys.generate().getPublic()));
        IOException e = assertThrows(IOException.class, () -> PeerIdentity.loadOrCreate(store, Clock.systemUTC()));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void refusesAKeyThatIsNotEd25519() throws Exception {
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.of(rsa.generateKeyPair()));
    }
}
