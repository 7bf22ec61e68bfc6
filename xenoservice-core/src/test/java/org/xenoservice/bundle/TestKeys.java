package org.xenoservice.bundle;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;

/** Ed25519 key pairs derived from a seed, so that test bundles are the same on every run. */
final class TestKeys {
    /** The key the test site signs with. */
    static final KeyPair SITE = seeded(1);
    /** Another key, which the readers in the tests do not trust. */
    static final KeyPair OTHER = seeded(2);

    private TestKeys() {}

    static KeyPair seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(255, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Java 17 has Ed25519 and SHA1PRNG", e);
        }
    }
}
