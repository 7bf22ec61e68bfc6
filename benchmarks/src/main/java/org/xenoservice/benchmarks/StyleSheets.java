package org.xenoservice.benchmarks;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * Writes {@link MixedTree}'s CSS: rules of word-made class names, some under media queries or
 * pseudo-classes, with declarations from {@link TreeContent#CSS_PROPERTIES}. It exists to keep the
 * CSS syntax in one place, apart from the tree's mix.
 */
final class StyleSheets {
    private final TreeWords words;
    private final TreeFiles files;

    StyleSheets(TreeWords words, TreeFiles files) {
        this.words = words;
        this.files = files;
    }

    /** A component style sheet under {@code assets/css/components/}. */
    long component(long target, SplittableRandom r) throws IOException {
        return styleSheet("assets/css/components/" + words.slug(r) + ".css", target, r);
    }

    /** A style sheet of about {@code target} bytes; duplicates may copy it. */
    long styleSheet(String path, long target, SplittableRandom r) throws IOException {
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
        files.markCopyable(path);
        return files.write(path, sb);
    }
}
