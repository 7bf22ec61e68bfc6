package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.bundle.BundleFixtures.assertRejected;
import static org.xenoservice.bundle.BundleFixtures.build;
import static org.xenoservice.bundle.BundleFixtures.reader;
import static org.xenoservice.bundle.HostileBundles.json;
import static org.xenoservice.bundle.HostileBundles.manifest;
import static org.xenoservice.bundle.HostileBundles.signedBundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.xenoservice.bundle.BundleException.Rule;

/**
 * The manifest's optional {@code https} field: written only when the site asks for something,
 * read back as written, absent in old manifests, and rejected whole when it is malformed or would
 * put anything but a Strict-Transport-Security value into a header.
 */
class HttpsManifestTest {
    private static final String HSTS = "max-age=31536000; includeSubDomains";

    @TempDir
    Path site;

    @TempDir
    Path storeDir;

    private Manifest buildAndRead(BundleBuilder builder) throws IOException {
        Files.writeString(site.resolve("index.html"), "<h1>Antiquarian books</h1>");
        Files.setLastModifiedTime(site.resolve("index.html"), FileTime.from(SiteTrees.MTIME));
        return BundleFixtures.read(reader().build(), build(builder), BlobStore.openUnsynced(storeDir));
    }

    @Test
    void redirectAndHstsSurviveTheRoundTrip() throws IOException {
        HttpsSettings settings = HttpsSettings.redirectOnly().withHsts(HSTS);

        Manifest manifest = buildAndRead(BundleFixtures.builder(site, 1).https(settings));

        assertEquals(settings, manifest.https());
        assertTrue(
                new String(manifest.bytes(), StandardCharsets.UTF_8)
                        .endsWith(",\"https\":{\"redirect\":true,\"hsts\":\"" + HSTS + "\"}}"),
                "written last, in a fixed order");
    }

    @Test
    void redirectWithoutHstsIsWrittenWithANullHsts() throws IOException {
        Manifest manifest = buildAndRead(BundleFixtures.builder(site, 1).https(HttpsSettings.redirectOnly()));

        assertEquals(HttpsSettings.redirectOnly(), manifest.https());
        assertTrue(new String(manifest.bytes(), StandardCharsets.UTF_8)
                .endsWith(",\"https\":{\"redirect\":true,\"hsts\":null}}"));
    }

    @Test
    void aSiteThatAsksForNothingKeepsTheManifestBytesItAlwaysHad() throws IOException {
        Manifest plain = buildAndRead(BundleFixtures.builder(site, 1));
        Manifest none = buildAndRead(BundleFixtures.builder(site, 1).https(HttpsSettings.NONE));

        assertEquals(HttpsSettings.NONE, plain.https());
        assertEquals(plain, none);
        String json = new String(plain.bytes(), StandardCharsets.UTF_8);
        assertEquals(
                "{\"format\":\"xenoservice-bundle/1\",\"site\":\"books.example\",\"version\":1,"
                        + "\"created\":\"2026-11-25T10:15:30Z\",\"base\":null,\"files\":[{\"path\":\"/index.html\","
                        + "\"sha256\":\"" + plain.files().get(0).sha256() + "\",\"size\":26,"
                        + "\"contentType\":\"text/html; charset=utf-8\",\"encoding\":\"identity\",\"storedSize\":26,"
                        + "\"lastModified\":\"" + ManifestCodec.rfc3339(SiteTrees.MTIME) + "\","
                        + "\"cacheControl\":\"public, max-age=300\"}],\"dynamic\":[]}",
                json);
    }

    @Test
    void anOldManifestWithoutTheFieldIsAcceptedAndAsksForNothing() throws IOException {
        byte[] bundle = signedBundle(manifest(1));

        Manifest read = BundleFixtures.read(reader().build(), bundle, BlobStore.openUnsynced(storeDir));

        assertEquals(HttpsSettings.NONE, read.https());
    }

    @Test
    void aHandWrittenFieldIsRead() throws IOException {
        ObjectNode manifest = manifest(1);
        manifest.putObject("https").put("redirect", false).put("hsts", "max-age=600; preload");

        Manifest read = BundleFixtures.read(reader().build(), signedBundle(manifest), BlobStore.openUnsynced(storeDir));

        assertEquals(new HttpsSettings(false, Optional.of("max-age=600; preload")), read.https());
    }

