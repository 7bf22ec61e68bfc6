package org.xenoservice.benchmarks;

import java.io.IOException;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes {@link MixedTree}'s SVG: small single-colour icons and larger coloured illustrations, both
 * of random paths. It exists to keep the SVG markup in one place, apart from the tree's mix.
 */
final class SvgFiles {
    private final TreeWords words;
    private final TreeFiles files;

    SvgFiles(TreeWords words, TreeFiles files) {
        this.words = words;
        this.files = files;
    }

    /** A 24 by 24 icon in {@code currentColor} under {@code assets/icons/}; duplicates may copy it. */
    long icon(long target, SplittableRandom r) throws IOException {
        String path = "assets/icons/" + words.slug(r) + ".svg";
        StringBuilder sb = new StringBuilder((int) target + 256)
                .append(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\" width=\"24\" height=\"24\">\n");
        while (sb.length() < target) {
            TreeContent.svgPath(sb, r, 24, "currentColor");
        }
        sb.append("</svg>\n");
        files.markCopyable(path);
        return files.write(path, sb);
    }

    /** An 800 by 600 illustration of coloured paths under {@code images/illustrations/}. */
    long illustration(long target, SplittableRandom r) throws IOException {
        String path = "images/illustrations/" + words.slug(r) + ".svg";
        StringBuilder sb = new StringBuilder((int) target + 256)
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 800 600\">\n<title>")
                .append(words.sentenceWords(r, 4))
                .append("</title>\n");
        while (sb.length() < target) {
            TreeContent.svgPath(sb, r, 800, String.format(Locale.ROOT, "#%06x", r.nextInt(1 << 24)));
        }
        sb.append("</svg>\n");
        return files.write(path, sb);
    }
}
