package org.xenoservice.peer.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.Encoding;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.ServedSite;

/**
 * Real sites for the serving-port tests: files written to a directory, built into a signed
 * bundle with {@link BundleBuilder}, verified and stored with {@link BundleReader}, wrapped in a
 * {@link ServedSite}. Contents come from seeded randomness, so every run serves the same bytes.
 */
final class TestSites {
    /** Every source file's modification time, so that Last-Modified is known. */
    static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");

    private final Map<String, byte[]> sources = new LinkedHashMap<>();
    private final ServedSite site;

    private TestSites(ServedSite site, Map<String, byte[]> sources) {
        this.site = site;
        this.sources.putAll(sources);
    }

    /** Builds {@code files} (URL path without the leading slash → bytes) as site {@code host} under {@code dir}. */
    static TestSites build(String host, Path dir, Map<String, byte[]> files) throws IOException {
        return build(host, dir, files, List.of());
    }

    /** As {@link #build(String, Path, Map)}, with dynamic routes in the manifest. */
    static TestSites build(String host, Path dir, Map<String, byte[]> files, List<DynamicRoute> routes)
            throws IOException {
        Path source = dir.resolve("source");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path path = source.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.write(path, file.getValue());
            Files.setLastModifiedTime(path, FileTime.from(MODIFIED));
        }
        KeyPair keys = SiteKeys.generate();
        Path bundle = dir.resolve(host + ".xsb");
        BundleBuilder builder = BundleBuilder.forSite(host)
                .source(DirectorySource.of(source))
                .signingKey(keys.getPrivate())
                .version(1)
                .created(MODIFIED);
        routes.forEach(builder::dynamicRoute);
        builder.build(bundle);
        BlobStore store = BlobStore.openUnsynced(dir.resolve("store"));
        Manifest manifest;
        try (InputStream in = Files.newInputStream(bundle)) {
            manifest = BundleReader.builder(keys.getPublic()).site(host).build().read(in, store);
        }
        Map<String, byte[]> byPath = new LinkedHashMap<>();
        files.forEach((name, bytes) -> byPath.put("/" + name, bytes));
        return new TestSites(ServedSite.of(manifest, store), byPath);
    }

    ServedSite site() {
        return site;
    }

    /** The source bytes of a URL path. */
    byte[] bytes(String path) {
        byte[] bytes = sources.get(path);
        if (bytes == null) {
            throw new IllegalArgumentException("no file " + path);
        }
        return bytes;
    }

    /** The manifest entry of a URL path, checked to be stored as expected. */
    ManifestFile file(String path, Encoding expected) {
        ManifestFile file =
                site.manifest().file(path).orElseThrow(() -> new IllegalArgumentException("no file " + path));
        if (file.encoding() != expected) {
            throw new IllegalStateException(path + " is stored " + file.encoding() + ", the test expects " + expected);
        }
        return file;
    }

    /** The stored blob file of a URL path. */
    Path blobFile(String path) {
        ManifestFile file = site.manifest().file(path).orElseThrow();
        return site.store().file(file.blob()).orElseThrow();
    }

    /** Incompressible bytes. */
    static byte[] random(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Text that gzip shrinks by about a third, so that it is stored gzip and stays big. */
    static byte[] words(long seed, int length) {
        Random random = new Random(seed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        for (int i = 0; i < length; i++) {
            out.write(random.nextInt(6) == 0 ? ' ' : 'a' + random.nextInt(26));
        }
        return out.toByteArray();
    }

    /** An HTML page of about {@code repeats} paragraphs. */
    static byte[] html(String title, int repeats) {
        StringBuilder page = new StringBuilder("<!doctype html><html><head><title>")
                .append(title)
                .append("</title></head><body>\n");
        for (int i = 0; i < repeats; i++) {
            page.append("<p>Antiquarian books, first editions and maps: item ")
                    .append(i)
                    .append(".</p>\n");
        }
        return page.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }
}
