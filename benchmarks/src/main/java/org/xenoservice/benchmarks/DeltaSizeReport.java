package org.xenoservice.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xenoservice.bundle.BuildResult;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.bundle.SourceFile;
import org.xenoservice.bundle.StaticSource;
import org.xenoservice.key.SiteKeys;

/**
 * Measures what publishing a one-file change costs: builds v1 of a {@link MixedTree} as a full
 * bundle, edits one HTML page ({@link MixedTree#EDITED_PAGE}, a paragraph added), builds v2 as a
 * delta on v1's manifest, verifies the delta against v1, and reports the sizes: the full bundle
 * (plain and with the whole tar gzipped), {@code tar czf} of the tree, the delta (plain and
 * gzipped), the manifest, and the edited file. Also reports the wall time of each build, once
 * (not a JMH measurement; {@link BundleBuildBenchmark} is the one to quote for throughput), and,
 * to compare the delta's build time with, a full build of v2 made right after it with the JIT warm.
 *
 * <p>The tree on disk is never changed: v2's source is the directory with the edited page
 * overlaid in memory, through the {@link StaticSource} interface the builder reads.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar org.xenoservice.benchmarks.DeltaSizeReport
 * TREE_DIR [SIZE_MB [SEED [JSON_OUT]]]}. It prints a table and, when given, writes the figures to
 * {@code JSON_OUT} as one JSON object.
 */
public final class DeltaSizeReport {
    private static final String SITE = "bench.example";

    private DeltaSizeReport() {}

