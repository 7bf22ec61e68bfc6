package org.xenoservice.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Generates a realistic static site tree for benchmarks: the same seed and size always give the
 * same files, byte for byte, with the same modification times.
 *
 * <p>The mix, as shares of the requested size: about 18 % HTML pages, 10 % JavaScript (minified
 * bundles, modules, source maps), 4 % CSS, 5 % JSON, 3 % SVG — all text written word by word from
 * a Zipf-distributed vocabulary, so that it compresses about as real text does (gzip to roughly a
 * third or a quarter), neither random nor all zeros; 30 % already-compressed images (random bytes
 * behind a JPEG, PNG or WebP header), 2 % WOFF2 fonts, three large files (a video-like MP4 of 12 %,
 * a PDF-like file of 10 % mixing text and compressed streams, a ZIP of 3 %), and about 3 % exact
 * copies of other files (a legacy theme), which a content-addressed bundle stores once. Thousands
 * of small files sit in nested folders ({@code blog/2019/07/…}, {@code images/<album>/thumbs/…}).
 *
 * <pre>{@code
 * MixedTree.Summary tree = MixedTree.ensure(Path.of("target/mixed-tree-200mb"), 42, 200_000_000L);
 * }</pre>
 *
 * <p>This class holds the mix (which files, how much of each, in which order they draw from the
 * seed); the files' content comes from {@code HtmlPages}, {@code JavaScriptFiles},
 * {@code StyleSheets}, {@code JsonFiles}, {@code SvgFiles} and {@code BinaryFiles}, written through
 * {@code TreeFiles} in the words of {@code TreeWords}.
 *
 * <p>{@link #ensure} skips the work when the tree's marker file ({@link #markerFile}, a sibling of
 * the tree, so that it is not part of it) says the same generator, seed and size made it.
 * Run {@code java -cp benchmarks.jar org.xenoservice.benchmarks.MixedTree DIR [SIZE_MB] [SEED]}
 * to generate one from the command line.
 */
public final class MixedTree {
    /** The seed the benchmarks use unless told otherwise. */
    public static final long DEFAULT_SEED = 42;
    /** The tree size the benchmarks use unless told otherwise: 200 MB (decimal, 200,000,000 bytes). */
    public static final long DEFAULT_SIZE_BYTES = 200_000_000L;
    /** The smallest tree this generator makes: 2 MB. */
    public static final long MIN_SIZE_BYTES = 2_000_000L;
    /** An ordinary documentation page (about 24 KB) that every tree has, for a one-file edit. */
    public static final String EDITED_PAGE = "docs/guide/getting-started.html";

    /** Bump when the output for a given seed changes, so that old trees are regenerated. */
    private static final int GENERATOR_VERSION = 1;

    /**
     * What a generated tree holds.
     *
     * @param root the tree's directory
     * @param seed the seed it was generated from
     * @param requestedBytes the size asked for
     * @param files how many regular files it has
     * @param bytes the sum of their sizes, the figure throughput is measured against
     */
    public record Summary(Path root, long seed, long requestedBytes, int files, long bytes) {}

    private final long sizeBytes;
    private final SplittableRandom random;
    private final TreeFiles files;
    private final HtmlPages html;
    private final JavaScriptFiles javaScript;
    private final StyleSheets styleSheets;
    private final JsonFiles json;
    private final SvgFiles svg;
    private final BinaryFiles binaries;

    private MixedTree(Path root, long seed, long sizeBytes) {
        this.sizeBytes = sizeBytes;
        this.random = new SplittableRandom(seed);
        TreeWords words = new TreeWords(new Vocabulary(new SplittableRandom(seed ^ 0x5DEECE66DL), 6000));
        this.files = new TreeFiles(root);
        this.javaScript = new JavaScriptFiles(words, files);
        this.html = new HtmlPages(words, files, javaScript, random);
        this.styleSheets = new StyleSheets(words, files);
        this.json = new JsonFiles(words, files);
        this.svg = new SvgFiles(words, files);
        this.binaries = new BinaryFiles(words, files);
    }

    /**
     * Returns the tree at {@code root}, generating it first unless its marker says it was already
     * generated with this seed and size.
     *
     * @throws IllegalArgumentException if the size is below {@link #MIN_SIZE_BYTES}
     */
    public static Summary ensure(Path root, long seed, long sizeBytes) throws IOException {
        Optional<Summary> existing = readMarker(root, seed, sizeBytes);
        if (existing.isPresent()) {
            return existing.get();
        }
        return generate(root, seed, sizeBytes);
    }

    /** Deletes whatever is at {@code root} and generates the tree there. */
    public static Summary generate(Path root, long seed, long sizeBytes) throws IOException {
        if (sizeBytes < MIN_SIZE_BYTES) {
            throw new IllegalArgumentException(
                    "sizeBytes must be at least " + MIN_SIZE_BYTES + ", but was " + sizeBytes);
        }
        Path dir = root.toAbsolutePath().normalize();
        Files.deleteIfExists(markerFile(dir));
        deleteTree(dir);
        Files.createDirectories(dir);
        MixedTree tree = new MixedTree(dir, seed, sizeBytes);
        tree.generateAll();
        Summary summary = new Summary(dir, seed, sizeBytes, tree.files.count(), tree.files.bytes());
        Files.writeString(
                markerFile(dir),
                "generator=" + GENERATOR_VERSION + "\nseed=" + seed + "\nrequestedBytes=" + sizeBytes + "\nfiles="
                        + tree.files.count() + "\nbytes=" + tree.files.bytes() + "\n");
        return summary;
    }

