package org.xenoservice.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Writes {@link MixedTree}'s already-compressed files: photos, thumbnails, fonts, archives and
 * video as random bytes behind their format's header, and a PDF-like file mixing text objects with
 * compressed streams. It exists to keep the binary formats apart from the text generators.
 */
final class BinaryFiles {
    private final TreeWords words;
    private final TreeFiles files;

    BinaryFiles(TreeWords words, TreeFiles files) {
        this.words = words;
        this.files = files;
    }

    /** A JPEG, PNG or WebP photo in one of 40 albums under {@code images/}. */
    long photo(long target, SplittableRandom r) throws IOException {
        String album = words.section(r, 40);
        String name = words.slug(r);
        return switch (r.nextInt(5)) {
            case 0, 1, 2 -> binary("images/" + album + "/" + name + ".jpg", target, TreeContent.jpegHeader(), r, true);
            case 3 -> binary("images/" + album + "/" + name + ".png", target, TreeContent.pngHeader(), r, true);
            default ->
                binary("images/" + album + "/" + name + ".webp", target, TreeContent.webpHeader(target), r, true);
        };
    }

    /** A WebP thumbnail beside a year's blog posts or in an album's {@code thumbs/} folder. */
    long thumbnail(long target, SplittableRandom r) throws IOException {
        String path = (r.nextInt(3) == 0
                        ? "blog/" + (2012 + r.nextInt(13)) + "/img/"
                        : "images/" + words.section(r, 40) + "/thumbs/")
                + words.slug(r) + ".webp";
        return binary(path, target, TreeContent.webpHeader(target), r, true);
    }

    /** A WOFF2 font under {@code assets/fonts/}, named by weight and style. */
    long font(long target, SplittableRandom r) throws IOException {
        String path = "assets/fonts/" + words.word(r) + "-" + (100 * (1 + r.nextInt(9)))
                + (r.nextBoolean() ? "-italic" : "") + ".woff2";
        return binary(path, target, new byte[] {'w', 'O', 'F', '2', 0, 1, 0, 0}, r, true);
    }

    /** Random bytes behind a header, not offered to the duplicates. */
    long binary(String path, long size, byte[] header, SplittableRandom r) throws IOException {
        return binary(path, size, header, r, false);
    }

    /** Random bytes (compressed data looks random) behind a format's header. */
    private long binary(String path, long size, byte[] header, SplittableRandom r, boolean duplicable)
            throws IOException {
        if (!files.claim(path)) {
            return 0;
        }
        long total = Math.max(size, header.length);
        try (OutputStream out = files.open(path)) {
            out.write(header);
            TreeContent.randomBytes(out, total - header.length, r);
        }
        if (duplicable) {
            files.markCopyable(path);
        }
        return files.finish(path, total);
    }

    /** A PDF-like file: a fifth uncompressed text objects, the rest compressed (random) streams. */
    long pdf(String path, long size, SplittableRandom r) throws IOException {
        files.claim(path);
        long total = 0;
        try (OutputStream out = files.open(path)) {
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
                    textStream(out, length, r);
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
        return files.finish(path, total);
    }

    /** Exactly {@code length} bytes of PDF text-showing operators. */
    private void textStream(OutputStream out, long length, SplittableRandom r) throws IOException {
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
    }
}
