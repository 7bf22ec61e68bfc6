package org.xenoservice.bundle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Writes seeded site trees for tests: the same seed always gives the same files, bytes and
 * modification times. Each method returns the published files as URL path to content.
 */
final class SiteTrees {
    /** Modification time of every generated file. */
    static final Instant MTIME = Instant.parse("2026-11-01T09:30:00Z");

    private static final String[] WORDS = {
        "antiquarian",
        "folio",
        "quarto",
        "binding",
        "vellum",
        "provenance",
        "first",
        "edition",
        "foxing",
        "octavo",
        "marbled",
        "endpapers",
        "gilt"
    };

    private SiteTrees() {}

    /**
     * A small bookshop site: nested folders, html/css/js that compress well, binary files that do
     * not, an empty file, unicode names, duplicated content, a large text and a large binary file,
     * a {@code .well-known} file (published) and a {@code .git} folder (not published).
     */
    static Map<String, byte[]> bookshop(Path root, long seed) throws IOException {
        Random random = new Random(seed);
        Map<String, byte[]> files = new TreeMap<>();
        put(root, files, "/index.html", html(random, "Welcome", 120));
        put(root, files, "/css/shop.css", css(random, 80));
        put(root, files, "/css/copy-of-shop.css", files.get("/css/shop.css"));
        put(root, files, "/js/app.js", js(random, 60));
        put(root, files, "/js/vendor/big.js", js(random, 12_000));
        put(root, files, "/images/logo.png", png(random, 3_000));
        put(root, files, "/images/cover.jpg", bytes(random, 20_000));
        put(root, files, "/downloads/catalogue.bin", bytes(random, 200_000));
        put(root, files, "/empty.txt", new byte[0]);
        put(root, files, "/robots.txt", "ok\n".getBytes(StandardCharsets.UTF_8));
        put(root, files, "/café/naïve ☕.html", html(random, "Café naïf", 40));
        put(root, files, "/中文/索引.html", html(random, "古書店", 40));
        put(root, files, "/日本語/ファイル.txt", "本".getBytes(StandardCharsets.UTF_8));
        put(root, files, "/deep/a/b/c/d/e/f/leaf.json", "{\"leaf\":true}".getBytes(StandardCharsets.UTF_8));
        put(
                root,
                files,
                "/.well-known/security.txt",
                "Contact: mailto:owner@books.example\n".getBytes(StandardCharsets.UTF_8));
        write(root, "/.git/config", "[core]\n".getBytes(StandardCharsets.UTF_8));
        write(root, "/.env", "SECRET=1\n".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** {@code count} small files of distinct content in a two-level tree of folders. */
    static Map<String, byte[]> manySmallFiles(Path root, int count, long seed) throws IOException {
        Random random = new Random(seed);
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String path = String.format(
                    "/d%02d/e%02d/file-%05d.%s", i % 37, i % 11, i, i % 3 == 0 ? "html" : i % 3 == 1 ? "txt" : "bin");
            byte[] content = i % 3 == 2
                    ? bytes(random, 16 + random.nextInt(200))
                    : (path + " " + sentence(random, 5 + random.nextInt(60))).getBytes(StandardCharsets.UTF_8);
            put(root, files, path, content);
        }
        return files;
    }

    /** Writes one published file and records it. */
    static void put(Path root, Map<String, byte[]> files, String urlPath, byte[] content) throws IOException {
        write(root, urlPath, content);
        files.put(urlPath, content);
    }

    /** Writes a file under {@code root} at a URL path, with the fixed modification time. */
    static Path write(Path root, String urlPath, byte[] content) throws IOException {
        Path file = root.resolve(urlPath.substring(1));
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        Files.setLastModifiedTime(file, FileTime.from(MTIME));
        return file;
    }

    static byte[] bytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] png(Random random, int length) {
        byte[] bytes = bytes(random, length);
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(signature, 0, bytes, 0, signature.length);
        return bytes;
    }

    private static byte[] html(Random random, String title, int paragraphs) {
        StringBuilder html = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>" + title + "</title><link rel=\"stylesheet\" href=\"/css/shop.css\"></head>\n<body>\n");
        for (int i = 0; i < paragraphs; i++) {
            html.append("  <p class=\"book\">").append(sentence(random, 12)).append("</p>\n");
        }
        return html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] css(Random random, int rules) {
        StringBuilder css = new StringBuilder();
        for (int i = 0; i < rules; i++) {
            css.append(".book-")
                    .append(i)
                    .append(" { margin: 0 auto; color: #")
                    .append(Integer.toHexString(0x100000 + random.nextInt(0xefffff)))
                    .append("; font-family: Georgia, serif; }\n");
        }
        return css.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] js(Random random, int functions) {
        StringBuilder js = new StringBuilder("'use strict';\n");
        for (int i = 0; i < functions; i++) {
            js.append("function show")
                    .append(i)
                    .append("(el) { el.textContent = '")
                    .append(WORDS[random.nextInt(WORDS.length)])
                    .append("'; return el; }\n");
        }
        return js.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String sentence(Random random, int words) {
        StringBuilder sentence = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sentence.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sentence.toString();
    }
}
