package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.function.Executable;
import org.xenoservice.bundle.BundleException.Rule;

/** Building, reading and checking bundles of the test site. */
final class BundleFixtures {
    /** The test site's host name. */
    static final String SITE = "books.example";
    /** The {@code created} time of test bundles, so that builds are reproducible. */
    static final Instant CREATED = Instant.parse("2026-11-25T10:15:30Z");

    private BundleFixtures() {}

    /** A builder for the test site from a directory, signed with {@link TestKeys#SITE}. */
    static BundleBuilder builder(Path root, long version) {
        return BundleBuilder.forSite(SITE)
                .source(DirectorySource.of(root))
                .signingKey(TestKeys.SITE.getPrivate())
                .version(version)
                .created(CREATED);
    }

    /** Builds a bundle into memory. */
    static byte[] build(BundleBuilder builder) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        builder.build(out);
        return out.toByteArray();
    }

    /** A reader for the test site that trusts {@link TestKeys#SITE}. */
    static BundleReader.Builder reader() {
        return BundleReader.builder(TestKeys.SITE.getPublic()).site(SITE);
    }

    /** Reads a bundle from memory into a store. */
    static Manifest read(BundleReader reader, byte[] bundle, BlobStore store) throws IOException {
        return reader.read(new ByteArrayInputStream(bundle), store);
    }

    /** A stored blob's identity bytes (gzip blobs decompressed). */
    static byte[] decoded(BlobStore store, BlobKey key) throws IOException {
        try (InputStream stored = store.open(key);
                InputStream in = key.encoding() == Encoding.GZIP ? new GZIPInputStream(stored) : stored) {
            return in.readAllBytes();
        }
    }

    /** Asserts the call is rejected for {@code rule} and that the message names the rule. */
    static BundleException assertRejected(Rule rule, Executable call) {
        BundleException e = assertThrows(BundleException.class, call);
        assertEquals(rule, e.rule(), () -> "wrong rule; message: " + e.getMessage());
        assertTrue(e.getMessage().contains("[" + rule.id() + "]"), e.getMessage());
        return e;
    }

    /** Asserts the store holds no blob and nothing staged. */
    static void assertStoreEmpty(BlobStore store) {
        assertEquals(List.of(), filesUnder(store.root().resolve("blobs")), "blobs left in the store");
        assertEquals(List.of(), filesUnder(store.root().resolve("tmp")), "files left in tmp/");
    }

    /** Every regular file under a directory. */
    static List<Path> filesUnder(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
