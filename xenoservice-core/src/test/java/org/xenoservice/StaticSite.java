package org.xenoservice;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.key.SiteKeys;

/**
 * A test site on disk and the bundles of it, as the origin's replicator builds them, for the
 * tests of {@link StaticPages}: its files, a loader that runs when the test says, and requests
 * with any headers.
 */
final class StaticSite {
    static final String SITE = "books.example";
    /** Every file's modification time. */
    static final Instant MODIFIED = Instant.parse("2026-11-01T09:30:00Z");
    /** {@link #MODIFIED} as an HTTP date. */
    static final String MODIFIED_HTTP = "Sun, 01 Nov 2026 09:30:00 GMT";

    static final String PAGE = "<html><body>" + "Antiquarian books, first editions. ".repeat(100) + "</body></html>";

    private static final PrivateKey KEY = SiteKeys.generate().getPrivate();

    final Path root;
    private final Path bundles;
    private final List<Runnable> loads = new ArrayList<>();

    StaticSite(Path dir) throws IOException {
        this.root = Files.createDirectories(dir.resolve("site"));
        this.bundles = Files.createDirectories(dir.resolve("bundles"));
        write("index.html", PAGE);
        write("books/index.html", "<h1>Books</h1>" + "<p>a book</p>".repeat(100));
        write("style.css", "body { font-family: serif; }\n".repeat(50));
        write("logo.png", random(3_000, 1));
        write("big.bin", random(200_000, 2));
        Files.createDirectories(dir.resolve("secret"));
        Files.writeString(dir.resolve("secret/key.txt"), "not for the web");
    }

    /** Writes a file of the site, with the {@link #MODIFIED} time. */
    void write(String path, String content) throws IOException {
        write(path, content.getBytes(StandardCharsets.UTF_8));
    }

    void write(String path, byte[] content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Files.setLastModifiedTime(file, FileTime.from(MODIFIED));
    }

    /** A file's bytes as on disk. */
    byte[] bytes(String path) {
        try {
            return Files.readAllBytes(root.resolve(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds bundle {@code version} of the site as it is now, as the replicator does. */
    Path bundle(long version) throws IOException {
        Path file = bundles.resolve(version + ".xsb");
        BundleBuilder.forSite(SITE)
                .source(DirectorySource.of(root))
                .signingKey(KEY)
                .version(version)
                .created(MODIFIED)
                .build(file);
        return file;
    }

    /** A loader that runs the loads handed to it when {@link #runLoads()} says. */
    Executor loader() {
        return loads::add;
    }

    /** Runs the loads handed to the {@link #loader()} so far; returns how many. */
    int runLoads() {
        List<Runnable> now = new ArrayList<>(loads);
        loads.clear();
        now.forEach(Runnable::run);
        return now.size();
    }

    /** Holds the files of a new bundle of the site at once (loads on the calling thread). */
    static StaticPages holding(Path bundle, long version, long maxBytes, long maxFileBytes) {
        StaticPages pages = new StaticPages(SITE, maxBytes, maxFileBytes, Runnable::run);
        pages.bundleBuilt(version, bundle);
        return pages;
    }

    /** A request's headers, by case-insensitive name. */
    static Function<String, Optional<String>> headers(String... namesAndValues) {
        Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            byName.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return name -> Optional.ofNullable(byName.get(name));
    }

    static String text(XenoResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** The body decoded, by its {@code Content-Encoding}. */
    static byte[] decoded(XenoResponse response) {
        if (!"gzip".equals(response.headers().get("Content-Encoding"))) {
            return response.body();
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
