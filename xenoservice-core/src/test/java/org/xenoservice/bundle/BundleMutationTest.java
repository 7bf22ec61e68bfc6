package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.xenoservice.bundle.BundleFixtures.assertStoreEmpty;
import static org.xenoservice.bundle.BundleFixtures.reader;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random damage to a valid bundle — flipped, overwritten, inserted and deleted bytes,
 * truncation — never gets past the reader: each mutant is rejected with an {@link IOException}
 * and leaves the store empty, or is read as exactly the original manifest.
 */
class BundleMutationTest {
    private static final int MUTANTS = 2_000;

    @TempDir
    Path storeDir;

    @ParameterizedTest(name = "gzipWholeBundle={0}")
    @ValueSource(booleans = {false, true})
    void rejectsEveryDamagedBundleOrReadsItAsTheOriginal(boolean gzipWholeBundle) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Manifest original = BundleBuilder.forSite(BundleFixtures.SITE)
                .source(new MemorySource(site()))
                .signingKey(TestKeys.SITE.getPrivate())
                .version(3)
                .created(BundleFixtures.CREATED)
                .gzipWholeBundle(gzipWholeBundle)
                .build(out)
                .manifest();
        byte[] valid = out.toByteArray();
        BundleReader reader = reader().build();
        BlobStore store = BlobStore.openUnsynced(storeDir);
        Random random = new Random(gzipWholeBundle ? 1_000 : 2_000);

        int rejected = assertTimeoutPreemptively(Duration.ofSeconds(100), () -> {
            int count = 0;
            for (int i = 0; i < MUTANTS; i++) {
                Mutant mutant = mutate(valid, random);
                if (!survives(reader, mutant, store, original)) {
                    count++;
                }
            }
            return count;
        });

        assertTrue(rejected > MUTANTS / 2, rejected + " of " + MUTANTS + " mutants rejected");
    }

    /** Reads a mutant; true if it was read as the original, false if it was rejected cleanly. */
    private static boolean survives(BundleReader reader, Mutant mutant, BlobStore store, Manifest original) {
        try {
            Manifest read = reader.read(new ByteArrayInputStream(mutant.bytes), store);
            assertEquals(original, read, mutant.description);
            clear(store);
            return true;
        } catch (IOException expected) {
            assertStoreEmpty(store);
            return false;
        } catch (RuntimeException | Error e) {
            return fail("mutant " + mutant.description + " broke the reader with " + e, e);
        }
    }

    @SuppressWarnings("ArrayRecordComponent") // test data, never compared
    private record Mutant(byte[] bytes, String description) {}

    private static Mutant mutate(byte[] valid, Random random) {
        int at = random.nextInt(valid.length);
        return switch (random.nextInt(6)) {
            case 0 -> {
                byte[] bytes = valid.clone();
                int bit = random.nextInt(8);
                bytes[at] ^= (byte) (1 << bit);
                yield new Mutant(bytes, "bit " + bit + " flipped at " + at);
            }
            case 1 -> {
                byte[] bytes = valid.clone();
                int count = 1 + random.nextInt(8);
                for (int i = 0; i < count; i++) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                yield new Mutant(bytes, count + " random bytes overwritten");
            }
            case 2 -> new Mutant(Arrays.copyOf(valid, at), "truncated to " + at + " bytes");
            case 3 -> {
                byte[] inserted = new byte[1 + random.nextInt(16)];
                random.nextBytes(inserted);
                yield new Mutant(splice(valid, at, 0, inserted), inserted.length + " bytes inserted at " + at);
            }
            case 4 -> {
                int length = Math.min(1 + random.nextInt(600), valid.length - at);
                yield new Mutant(splice(valid, at, length, new byte[0]), length + " bytes deleted at " + at);
            }
            default -> {
                int length = Math.min(1 + random.nextInt(600), valid.length - at);
                byte[] copy = Arrays.copyOfRange(valid, at, at + length);
                int to = random.nextInt(valid.length);
                yield new Mutant(splice(valid, to, 0, copy), length + " bytes from " + at + " copied to " + to);
            }
        };
    }

    private static byte[] splice(byte[] data, int at, int remove, byte[] insert) {
        byte[] result = new byte[data.length - remove + insert.length];
        System.arraycopy(data, 0, result, 0, at);
        System.arraycopy(insert, 0, result, at, insert.length);
        System.arraycopy(data, at + remove, result, at + insert.length, data.length - at - remove);
        return result;
    }

    private static void clear(BlobStore store) {
        for (Path blob : BundleFixtures.filesUnder(store.root().resolve("blobs"))) {
            try {
                Files.delete(blob);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A small site whose bundle has gzip and identity blobs, little tar padding and a few entries. */
    static Map<String, byte[]> site() {
        Random random = new Random(17);
        Map<String, byte[]> files = new TreeMap<>();
        files.put("/index.html", "<p>Folio, quarto, octavo.</p>\n".repeat(30).getBytes(StandardCharsets.UTF_8));
        files.put(
                "/css/shop.css",
                "body { font-family: Georgia, serif; }\n".repeat(12).getBytes(StandardCharsets.UTF_8));
        files.put("/images/dot.png", SiteTrees.bytes(random, 490));
        files.put("/café/menu ☕.txt", "tea".getBytes(StandardCharsets.UTF_8));
        files.put("/empty.txt", new byte[0]);
        return files;
    }
}