    /** The marker beside the tree: {@code <root>.marker}, lines {@code key=value}. */
    public static Path markerFile(Path root) {
        Path dir = root.toAbsolutePath().normalize();
        return dir.resolveSibling(dir.getFileName() + ".marker");
    }

    /**
     * Generates a tree from the command line.
     *
     * @param args the directory, then optionally the size in MB (default 200) and the seed
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: MixedTree DIR [SIZE_MB] [SEED]");
            System.exit(2);
        }
        long size = args.length > 1 ? Long.parseLong(args[1]) * 1_000_000L : DEFAULT_SIZE_BYTES;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : DEFAULT_SEED;
        long start = System.nanoTime();
        Summary summary = ensure(Path.of(args[0]), seed, size);
        System.out.printf(
                Locale.ROOT,
                "tree %s: %d files, %d bytes, seed %d (%.1f s)%n",
                summary.root(),
                summary.files(),
                summary.bytes(),
                summary.seed(),
                (System.nanoTime() - start) / 1e9);
    }

    private static Optional<Summary> readMarker(Path root, long seed, long sizeBytes) throws IOException {
        Path dir = root.toAbsolutePath().normalize();
        Path marker = markerFile(dir);
        if (!Files.isRegularFile(marker) || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(marker, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        if (!String.valueOf(GENERATOR_VERSION).equals(values.get("generator"))
                || !String.valueOf(seed).equals(values.get("seed"))
                || !String.valueOf(sizeBytes).equals(values.get("requestedBytes"))
                || !values.containsKey("files")
                || !values.containsKey("bytes")) {
            return Optional.empty();
        }
        return Optional.of(new Summary(
                dir, seed, sizeBytes, Integer.parseInt(values.get("files")), Long.parseLong(values.get("bytes"))));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    // ---------------------------------------------------------------- the mix

    private void generateAll() throws IOException {
        binaries.binary("media/video/intro-tour.mp4", share(12), TreeContent.mp4Header(), random.split());
        binaries.pdf("media/reports/annual-report-2023.pdf", share(10), random.split());
        binaries.binary(
                "downloads/press-kit.zip", share(3), new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}, random.split());

        html.page("index.html", "Welcome", 18_000, random.split());
        html.page("about.html", "About us", 12_000, random.split());
        html.page("contact.html", "Contact", 6_000, random.split());
        html.page("404.html", "Page not found", 3_000, random.split());
        html.page(EDITED_PAGE, "Getting started", 24_000, random.split());

        fill(share(18), 5_000, 80_000, html::article);
        fill(share(30) * 8 / 10, 40_000, 700_000, binaries::photo);
        fill(share(30) * 2 / 10, 3_000, 20_000, binaries::thumbnail);
        fill(share(2), 15_000, 120_000, binaries::font);
        javascript(share(10));
        css(share(4));
        fill(share(5) / 2, 20_000, 500_000, json::products);
        fill(share(5) / 2, 400, 8_000, json::translations);
        fill(share(3) / 2, 300, 4_000, svg::icon);
        fill(share(3) / 2, 8_000, 90_000, svg::illustration);
        duplicates(share(3));

        files.write("robots.txt", "User-agent: *\nAllow: /\nSitemap: https://www.example.org/sitemap.xml\n");
        html.sitemap();
    }

    private long share(int percent) {
        return sizeBytes * percent / 100;
    }

    @FunctionalInterface
    private interface FileMaker {
        /** Writes one file of about {@code targetBytes} and returns its size. */
        long make(long targetBytes, SplittableRandom r) throws IOException;
    }

    /** Writes files of log-uniform sizes in [min, max] until the budget is spent. */
    private void fill(long budget, long min, long max, FileMaker maker) throws IOException {
        long used = 0;
        while (used < budget) {
            long target = Math.min(TreeContent.logUniform(random, min, max), Math.max(budget - used, min));
            used += Math.max(1, maker.make(target, random.split()));
        }
    }

    /** Two minified bundles and a source map, then modules (some with maps) for the rest. */
    private void javascript(long budget) throws IOException {
        long used = 0;
        used += javaScript.minifiedBundle("assets/js/vendor.min.js", budget * 25 / 100, random.split());
        used += javaScript.minifiedBundle("assets/js/app.min.js", budget * 15 / 100, random.split());
        used += javaScript.sourceMap("assets/js/app.min.js.map", budget * 15 / 100, random.split());
        long rest = budget - used;
        fill(rest, 1_500, 60_000, javaScript::moduleWithMap);
    }

    /** The main style sheet (a fifth), then component style sheets for the rest. */
    private void css(long budget) throws IOException {
        long used = styleSheets.styleSheet("assets/css/main.css", budget / 5, random.split());
        fill(budget - used, 1_000, 40_000, styleSheets::component);
    }

    /** Copies existing files (a legacy theme, shared images): the same content under another path. */
    private void duplicates(long budget) throws IOException {
        List<String> copyable = files.copyable();
        long used = 0;
        int attempts = 0;
        while (used < budget && attempts++ < 100_000 && !copyable.isEmpty()) {
            String original = copyable.get(random.nextInt(copyable.size()));
            String copy = (original.startsWith("images/") ? "themes/classic/" : "assets/legacy/") + original;
            used += files.copy(original, copy);
        }
    }
}
