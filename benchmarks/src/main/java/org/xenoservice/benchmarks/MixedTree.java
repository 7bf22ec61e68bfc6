package org.xenoservice.benchmarks;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    private static final Instant BASE_MTIME = Instant.parse("2024-01-01T00:00:00Z");
    private static final int CHUNK_BYTES = 1 << 20;

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

    private final Path root;
    private final long sizeBytes;
    private final SplittableRandom random;
    private final Vocabulary words;
    private final String nav;
    private final String footer;
    private final List<String> pages = new ArrayList<>();
    private final List<String> copyable = new ArrayList<>();
    private final Set<String> written = new HashSet<>();
    private int files;
    private long bytes;

    private MixedTree(Path root, long seed, long sizeBytes) {
        this.root = root;
        this.sizeBytes = sizeBytes;
        this.random = new SplittableRandom(seed);
        this.words = new Vocabulary(new SplittableRandom(seed ^ 0x5DEECE66DL), 6000);
        this.nav = navigation();
        this.footer = footer();
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
        Summary summary = new Summary(dir, seed, sizeBytes, tree.files, tree.bytes);
        Files.writeString(
                markerFile(dir),
                "generator=" + GENERATOR_VERSION + "\nseed=" + seed + "\nrequestedBytes=" + sizeBytes + "\nfiles="
                        + tree.files + "\nbytes=" + tree.bytes + "\n");
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
        binary("media/video/intro-tour.mp4", share(12), TreeContent.mp4Header(), random.split());
        pdf("media/reports/annual-report-2023.pdf", share(10), random.split());
        binary("downloads/press-kit.zip", share(3), new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0}, random.split());

        page("index.html", "Welcome", 18_000);
        page("about.html", "About us", 12_000);
        page("contact.html", "Contact", 6_000);
        page("404.html", "Page not found", 3_000);
        page(EDITED_PAGE, "Getting started", 24_000);

        fill(share(18), 5_000, 80_000, this::articlePage);
        fill(share(30) * 8 / 10, 40_000, 700_000, this::photo);
        fill(share(30) * 2 / 10, 3_000, 20_000, this::thumbnail);
        fill(share(2), 15_000, 120_000, this::font);
        javascript(share(10));
        css(share(4));
        fill(share(5) / 2, 20_000, 500_000, this::dataJson);
        fill(share(5) / 2, 400, 8_000, this::i18nJson);
        fill(share(3) / 2, 300, 4_000, this::icon);
        fill(share(3) / 2, 8_000, 90_000, this::illustration);
        duplicates(share(3));

        write("robots.txt", "User-agent: *\nAllow: /\nSitemap: https://www.example.org/sitemap.xml\n");
        sitemap();
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

    // ---------------------------------------------------------------- HTML

    private long articlePage(long target, SplittableRandom r) throws IOException {
        String slug = slug(r);
        String title = TreeContent.capitalize(words.sentenceWords(r, 3 + r.nextInt(5)));
        String path;
        switch (r.nextInt(10)) {
            case 0, 1, 2, 3, 4 ->
                path = String.format(
                        Locale.ROOT, "blog/%d/%02d/%s.html", 2012 + r.nextInt(13), 1 + r.nextInt(12), slug);
            case 5, 6, 7 -> path = "docs/" + section(r, 9) + "/" + section(r, 6) + "/" + slug + ".html";
            default -> path = "shop/" + section(r, 12) + "/" + slug + ".html";
        }
        return page(path, title, target, r);
    }

    private long page(String path, String title, long target) throws IOException {
        return page(path, title, target, random.split());
    }

    private long page(String path, String title, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 4096);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(title)
                .append(" | Example Site</title>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"description\" content=\"")
                .append(words.sentence(r))
                .append("\">\n")
                .append("<link rel=\"stylesheet\" href=\"/assets/css/main.css\">\n")
                .append("<link rel=\"preload\" href=\"/assets/fonts/body-400.woff2\" as=\"font\" crossorigin>\n")
                .append("<script src=\"/assets/js/app.min.js\" defer></script>\n</head>\n")
                .append("<body class=\"page page-")
                .append(words.word(r))
                .append("\">\n")
                .append(nav)
                .append("<main id=\"content\">\n<article class=\"post\">\n<h1>")
                .append(title)
                .append("</h1>\n")
                .append(String.format(
                        Locale.ROOT,
                        "<p class=\"meta\">Posted on <time datetime=\"20%02d-%02d-%02d\">",
                        12 + r.nextInt(13),
                        1 + r.nextInt(12),
                        1 + r.nextInt(28)))
                .append(TreeContent.capitalize(words.word(r)))
                .append(' ')
                .append(1 + r.nextInt(28))
                .append("</time> by ")
                .append(TreeContent.capitalize(words.word(r)))
                .append(' ')
                .append(TreeContent.capitalize(words.word(r)))
                .append("</p>\n");
        long bodyEnd = target - footer.length() - 30;
        while (sb.length() < bodyEnd) {
            int kind = r.nextInt(100);
            if (kind < 58) {
                sb.append("<p>");
                int sentences = 2 + r.nextInt(6);
                for (int i = 0; i < sentences; i++) {
                    if (r.nextInt(8) == 0) {
                        sb.append("<a href=\"/")
                                .append(section(r, 9))
                                .append('/')
                                .append(slug(r))
                                .append(".html\">")
                                .append(words.sentenceWords(r, 2 + r.nextInt(3)))
                                .append("</a> ");
                    }
                    sb.append(words.sentence(r)).append(' ');
                }
                sb.setLength(sb.length() - 1);
                sb.append("</p>\n");
            } else if (kind < 66) {
                sb.append("<h2 id=\"")
                        .append(slug(r))
                        .append("\">")
                        .append(TreeContent.capitalize(words.sentenceWords(r, 2 + r.nextInt(5))))
                        .append("</h2>\n");
            } else if (kind < 76) {
                sb.append("<ul class=\"list\">\n");
                for (int i = 0, n = 3 + r.nextInt(6); i < n; i++) {
                    sb.append("  <li>").append(words.sentence(r)).append("</li>\n");
                }
                sb.append("</ul>\n");
            } else if (kind < 84) {
                String img = "/images/" + section(r, 40) + "/" + slug(r) + ".jpg";
                sb.append("<figure class=\"figure\">\n  <img src=\"")
                        .append(img)
                        .append("\" loading=\"lazy\" width=\"")
                        .append(320 + r.nextInt(1280))
                        .append("\" height=\"")
                        .append(200 + r.nextInt(800))
                        .append("\" alt=\"")
                        .append(words.sentenceWords(r, 3 + r.nextInt(6)))
                        .append("\">\n  <figcaption>")
                        .append(words.sentence(r))
                        .append("</figcaption>\n</figure>\n");
            } else if (kind < 92) {
                sb.append("<pre><code class=\"language-js\">");
                for (int i = 0, n = 2 + r.nextInt(8); i < n; i++) {
                    jsStatement(sb, r, "");
                }
                sb.append("</code></pre>\n");
            } else {
                sb.append("<blockquote>\n  <p>")
                        .append(words.sentence(r))
                        .append(' ')
                        .append(words.sentence(r))
                        .append("</p>\n</blockquote>\n");
            }
        }
        sb.append("</article>\n</main>\n").append(footer).append("</body>\n</html>\n");
        pages.add(path);
        return write(path, sb);
    }

    private String navigation() {
        SplittableRandom r = random.split();
        StringBuilder sb = new StringBuilder("<header class=\"site-header\">\n<nav class=\"main-nav\">\n<ul>\n");
        for (int i = 0; i < 24; i++) {
            String section = section(r, 9);
            sb.append("  <li class=\"nav-item\"><a href=\"/docs/")
                    .append(section)
                    .append("/\">")
                    .append(TreeContent.capitalize(section))
                    .append("</a></li>\n");
        }
        return sb.append("</ul>\n</nav>\n</header>\n").toString();
    }

    private String footer() {
        SplittableRandom r = random.split();
        StringBuilder sb = new StringBuilder("<footer class=\"site-footer\">\n<div class=\"columns\">\n");
        for (int i = 0; i < 4; i++) {
            sb.append("<section>\n<h3>")
                    .append(TreeContent.capitalize(words.word(r)))
                    .append("</h3>\n<ul>\n");
            for (int j = 0; j < 6; j++) {
                sb.append("  <li><a href=\"/")
                        .append(slug(r))
                        .append(".html\">")
                        .append(TreeContent.capitalize(words.sentenceWords(r, 2)))
                        .append("</a></li>\n");
            }
            sb.append("</ul>\n</section>\n");
        }
        return sb.append("</div>\n<p class=\"copyright\">Copyright 2024 Example Site. ")
                .append(words.sentence(r))
                .append("</p>\n</footer>\n")
                .toString();
    }

    private void sitemap() throws IOException {
        StringBuilder sb = new StringBuilder("""
        <?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        """);
        for (String page : pages) {
            sb.append("  <url><loc>https://www.example.org/").append(page).append("</loc></url>\n");
        }
        write("sitemap.xml", sb.append("</urlset>\n"));
    }

    // ---------------------------------------------------------------- JavaScript, CSS, JSON, SVG

    private void javascript(long budget) throws IOException {
        long used = 0;
        used += minifiedBundle("assets/js/vendor.min.js", budget * 25 / 100, random.split());
        used += minifiedBundle("assets/js/app.min.js", budget * 15 / 100, random.split());
        used += sourceMap("assets/js/app.min.js.map", budget * 15 / 100, random.split());
        long rest = budget - used;
        fill(rest, 1_500, 60_000, (target, r) -> {
            String name = "assets/js/modules/" + slug(r);
            long size = jsModule(name + ".js", target, r);
            if (r.nextInt(4) == 0) {
                size += sourceMap(name + ".js.map", target * 2, r);
            }
            return size;
        });
    }

    private long minifiedBundle(String path, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append("/*! ").append(path).append(" | MIT License */\n");
        while (sb.length() < target) {
            sb.append("function ")
                    .append(TreeContent.shortName(r))
                    .append('(')
                    .append(TreeContent.shortName(r))
                    .append(',')
                    .append(TreeContent.shortName(r))
                    .append("){");
            for (int i = 0, n = 2 + r.nextInt(6); i < n; i++) {
                jsStatement(sb, r, null);
            }
            sb.append("}");
        }
        copyable.add(path);
        return write(path, sb);
    }

    private long jsModule(String path, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append("// ")
                .append(words.sentence(r))
                .append("\nimport { ")
                .append(camel(r))
                .append(" } from './")
                .append(slug(r))
                .append(".js';\n\n");
        while (sb.length() < target) {
            sb.append("/**\n * ")
                    .append(words.sentence(r))
                    .append("\n */\nexport function ")
                    .append(camel(r))
                    .append('(')
                    .append(camel(r))
                    .append(", ")
                    .append(camel(r))
                    .append(") {\n");
            for (int i = 0, n = 2 + r.nextInt(8); i < n; i++) {
                jsStatement(sb, r, "  ");
            }
            sb.append("}\n\n");
        }
        copyable.add(path);
        return write(path, sb);
    }

    /** One statement; {@code indent} null means minified. */
    private void jsStatement(StringBuilder sb, SplittableRandom r, String indent) {
        boolean min = indent == null;
        String in = min ? "" : indent;
        String sp = min ? "" : " ";
        String nl = min ? "" : "\n";
        String a = min ? TreeContent.shortName(r) : camel(r);
        String b = min ? TreeContent.shortName(r) : camel(r);
        switch (r.nextInt(6)) {
            case 0 ->
                sb.append(in)
                        .append("const ")
                        .append(a)
                        .append(sp)
                        .append('=')
                        .append(sp)
                        .append(b)
                        .append('.')
                        .append(camel(r))
                        .append('(')
                        .append('"')
                        .append(words.sentenceWords(r, 1 + r.nextInt(4)))
                        .append("\");")
                        .append(nl);
            case 1 ->
                sb.append(in)
                        .append("if")
                        .append(sp)
                        .append('(')
                        .append(a)
                        .append(".length")
                        .append(sp)
                        .append('>')
                        .append(sp)
                        .append(r.nextInt(100))
                        .append(')')
                        .append(sp)
                        .append("{")
                        .append(nl)
                        .append(in)
                        .append(min ? "" : "  ")
                        .append("return ")
                        .append(b)
                        .append('(')
                        .append(a)
                        .append(',')
                        .append(sp)
                        .append(r.nextInt(1000))
                        .append(");")
                        .append(nl)
                        .append(in)
                        .append('}')
                        .append(nl);
            case 2 ->
                sb.append(in)
                        .append(a)
                        .append('.')
                        .append(camel(r))
                        .append(sp)
                        .append('=')
                        .append(sp)
                        .append("function")
                        .append(sp)
                        .append("(e)")
                        .append(sp)
                        .append("{")
                        .append(sp)
                        .append("return e.")
                        .append(camel(r))
                        .append(sp)
                        .append("&&")
                        .append(sp)
                        .append(b)
                        .append("(e);")
                        .append(sp)
                        .append("};")
                        .append(nl);
            case 3 ->
                sb.append(in)
                        .append("for")
                        .append(sp)
                        .append("(let i")
                        .append(sp)
                        .append('=')
                        .append(sp)
                        .append("0;")
                        .append(sp)
                        .append("i")
                        .append(sp)
                        .append('<')
                        .append(sp)
                        .append(a)
                        .append(".length;")
                        .append(sp)
                        .append("i++)")
                        .append(sp)
                        .append("{")
                        .append(sp)
                        .append(b)
                        .append(".push(")
                        .append(a)
                        .append("[i]);")
                        .append(sp)
                        .append('}')
                        .append(nl);
            case 4 ->
                sb.append(in)
                        .append("document.querySelector(\".")
                        .append(slug(r))
                        .append("\").addEventListener(\"")
                        .append(r.nextBoolean() ? "click" : "change")
                        .append("\",")
                        .append(sp)
                        .append(b)
                        .append(");")
                        .append(nl);
            default ->
                sb.append(in)
                        .append("return {")
                        .append(sp)
                        .append(camel(r))
                        .append(':')
                        .append(sp)
                        .append(a)
                        .append(',')
                        .append(sp)
                        .append(camel(r))
                        .append(':')
                        .append(sp)
                        .append(r.nextInt(10_000))
                        .append(sp)
                        .append("};")
                        .append(nl);
        }
    }

    private long sourceMap(String path, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append("{\"version\":3,\"file\":\"")
                .append(path, path.lastIndexOf('/') + 1, path.length() - 4)
                .append("\",\"sources\":[");
        for (int i = 0, n = 3 + r.nextInt(20); i < n; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append("\"webpack:///./src/")
                    .append(slug(r))
                    .append(".js\"");
        }
        sb.append("],\"names\":[");
        for (int i = 0, n = 20 + r.nextInt(200); i < n; i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(camel(r)).append('"');
        }
        sb.append("],\"mappings\":\"");
        String small = "ACEGIKMOQSUWYacegikmoqsuwy";
        String any = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        while (sb.length() < target) {
            for (int i = 0, n = 4 + r.nextInt(2); i < n; i++) {
                sb.append(
                        r.nextInt(4) == 0
                                ? any.charAt(r.nextInt(any.length()))
                                : small.charAt(r.nextInt(small.length())));
            }
            sb.append(r.nextInt(12) == 0 ? ';' : ',');
        }
        sb.append("A\"}\n");
        return write(path, sb);
    }

    private void css(long budget) throws IOException {
        long used = cssFile("assets/css/main.css", budget / 5, random.split());
        fill(
                budget - used,
                1_000,
                40_000,
                (target, r) -> cssFile("assets/css/components/" + slug(r) + ".css", target, r));
    }

    private long cssFile(String path, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append("/* ").append(words.sentence(r)).append(" */\n");
        while (sb.length() < target) {
            if (r.nextInt(20) == 0) {
                sb.append("@media (max-width: ")
                        .append(480 + 80 * r.nextInt(12))
                        .append("px) {\n");
            }
            sb.append('.').append(words.word(r)).append('-').append(words.word(r));
            if (r.nextBoolean()) {
                sb.append(" .").append(words.word(r));
            }
            if (r.nextInt(3) == 0) {
                sb.append(':').append(r.nextBoolean() ? "hover" : "focus-visible");
            }
            sb.append(" {\n");
            for (int i = 0, n = 1 + r.nextInt(6); i < n; i++) {
                String property = TreeContent.CSS_PROPERTIES[r.nextInt(TreeContent.CSS_PROPERTIES.length)];
                sb.append("  ")
                        .append(property)
                        .append(": ")
                        .append(TreeContent.cssValue(property, r))
                        .append(";\n");
            }
            sb.append("}\n");
        }
        copyable.add(path);
        return write(path, sb);
    }

    private long dataJson(long target, SplittableRandom r) throws IOException {
        String path = (r.nextBoolean() ? "data/products/" : "api/v1/" + section(r, 6) + "/") + slug(r) + ".json";
        boolean pretty = r.nextBoolean();
        String nl = pretty ? "\n" : "";
        String in = pretty ? "    " : "";
        String sp = pretty ? " " : "";
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append('[').append(nl);
        boolean first = true;
        while (sb.length() < target) {
            if (!first) {
                sb.append(',').append(nl);
            }
            first = false;
            sb.append(pretty ? "  {" : "{")
                    .append(nl)
                    .append(in)
                    .append("\"id\":")
                    .append(sp)
                    .append(r.nextInt(1_000_000))
                    .append(',')
                    .append(nl)
                    .append(in)
                    .append("\"sku\":")
                    .append(sp)
                    .append(String.format(
                            Locale.ROOT,
                            "\"%c%c-%05d\"",
                            (char) ('A' + r.nextInt(26)),
                            (char) ('A' + r.nextInt(26)),
                            r.nextInt(100_000)))
                    .append(',')
                    .append(nl)
                    .append(in)
                    .append("\"name\":")
                    .append(sp)
                    .append('"')
                    .append(TreeContent.capitalize(words.sentenceWords(r, 2 + r.nextInt(3))))
                    .append("\",")
                    .append(nl)
                    .append(in)
                    .append("\"price\":")
                    .append(sp)
                    .append(r.nextInt(500))
                    .append('.')
                    .append(10 + r.nextInt(90))
                    .append(',')
                    .append(nl)
                    .append(in)
                    .append("\"tags\":")
                    .append(sp)
                    .append("[\"")
                    .append(words.word(r))
                    .append("\",")
                    .append(sp)
                    .append('"')
                    .append(words.word(r))
                    .append("\"],")
                    .append(nl)
                    .append(in)
                    .append("\"inStock\":")
                    .append(sp)
                    .append(r.nextBoolean())
                    .append(',')
                    .append(nl)
                    .append(in)
                    .append("\"description\":")
                    .append(sp)
                    .append('"')
                    .append(words.sentence(r))
                    .append('"')
                    .append(nl)
                    .append(pretty ? "  }" : "}");
        }
        sb.append(nl).append("]\n");
        return write(path, sb);
    }

    private long i18nJson(long target, SplittableRandom r) throws IOException {
        String path = "data/i18n/" + new String[] {"en", "de", "fr", "es", "it", "nl", "pt", "sv"}[r.nextInt(8)] + "/"
                + slug(r) + ".json";
        StringBuilder sb = new StringBuilder((int) target + 256).append("{\n");
        while (sb.length() < target) {
            sb.append("  \"")
                    .append(words.word(r))
                    .append('.')
                    .append(camel(r))
                    .append("\": \"")
                    .append(words.sentence(r))
                    .append("\",\n");
        }
        sb.append("  \"_version\": ").append(r.nextInt(100)).append("\n}\n");
        return write(path, sb);
    }

    private long icon(long target, SplittableRandom r) throws IOException {
        String path = "assets/icons/" + slug(r) + ".svg";
        StringBuilder sb = new StringBuilder((int) target + 256)
                .append(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\" width=\"24\" height=\"24\">\n");
        while (sb.length() < target) {
            TreeContent.svgPath(sb, r, 24, "currentColor");
        }
        sb.append("</svg>\n");
        copyable.add(path);
        return write(path, sb);
    }

    private long illustration(long target, SplittableRandom r) throws IOException {
        String path = "images/illustrations/" + slug(r) + ".svg";
        StringBuilder sb = new StringBuilder((int) target + 256)
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 800 600\">\n<title>")
                .append(words.sentenceWords(r, 4))
                .append("</title>\n");
        while (sb.length() < target) {
            TreeContent.svgPath(sb, r, 800, String.format(Locale.ROOT, "#%06x", r.nextInt(1 << 24)));
        }
        sb.append("</svg>\n");
        return write(path, sb);
    }

    // ---------------------------------------------------------------- binaries

    private long photo(long target, SplittableRandom r) throws IOException {
        String album = section(r, 40);
        String name = slug(r);
        return switch (r.nextInt(5)) {
            case 0, 1, 2 -> binary("images/" + album + "/" + name + ".jpg", target, TreeContent.jpegHeader(), r, true);
            case 3 -> binary("images/" + album + "/" + name + ".png", target, TreeContent.pngHeader(), r, true);
            default ->
                binary("images/" + album + "/" + name + ".webp", target, TreeContent.webpHeader(target), r, true);
        };
    }

    private long thumbnail(long target, SplittableRandom r) throws IOException {
        String path = (r.nextInt(3) == 0
                        ? "blog/" + (2012 + r.nextInt(13)) + "/img/"
                        : "images/" + section(r, 40) + "/thumbs/")
                + slug(r) + ".webp";
        return binary(path, target, TreeContent.webpHeader(target), r, true);
    }

    private long font(long target, SplittableRandom r) throws IOException {
        String path = "assets/fonts/" + words.word(r) + "-" + (100 * (1 + r.nextInt(9)))
                + (r.nextBoolean() ? "-italic" : "") + ".woff2";
        return binary(path, target, new byte[] {'w', 'O', 'F', '2', 0, 1, 0, 0}, r, true);
    }

    private long binary(String path, long size, byte[] header, SplittableRandom r) throws IOException {
        return binary(path, size, header, r, false);
    }

    /** Random bytes (compressed data looks random) behind a format's header. */
    private long binary(String path, long size, byte[] header, SplittableRandom r, boolean duplicable)
            throws IOException {
        if (!claim(path)) {
            return 0;
        }
        long total = Math.max(size, header.length);
        try (OutputStream out = open(path)) {
            out.write(header);
            TreeContent.randomBytes(out, total - header.length, r);
        }
        if (duplicable) {
            copyable.add(path);
        }
        return finish(path, total);
    }

    /** A PDF-like file: a fifth uncompressed text objects, the rest compressed (random) streams. */
    private long pdf(String path, long size, SplittableRandom r) throws IOException {
        claim(path);
        long total = 0;
        try (OutputStream out = open(path)) {
            byte[] head = "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n".getBytes(StandardCharsets.ISO_8859_1);
            out.write(head);
            total += head.length;
            int object = 1;
            while (total < size) {
                boolean text = r.nextInt(5) == 0;
                long length = Math.min(size - total, 2_000 + r.nextInt(200_000));
                String open = object++ + " 0 obj\n<< /Length " + length + (text ? "" : " /Filter /FlateDecode")
                        + " >>\nstream\n";
                String close = "\nendstream\nendobj\n";
                out.write(open.getBytes(StandardCharsets.US_ASCII));
                if (text) {
                    StringBuilder sb = new StringBuilder((int) length + 200);
                    while (sb.length() < length) {
                        sb.append("BT /F1 11 Tf 72 ")
                                .append(r.nextInt(720))
                                .append(" Td (")
                                .append(words.sentence(r))
                                .append(") Tj ET\n");
                    }
                    sb.setLength((int) length);
                    out.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                } else {
                    TreeContent.randomBytes(out, length, r);
                }
                out.write(close.getBytes(StandardCharsets.US_ASCII));
                total += open.length() + length + close.length();
            }
            byte[] tail = "trailer\n<< /Root 1 0 R >>\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);
            out.write(tail);
            total += tail.length;
        }
        return finish(path, total);
    }

    // ---------------------------------------------------------------- duplicates

    /** Copies existing files (a legacy theme, shared images): the same content under another path. */
    private void duplicates(long budget) throws IOException {
        long used = 0;
        int attempts = 0;
        while (used < budget && attempts++ < 100_000 && !copyable.isEmpty()) {
            String original = copyable.get(random.nextInt(copyable.size()));
            String copy = (original.startsWith("images/") ? "themes/classic/" : "assets/legacy/") + original;
            if (!claim(copy)) {
                continue;
            }
            Path target = root.resolve(copy);
            Files.createDirectories(target.getParent());
            Files.copy(root.resolve(original), target);
            used += finish(copy, Files.size(target));
        }
    }

    // ---------------------------------------------------------------- files and names

    private boolean claim(String path) {
        return written.add(path);
    }

    private OutputStream open(String path) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        return new BufferedOutputStream(Files.newOutputStream(file), CHUNK_BYTES);
    }

    private long write(String path, CharSequence text) throws IOException {
        if (!claim(path)) {
            return 0;
        }
        byte[] content = text.toString().getBytes(StandardCharsets.UTF_8);
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        return finish(path, content.length);
    }

    /** Counts a written file and gives it a modification time fixed by its order. */
    private long finish(String path, long size) throws IOException {
        Files.setLastModifiedTime(root.resolve(path), FileTime.from(BASE_MTIME.plusSeconds(60L * files)));
        files++;
        bytes += size;
        return size;
    }

    private String slug(SplittableRandom r) {
        return words.word(r) + "-" + words.word(r) + "-" + Integer.toString(r.nextInt(1 << 20), 36);
    }

    private String section(SplittableRandom r, int count) {
        return words.rank(r.nextInt(count) + 40);
    }

    private String camel(SplittableRandom r) {
        return words.word(r) + TreeContent.capitalize(words.word(r));
    }
}
