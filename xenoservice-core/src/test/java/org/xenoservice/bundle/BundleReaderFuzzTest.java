package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Fuzzes {@link BundleReader#verify}, the parser of untrusted bundles. In a normal build this
 * runs the seed corpus in {@code BundleReaderFuzzTestInputs} (valid bundles, plain and gzipped);
 * run with {@code JAZZER_FUZZ=1} to fuzz for real. {@link BundleMutationTest} adds seeded
 * mutations that every build runs.
 */
class BundleReaderFuzzTest {
    private static final BundleReader READER = BundleFixtures.reader()
            .limits(BundleLimits.DEFAULTS.withMaxBundleBytes(16L << 20).withMaxManifestBytes(1L << 20))
            .build();

    @FuzzTest(maxDuration = "20s")
    void verifyThrowsOnlyIOExceptions(byte[] bundle) {
        Manifest manifest;
        try {
            manifest = READER.verify(new ByteArrayInputStream(bundle));
        } catch (IOException rejected) {
            return;
        }
        // only the seeds' own signed manifest can verify
        assertEquals(BundleFixtures.SITE, manifest.site());
        assertEquals(3, manifest.version());
    }
}