    static Stream<Arguments> malformedHttpsFields() {
        return Stream.of(
                Arguments.of("not an object", (Consumer<ObjectNode>) m -> m.put("https", "on")),
                Arguments.of("null", (Consumer<ObjectNode>) m -> m.putNull("https")),
                Arguments.of("an array", (Consumer<ObjectNode>) m -> m.putArray("https")),
                Arguments.of("unknown sub-field", (Consumer<ObjectNode>) m -> m.putObject("https")
                        .put("redirect", true)
                        .putNull("hsts")
                        .put("port", 8443)),
                Arguments.of("no redirect", (Consumer<ObjectNode>)
                        m -> m.putObject("https").putNull("hsts")),
                Arguments.of("no hsts", (Consumer<ObjectNode>)
                        m -> m.putObject("https").put("redirect", true)),
                Arguments.of("redirect as text", (Consumer<ObjectNode>)
                        m -> m.putObject("https").put("redirect", "true").putNull("hsts")),
                Arguments.of("redirect as a number", (Consumer<ObjectNode>)
                        m -> m.putObject("https").put("redirect", 1).putNull("hsts")),
                Arguments.of("hsts as a number", (Consumer<ObjectNode>)
                        m -> m.putObject("https").put("redirect", true).put("hsts", 31536000)),
                Arguments.of("hsts as an object", (Consumer<ObjectNode>) m -> m.putObject("https")
                        .put("redirect", true)
                        .putObject("hsts")
                        .put("max-age", 1)),
                Arguments.of("hsts with CRLF", (Consumer<ObjectNode>) m -> m.putObject("https")
                        .put("redirect", true)
                        .put("hsts", "max-age=1\r\nSet-Cookie: session=stolen")),
                Arguments.of("hsts without max-age", (Consumer<ObjectNode>)
                        m -> m.putObject("https").put("redirect", true).put("hsts", "includeSubDomains")),
                Arguments.of("hsts empty", (Consumer<ObjectNode>)
                        m -> m.putObject("https").put("redirect", true).put("hsts", "")),
                Arguments.of("hsts oversize", (Consumer<ObjectNode>) m -> m.putObject("https")
                        .put("redirect", true)
                        .put("hsts", "max-age=1;" + " ".repeat(300) + "preload")),
                Arguments.of("hsts with another directive", (Consumer<ObjectNode>) m -> m.putObject("https")
                        .put("redirect", true)
                        .put("hsts", "max-age=1; report-uri=\"https://evil.example/\"")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHttpsFields")
    void rejectsAMalformedHttpsField(String what, Consumer<ObjectNode> change) throws IOException {
        ObjectNode manifest = manifest(1);
        change.accept(manifest);

        BundleException e = assertRejected(
                Rule.MANIFEST_SYNTAX,
                () -> BundleFixtures.read(reader().build(), signedBundle(manifest), BlobStore.openUnsynced(storeDir)));
        assertTrue(e.getMessage().contains("https"), e.getMessage());
        assertFalse(e.getMessage().contains("\r\n"), "the hostile value is escaped in the message");
    }

    static Stream<Arguments> duplicateKeys() {
        String valid = new String(json(manifest(1)), StandardCharsets.UTF_8);
        String https = "\"https\":{\"redirect\":true,\"hsts\":null}";
        String withHttps = valid.substring(0, valid.length() - 1) + "," + https + "}";
        return Stream.of(
                Arguments.of("https twice", withHttps.replace(https, https + "," + https)),
                Arguments.of(
                        "redirect twice",
                        withHttps.replace("\"redirect\":true", "\"redirect\":true,\"redirect\":false")),
                Arguments.of("hsts twice", withHttps.replace("\"hsts\":null", "\"hsts\":null,\"hsts\":\"max-age=1\"")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("duplicateKeys")
    void rejectsDuplicateKeys(String what, String text) {
        byte[] bundle = signedBundle(text.getBytes(StandardCharsets.UTF_8), List.of());

        BundleException e = assertRejected(
                Rule.MANIFEST_SYNTAX,
                () -> BundleFixtures.read(reader().build(), bundle, BlobStore.openUnsynced(storeDir)));
        assertTrue(e.getMessage().contains("Duplicate field"), e.getMessage());
    }
}
