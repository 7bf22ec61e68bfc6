package org.xenoservice.benchmarks;

import java.io.IOException;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes {@link MixedTree}'s JSON: product lists (API answers, pretty or compact) and translation
 * files. It exists to keep the JSON syntax in one place, apart from the tree's mix.
 */
final class JsonFiles {
    private static final String[] LANGUAGES = {"en", "de", "fr", "es", "it", "nl", "pt", "sv"};

    /** How a JSON file is laid out: pretty (indented, one member a line) or compact. */
    private record Layout(boolean pretty, String newline, String indent, String space) {
        static Layout of(boolean pretty) {
            return pretty ? new Layout(true, "\n", "    ", " ") : new Layout(false, "", "", "");
        }
    }

    private final TreeWords words;
    private final TreeFiles files;

    JsonFiles(TreeWords words, TreeFiles files) {
        this.words = words;
        this.files = files;
    }

    /** An array of products under {@code data/products/} or {@code api/v1/}. */
    long products(long target, SplittableRandom r) throws IOException {
        String path =
                (r.nextBoolean() ? "data/products/" : "api/v1/" + words.section(r, 6) + "/") + words.slug(r) + ".json";
        Layout layout = Layout.of(r.nextBoolean());
        String nl = layout.newline();
        StringBuilder sb = new StringBuilder((int) target + 1024);
        sb.append('[').append(nl);
        boolean first = true;
        while (sb.length() < target) {
            if (!first) {
                sb.append(',').append(nl);
            }
            first = false;
            product(sb, r, layout);
        }
        sb.append(nl).append("]\n");
        return files.write(path, sb);
    }

    /** Translations of word keys into sentences, under {@code data/i18n/<language>/}. */
    long translations(long target, SplittableRandom r) throws IOException {
        String path = "data/i18n/" + LANGUAGES[r.nextInt(LANGUAGES.length)] + "/" + words.slug(r) + ".json";
        StringBuilder sb = new StringBuilder((int) target + 256).append("{\n");
        while (sb.length() < target) {
            sb.append("  \"")
                    .append(words.word(r))
                    .append('.')
                    .append(words.camel(r))
                    .append("\": \"")
                    .append(words.sentence(r))
                    .append("\",\n");
        }
        sb.append("  \"_version\": ").append(r.nextInt(100)).append("\n}\n");
        return files.write(path, sb);
    }

    /** One product object: id, SKU, name, price, tags, stock and description. */
    private void product(StringBuilder sb, SplittableRandom r, Layout layout) {
        String nl = layout.newline();
        String in = layout.indent();
        String sp = layout.space();
        sb.append(layout.pretty() ? "  {" : "{")
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
                .append(layout.pretty() ? "  }" : "}");
    }
}
