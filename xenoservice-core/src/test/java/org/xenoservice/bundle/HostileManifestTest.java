package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.bundle.BundleFixtures.assertRejected;
import static org.xenoservice.bundle.BundleFixtures.assertStoreEmpty;
import static org.xenoservice.bundle.BundleFixtures.reader;
import static org.xenoservice.bundle.HostileBundles.file;
import static org.xenoservice.bundle.HostileBundles.json;
import static org.xenoservice.bundle.HostileBundles.manifest;
import static org.xenoservice.bundle.HostileBundles.signedBundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenoservice.bundle.BundleException.Rule;
import org.xenoservice.bundle.HostileBundles.Blob;

/**
 * Manifests that are validly signed — the site's key was stolen, or its build tool is buggy —
 * but break the format's rules are rejected whole: the signature is not the only defence.
 */
class HostileManifestTest {
    private static final Blob PAGE = Blob.identity("<p>first edition</p>".getBytes(StandardCharsets.UTF_8));
    private static final Blob TEXT =
            Blob.gzipped("<p>a fine copy</p>\n".repeat(200).getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path storeDir;

    @Test
    void acceptsAValidHandWrittenManifest() throws IOException {
        ObjectNode manifest = manifest(1);
        file(manifest, "/index.html", PAGE);
        file(manifest, "/books/list.html", TEXT);

        Manifest read = BundleFixtures.read(
                reader().build(), signedBundle(manifest, PAGE, TEXT), BlobStore.openUnsynced(storeDir));

        assertEquals(2, read.files().size());
        assertEquals(Encoding.GZIP, read.file("/books/list.html").orElseThrow().encoding());
    }

    static Stream<String> badPaths() {
        return Stream.of(
                "/../etc/passwd",
                "/a/../../etc/passwd",
                "/a/..",
                "index.html",
                "",
                "../index.html",
                "/a\\b.html",
                "\\index.html",
                "/a\u0000b.html",
                "//index.html",
                "/a//b.html",
                "/a/./b.html",
                "/./index.html",
                "/dir/",
                "/",
                "/a\nb.html",
                "/a\rb",
                "/a\u007fb",
                "/" + "a".repeat(1024),
                "/" + "é".repeat(512));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badPaths")
    void rejectsAFileWithABadPath(String path) {
        ObjectNode manifest = manifest(1);
        file(manifest, path, PAGE);

        BundleException e = assertRejectedWhole(Rule.PATH, signedBundle(manifest, PAGE));
        assertTrue(e.getMessage().contains("files[0].path"), e.getMessage());
    }

    @Test
    void acceptsAPathOfExactlyTheLongestLength() throws IOException {
        ObjectNode manifest = manifest(1);
        file(manifest, "/" + "a".repeat(1023), PAGE);

        BundleFixtures.read(reader().build(), signedBundle(manifest, PAGE), BlobStore.openUnsynced(storeDir));
    }

    @Test
    void rejectsAPathWithAnUnpairedSurrogate() {
        ObjectNode manifest = manifest(1);
        file(manifest, "/SURROGATE.html", PAGE);
        byte[] json = new String(json(manifest), StandardCharsets.UTF_8)
                .replace("SURROGATE", "\\ud800")
                .getBytes(StandardCharsets.UTF_8);

        assertRejectedWhole(Rule.PATH, signedBundle(json, List.of(PAGE.entry())));
    }

    @Test
    void rejectsADuplicatePath() {
        ObjectNode manifest = manifest(1);
        file(manifest, "/index.html", PAGE);
        file(manifest, "/index.html", TEXT);

        assertRejectedWhole(Rule.DUPLICATE_PATH, signedBundle(manifest, PAGE, TEXT));
    }

    @Test
    void rejectsAPathThatIsBothAFileAndAFolder() {
        ObjectNode manifest = manifest(1);
        file(manifest, "/a", PAGE);
        file(manifest, "/a/b/c.html", TEXT);

        BundleException e = assertRejectedWhole(Rule.PATH, signedBundle(manifest, PAGE, TEXT));
        assertTrue(e.getMessage().contains("\"/a\" is listed as a file and as the folder"), e.getMessage());
    }

    static Stream<Arguments> lyingSizes() {
        return Stream.of(
                Arguments.of("identity size and storedSize one more", PAGE, (Consumer<ObjectNode>)
                        f -> f.put("size", PAGE.size() + 1).put("storedSize", PAGE.size() + 1)),
                Arguments.of("identity size and storedSize one less", PAGE, (Consumer<ObjectNode>)
                        f -> f.put("size", PAGE.size() - 1).put("storedSize", PAGE.size() - 1)),
                Arguments.of("identity size differs from storedSize", PAGE, (Consumer<ObjectNode>)
                        f -> f.put("size", PAGE.size() + 1)),
                Arguments.of("gzip size smaller than it decodes to", TEXT, (Consumer<ObjectNode>)
                        f -> f.put("size", TEXT.size() - 1)),
                Arguments.of("gzip size larger than it decodes to", TEXT, (Consumer<ObjectNode>)
                        f -> f.put("size", TEXT.size() + 1)),
                Arguments.of("gzip storedSize one less", TEXT, (Consumer<ObjectNode>)
                        f -> f.put("storedSize", TEXT.stored().length - 1)),
                Arguments.of("gzip storedSize one more", TEXT, (Consumer<ObjectNode>)
                        f -> f.put("storedSize", TEXT.stored().length + 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lyingSizes")
    void rejectsAFileWhoseSizesLie(String what, Blob blob, Consumer<ObjectNode> lie) {
        ObjectNode manifest = manifest(1);
        lie.accept(file(manifest, "/index.html", blob));

        assertRejectedWhole(Rule.BLOB_SIZE, signedBundle(manifest, blob));
    }

    @Test
    void rejectsTwoFilesThatShareADigestButNotItsSize() {
        ObjectNode manifest = manifest(1);
        file(manifest, "/a.html", PAGE);
        file(manifest, "/b.html", PAGE).put("size", 1).put("storedSize", 1);

        assertRejectedWhole(Rule.BLOB_SIZE, signedBundle(manifest, PAGE));
    }

    @Test
    void rejectsAFileWhoseBlobIsNowhere() {
        ObjectNode manifest = manifest(1);
        file(manifest, "/index.html", PAGE);
        file(manifest, "/unknown.html", Blob.identity(new byte[] {1, 2, 3}));

        BundleException e = assertRejectedWhole(Rule.MISSING_BLOB, signedBundle(manifest, PAGE));
        assertTrue(e.getMessage().contains("/unknown.html"), e.getMessage());
    }

    @Test
    void rejectsAnotherFormatVersion() {
        ObjectNode manifest = manifest(1).put("format", "xenoservice-bundle/2");

        BundleException e = assertRejectedWhole(Rule.FORMAT_VERSION, signedBundle(manifest));
        assertTrue(e.getMessage().contains("xenoservice-bundle/2"), e.getMessage());
    }

    @Test
    void rejectsAManifestWithoutFormat() {
        ObjectNode manifest = manifest(1);
        manifest.remove("format");

        assertRejectedWhole(Rule.FORMAT_VERSION, signedBundle(manifest));
    }

    static Stream<Arguments> malformedManifests() {
        return Stream.of(
                Arguments.of("unknown top-level field", (Consumer<ObjectNode>) m -> m.put("evil", true)),
                Arguments.of("unknown file field", (Consumer<ObjectNode>)
                        m -> file(m, "/a.html", PAGE).put("mode", 4755)),
                Arguments.of("version zero", (Consumer<ObjectNode>) m -> m.put("version", 0)),
                Arguments.of("version as text", (Consumer<ObjectNode>) m -> m.put("version", "1")),
                Arguments.of("version fractional", (Consumer<ObjectNode>) m -> m.put("version", 1.5)),
                Arguments.of("no files", (Consumer<ObjectNode>) m -> m.remove("files")),
                Arguments.of("files not a list", (Consumer<ObjectNode>) m -> m.put("files", "all")),
                Arguments.of("no base", (Consumer<ObjectNode>) m -> m.remove("base")),
                Arguments.of("base not a digest", (Consumer<ObjectNode>) m -> m.put("base", "v1")),
                Arguments.of("created not RFC 3339", (Consumer<ObjectNode>) m -> m.put("created", "yesterday")),
                Arguments.of("site not a host name", (Consumer<ObjectNode>) m -> m.put("site", "books example")),
                Arguments.of("site upper case", (Consumer<ObjectNode>) m -> m.put("site", "BOOKS.example")),
                Arguments.of("digest upper case", (Consumer<ObjectNode>) m ->
                        file(m, "/a.html", PAGE).put("sha256", PAGE.sha256().toUpperCase(Locale.ROOT))),
                Arguments.of("negative size", (Consumer<ObjectNode>)
                        m -> file(m, "/a.html", PAGE).put("size", -1).put("storedSize", -1)),
                Arguments.of("unknown encoding", (Consumer<ObjectNode>)
                        m -> file(m, "/a.html", PAGE).put("encoding", "br")),
                Arguments.of("header injection in contentType", (Consumer<ObjectNode>)
                        m -> file(m, "/a.html", PAGE).put("contentType", "text/html\r\nSet-Cookie: a=b")),
                Arguments.of("empty cacheControl", (Consumer<ObjectNode>)
                        m -> file(m, "/a.html", PAGE).put("cacheControl", "")),
                Arguments.of("file not an object", (Consumer<ObjectNode>)
                        m -> m.withArray("files").add("/a.html")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedManifests")
    void rejectsAMalformedManifest(String what, Consumer<ObjectNode> change) {
        ObjectNode manifest = manifest(1);
        change.accept(manifest);

        assertRejectedWhole(Rule.MANIFEST_SYNTAX, signedBundle(manifest, PAGE));
    }

    static Stream<Arguments> malformedJson() {
        String valid = new String(json(manifest(1)), StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("duplicate top-level key", valid.replace("\"version\":1", "\"version\":1,\"version\":2")),
                Arguments.of(
                        "duplicate key in a file",
                        valid.replace(
                                "\"files\":[]",
                                "\"files\":["
                                        + new String(json(file(manifest(1), "/a.html", PAGE)), StandardCharsets.UTF_8)
                                                .replace(
                                                        "\"path\":\"/a.html\"",
                                                        "\"path\":\"/a.html\",\"path\":\"/b.html\"")
                                        + "]")),
                Arguments.of("trailing tokens", valid + "{}"),
                Arguments.of("not JSON", "format: xenoservice-bundle/1"),
                Arguments.of("a JSON array", "[" + valid + "]"),
                Arguments.of("cut short", valid.substring(0, valid.length() - 1)),
                Arguments.of("empty", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedJson")
    void rejectsManifestBytesThatAreNotOneStrictJsonObject(String what, String text) {
        byte[] bundle = signedBundle(text.getBytes(StandardCharsets.UTF_8), List.of());

        assertRejectedWhole(Rule.MANIFEST_SYNTAX, bundle);
    }

    @Test
    void rejectsABundleForAnotherSite() {
        ObjectNode manifest = manifest(1).put("site", "evil.example");
        file(manifest, "/index.html", PAGE);

        BundleException e = assertRejectedWhole(Rule.SITE, signedBundle(manifest, PAGE));
        assertTrue(e.getMessage().contains("evil.example"), e.getMessage());
    }

    @Test
    void rejectsAVersionThatIsNotNewerThanTheServedOne() {
        ObjectNode manifest = manifest(7);
        file(manifest, "/index.html", PAGE);
        byte[] bundle = signedBundle(manifest, PAGE);

        for (long served : new long[] {7, 8, Long.MAX_VALUE}) {
            assertRejected(
                    Rule.VERSION,
                    () -> BundleFixtures.read(
                            reader().servedVersion(served).build(), bundle, BlobStore.openUnsynced(storeDir)));
            assertStoreEmpty(openStore());
        }
    }

    @Test
    void acceptsAVersionNewerThanTheServedOne() throws IOException {
        ObjectNode manifest = manifest(7);
        file(manifest, "/index.html", PAGE);

        Manifest read = BundleFixtures.read(
                reader().servedVersion(6).build(), signedBundle(manifest, PAGE), BlobStore.openUnsynced(storeDir));

        assertEquals(7, read.version());
    }

    @Test
    void rejectsABadDynamicPrefix() {
        ObjectNode manifest = manifest(1);
        manifest.withArray("dynamic").addObject().put("prefix", "/../admin").put("policy", "proxy");

        assertRejectedWhole(Rule.PATH, signedBundle(manifest));
    }

    private BundleException assertRejectedWhole(Rule rule, byte[] bundle) {
        BundleException e = assertRejected(rule, () -> BundleFixtures.read(reader().build(), bundle, openStore()));
        assertStoreEmpty(openStore());
        return e;
    }

    private BlobStore openStore() {
        try {
            return BlobStore.openUnsynced(storeDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