    /**
     * Runs the report.
     *
     * @param args the tree directory, then optionally the size in MB (default 200), the seed and
     *     the JSON output file
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 4) {
            System.err.println("usage: DeltaSizeReport TREE_DIR [SIZE_MB [SEED [JSON_OUT]]]");
            System.exit(2);
        }
        long sizeBytes = args.length > 1 ? Long.parseLong(args[1]) * 1_000_000L : MixedTree.DEFAULT_SIZE_BYTES;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : MixedTree.DEFAULT_SEED;
        MixedTree.Summary tree = MixedTree.ensure(Path.of(args[0]), seed, sizeBytes);
        Map<String, Object> figures = run(tree);
        printTable(figures);
        if (args.length > 3) {
            Files.writeString(Path.of(args[3]), toJson(figures), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Object> run(MixedTree.Summary tree) throws Exception {
        KeyPair keys = SiteKeys.generate();
        Path work = Files.createTempDirectory(tree.root().getParent(), "delta-report-");
        Map<String, Object> figures = new LinkedHashMap<>();
        try {
            figures.put("treeFiles", tree.files());
            figures.put("treeBytes", tree.bytes());
            DirectorySource v1Source = DirectorySource.of(tree.root());

            long start = System.nanoTime();
            BuildResult full = builder(v1Source, keys, 1).build(work.resolve("v1.xsb"));
            double fullSeconds = seconds(start);
            start = System.nanoTime();
            BuildResult fullGzipped =
                    builder(v1Source, keys, 1).gzipWholeBundle(true).build(work.resolve("v1.xsb.gz"));
            double fullGzippedSeconds = seconds(start);
            start = System.nanoTime();
            long tarGzBytes = BundleBuildBenchmark.tarCzf(tree.root(), work.resolve("v1.tar.gz"));
            double tarSeconds = seconds(start);
            Manifest v1 = full.manifest();

            String editedPath = "/" + MixedTree.EDITED_PAGE;
            byte[] original = Files.readAllBytes(tree.root().resolve(MixedTree.EDITED_PAGE));
            byte[] edited = edit(original);
            StaticSource v2Source =
                    new OverlaySource(v1Source, editedPath, edited, v1.created().plusSeconds(3600));

            start = System.nanoTime();
            BuildResult delta = builder(v2Source, keys, 2).base(v1).build(work.resolve("v2-delta.xsb"));
            double deltaSeconds = seconds(start);
            start = System.nanoTime();
            builder(v2Source, keys, 2).build(work.resolve("v2-full.xsb"));
            double fullWarmSeconds = seconds(start);
            BuildResult deltaGzipped =
                    builder(v2Source, keys, 2).base(v1).gzipWholeBundle(true).build(work.resolve("v2-delta.xsb.gz"));
            if (delta.blobsCarried() != 1) {
                throw new IllegalStateException(
                        "a one-file change should carry one blob, but the delta carries " + delta.blobsCarried());
            }
            BundleReader reader =
                    BundleReader.builder(keys.getPublic()).site(SITE).base(v1).build();
            try (InputStream in = Files.newInputStream(work.resolve("v2-delta.xsb"))) {
                reader.verify(in);
            }
            ManifestFile changed = delta.manifest().file(editedPath).orElseThrow();

            figures.put("fullBundleBytes", full.bundleBytes());
            figures.put("fullBundleGzippedBytes", fullGzipped.bundleBytes());
            figures.put("tarGzBytes", tarGzBytes);
            figures.put("fullBlobs", full.blobsCarried());
            figures.put("manifestBytes", full.manifest().bytes().length);
            figures.put("changedFile", editedPath);
            figures.put("changedFileBytes", changed.size());
            figures.put("changedFileStoredBytes", changed.storedSize());
            figures.put("deltaBundleBytes", delta.bundleBytes());
            figures.put("deltaBundleGzippedBytes", deltaGzipped.bundleBytes());
            figures.put("deltaManifestBytes", delta.manifest().bytes().length);
            figures.put("deltaBlobsCarried", delta.blobsCarried());
            figures.put("deltaOverFull", (double) delta.bundleBytes() / full.bundleBytes());
            figures.put("deltaGzippedOverFullGzipped", (double) deltaGzipped.bundleBytes() / fullGzipped.bundleBytes());
            figures.put("fullBuildSeconds", fullSeconds);
            figures.put("fullGzippedBuildSeconds", fullGzippedSeconds);
            figures.put("tarCzfSeconds", tarSeconds);
            figures.put("deltaBuildSeconds", deltaSeconds);
            figures.put("fullBuildWarmSeconds", fullWarmSeconds);
            return figures;
        } finally {
            try (var paths = Files.walk(work)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static BundleBuilder builder(StaticSource source, KeyPair keys, long version) {
        return BundleBuilder.forSite(SITE)
                .source(source)
                .signingKey(keys.getPrivate())
                .version(version);
    }

    /** The edit an author makes: a new paragraph after the page's first one. */
    static byte[] edit(byte[] page) {
        String html = new String(page, StandardCharsets.UTF_8);
        int at = html.indexOf("</p>\n");
        if (at < 0) {
            throw new IllegalStateException(MixedTree.EDITED_PAGE + " has no paragraph to edit");
        }
        at += "</p>\n".length();
        String added = "<p class=\"note\">Update: the installer now checks the Java version first and "
                + "says which one to install; see the release notes for the details.</p>\n";
        return (html.substring(0, at) + added + html.substring(at)).getBytes(StandardCharsets.UTF_8);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void printTable(Map<String, Object> f) {
        System.out.printf(Locale.ROOT, "tree: %d files, %s%n", (Integer) f.get("treeFiles"), mb(f.get("treeBytes")));
        System.out.printf(
                Locale.ROOT,
                "full bundle (v1):            %14s   built in %.1f s (single run)%n",
                mb(f.get("fullBundleBytes")),
                (Double) f.get("fullBuildSeconds"));
        System.out.printf(
                Locale.ROOT,
                "full bundle, whole gzipped:  %14s   built in %.1f s%n",
                mb(f.get("fullBundleGzippedBytes")),
                (Double) f.get("fullGzippedBuildSeconds"));
        System.out.printf(
                Locale.ROOT, "tar czf of the tree:         %14s   in %.1f s%n", mb(f.get("tarGzBytes")), (Double)
                        f.get("tarCzfSeconds"));
        System.out.printf(Locale.ROOT, "manifest (in every bundle):  %14s%n", mb(f.get("manifestBytes")));
        System.out.printf(
                Locale.ROOT,
                "changed file %s: %d bytes (%d stored)%n",
                f.get("changedFile"),
                (Long) f.get("changedFileBytes"),
                (Long) f.get("changedFileStoredBytes"));
        System.out.printf(
                Locale.ROOT,
                "delta bundle (v2 on v1):     %14s   built in %.1f s, %d blob carried%n",
                mb(f.get("deltaBundleBytes")),
                (Double) f.get("deltaBuildSeconds"),
                (Integer) f.get("deltaBlobsCarried"));
        System.out.printf(
                Locale.ROOT,
                "full bundle of v2, right after the delta: built in %.1f s "
                        + "(the first build above includes JIT warm-up)%n",
                (Double) f.get("fullBuildWarmSeconds"));
        System.out.printf(Locale.ROOT, "delta bundle, whole gzipped: %14s%n", mb(f.get("deltaBundleGzippedBytes")));
        System.out.printf(Locale.ROOT, "delta / full: %.5f (gzipped: %.5f)%n", (Double) f.get("deltaOverFull"), (Double)
                f.get("deltaGzippedOverFullGzipped"));
    }

    private static String mb(Object bytes) {
        long n = ((Number) bytes).longValue();
        return String.format(Locale.ROOT, "%,d B (%.2f MB)", n, n / 1e6);
    }

    private static String toJson(Map<String, Object> figures) {
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, Object> e : figures.entrySet()) {
            Object v = e.getValue();
            String value = v instanceof String s
                    ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""
                    : v instanceof Double d ? String.format(Locale.ROOT, "%.6f", d) : String.valueOf(v);
            fields.add("  \"" + e.getKey() + "\": " + value);
        }
        return "{\n" + String.join(",\n", fields) + "\n}\n";
    }

    /** A source that serves one path's bytes from memory and every other file from the directory. */
    private static final class OverlaySource implements StaticSource {
        private final StaticSource base;
        private final String path;
        private final byte[] content;
        private final Instant lastModified;

        OverlaySource(StaticSource base, String path, byte[] content, Instant lastModified) {
            this.base = base;
            this.path = path;
            this.content = content.clone();
            this.lastModified = lastModified;
        }

        @Override
        public List<SourceFile> files() throws IOException {
            List<SourceFile> files = new ArrayList<>();
            for (SourceFile file : base.files()) {
                files.add(file.path().equals(path) ? new SourceFile(path, content.length, lastModified) : file);
            }
            return files;
        }

        @Override
        public InputStream open(SourceFile file) throws IOException {
            return file.path().equals(path) ? new ByteArrayInputStream(content) : base.open(file);
        }

        @Override
        public String describe() {
            return base.describe() + " with " + path + " edited";
        }
    }
}
