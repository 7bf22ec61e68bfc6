package org.xenoservice.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A small but realistic site tree for CLI tests: nested folders, text, binary, empty and Unicode names. */
final class SampleSite {
    private SampleSite() {}

    static Path write(Path root) throws IOException {
        Random random = new Random(42);
        byte[] cover = new byte[40_000];
        random.nextBytes(cover);
        StringBuilder page = new StringBuilder("<!doctype html><title>Books</title>\n");
        for (int i = 0; i < 300; i++) {
            page.append("<li>First edition, ").append(1700 + i).append(", fine condition</li>\n");
        }
        put(root, "index.html", page.toString().getBytes(StandardCharsets.UTF_8));
        put(root, "css/shop.css", "body { font-family: serif; }\n".repeat(50).getBytes(StandardCharsets.UTF_8));
        put(root, "books/covers/gulliver.jpg", cover);
        put(root, "books/empty.txt", new byte[0]);
        put(root, "livres/café ☕/naïve.html", "<p>Très rare</p>".getBytes(StandardCharsets.UTF_8));
        put(root, "古書/目録.html", "<p>古書目録</p>".getBytes(StandardCharsets.UTF_8));
        return root;
    }

    static void put(Path root, String relative, byte[] bytes) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    /** Every regular file under {@code root} by relative path, with the SHA-256 of its bytes. */
    static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> byPath = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                byPath.put(root.relativize(file).toString(), sha256(Files.readAllBytes(file)));
            }
        }
        return byPath;
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
