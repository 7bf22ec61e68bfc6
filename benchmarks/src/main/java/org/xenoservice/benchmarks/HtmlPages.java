package org.xenoservice.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes {@link MixedTree}'s HTML: pages that share one navigation header and footer, made of
 * paragraphs, headings, lists, figures, code samples and quotes, and the sitemap listing them. It
 * exists to keep the HTML markup in one place, apart from the tree's mix.
 */
final class HtmlPages {
    private final TreeWords words;
    private final TreeFiles files;
    private final JavaScriptFiles javaScript;
    private final String nav;
    private final String footer;
    private final List<String> pages = new ArrayList<>();

    /** Draws the shared header and footer from {@code random}, in that order. */
    HtmlPages(TreeWords words, TreeFiles files, JavaScriptFiles javaScript, SplittableRandom random) {
        this.words = words;
        this.files = files;
        this.javaScript = javaScript;
        this.nav = navigation(random.split());
        this.footer = footer(random.split());
    }

    /** A blog post, documentation page or shop page with a random title, at a random path. */
    long article(long target, SplittableRandom r) throws IOException {
        String slug = words.slug(r);
        String title = TreeContent.capitalize(words.sentenceWords(r, 3 + r.nextInt(5)));
        String path;
        switch (r.nextInt(10)) {
            case 0, 1, 2, 3, 4 ->
                path = String.format(
                        Locale.ROOT, "blog/%d/%02d/%s.html", 2012 + r.nextInt(13), 1 + r.nextInt(12), slug);
            case 5, 6, 7 -> path = "docs/" + words.section(r, 9) + "/" + words.section(r, 6) + "/" + slug + ".html";
            default -> path = "shop/" + words.section(r, 12) + "/" + slug + ".html";
        }
        return page(path, title, target, r);
    }

    /** A page of about {@code target} bytes; the sitemap lists it. */
    long page(String path, String title, long target, SplittableRandom r) throws IOException {
        StringBuilder sb = new StringBuilder((int) target + 4096);
        head(sb, title, r);
        long bodyEnd = target - footer.length() - 30;
        while (sb.length() < bodyEnd) {
            block(sb, r);
        }
        sb.append("</article>\n</main>\n").append(footer).append("</body>\n</html>\n");
        pages.add(path);
        return files.write(path, sb);
    }

    /** Writes {@code sitemap.xml}, listing every page written so far. */
    void sitemap() throws IOException {
        StringBuilder sb = new StringBuilder("""
        <?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        """);
        for (String page : pages) {
            sb.append("  <url><loc>https://www.example.org/").append(page).append("</loc></url>\n");
        }
        files.write("sitemap.xml", sb.append("</urlset>\n"));
    }

    /** The document's head, the navigation and the article's title and byline. */
    private void head(StringBuilder sb, String title, SplittableRandom r) {
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
    }

    /** One block of the article, of a kind drawn by its share of a typical page. */
    private void block(StringBuilder sb, SplittableRandom r) {
        int kind = r.nextInt(100);
        if (kind < 58) {
            paragraph(sb, r);
        } else if (kind < 66) {
            heading(sb, r);
        } else if (kind < 76) {
            list(sb, r);
        } else if (kind < 84) {
            figure(sb, r);
        } else if (kind < 92) {
            codeSample(sb, r);
        } else {
            quote(sb, r);
        }
    }

    /** A paragraph of sentences, some of them after a link. */
    private void paragraph(StringBuilder sb, SplittableRandom r) {
        sb.append("<p>");
        int sentences = 2 + r.nextInt(6);
        for (int i = 0; i < sentences; i++) {
            if (r.nextInt(8) == 0) {
                sb.append("<a href=\"/")
                        .append(words.section(r, 9))
                        .append('/')
                        .append(words.slug(r))
                        .append(".html\">")
                        .append(words.sentenceWords(r, 2 + r.nextInt(3)))
                        .append("</a> ");
            }
            sb.append(words.sentence(r)).append(' ');
        }
        sb.setLength(sb.length() - 1);
        sb.append("</p>\n");
    }

    private void heading(StringBuilder sb, SplittableRandom r) {
        sb.append("<h2 id=\"")
                .append(words.slug(r))
                .append("\">")
                .append(TreeContent.capitalize(words.sentenceWords(r, 2 + r.nextInt(5))))
                .append("</h2>\n");
    }

    private void list(StringBuilder sb, SplittableRandom r) {
        sb.append("<ul class=\"list\">\n");
        for (int i = 0, n = 3 + r.nextInt(6); i < n; i++) {
            sb.append("  <li>").append(words.sentence(r)).append("</li>\n");
        }
        sb.append("</ul>\n");
    }

    /** An image (one that may not exist in the tree) with its caption. */
    private void figure(StringBuilder sb, SplittableRandom r) {
        String img = "/images/" + words.section(r, 40) + "/" + words.slug(r) + ".jpg";
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
    }

    /** A few lines of JavaScript in a {@code pre} block. */
    private void codeSample(StringBuilder sb, SplittableRandom r) {
        sb.append("<pre><code class=\"language-js\">");
        for (int i = 0, n = 2 + r.nextInt(8); i < n; i++) {
            javaScript.statement(sb, r, "");
        }
        sb.append("</code></pre>\n");
    }

    private void quote(StringBuilder sb, SplittableRandom r) {
        sb.append("<blockquote>\n  <p>")
                .append(words.sentence(r))
                .append(' ')
                .append(words.sentence(r))
                .append("</p>\n</blockquote>\n");
    }

    private String navigation(SplittableRandom r) {
        StringBuilder sb = new StringBuilder("<header class=\"site-header\">\n<nav class=\"main-nav\">\n<ul>\n");
        for (int i = 0; i < 24; i++) {
            String section = words.section(r, 9);
            sb.append("  <li class=\"nav-item\"><a href=\"/docs/")
                    .append(section)
                    .append("/\">")
                    .append(TreeContent.capitalize(section))
                    .append("</a></li>\n");
        }
        return sb.append("</ul>\n</nav>\n</header>\n").toString();
    }

    private String footer(SplittableRandom r) {
        StringBuilder sb = new StringBuilder("<footer class=\"site-footer\">\n<div class=\"columns\">\n");
        for (int i = 0; i < 4; i++) {
            sb.append("<section>\n<h3>")
                    .append(TreeContent.capitalize(words.word(r)))
                    .append("</h3>\n<ul>\n");
            for (int j = 0; j < 6; j++) {
                sb.append("  <li><a href=\"/")
                        .append(words.slug(r))
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
}
