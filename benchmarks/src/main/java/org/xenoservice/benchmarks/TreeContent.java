package org.xenoservice.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The bytes of {@link MixedTree}'s generated files that need no tree state: CSS values, SVG paths,
 * random (compressed-looking) bodies and the headers of binary formats. Stateless.
 */
final class TreeContent {
    private static final int CHUNK_BYTES = 1 << 20;

    private TreeContent() {}

    static final String[] CSS_PROPERTIES = {
        "color",
        "background-color",
        "margin",
        "padding",
        "font-size",
        "line-height",
        "display",
        "border",
        "border-radius",
        "width",
        "max-width",
        "gap",
        "font-weight",
        "text-align",
        "box-shadow",
        "transition",
        "grid-template-columns",
        "opacity"
    };

    static String cssValue(String property, SplittableRandom r) {
        return switch (property) {
            case "color", "background-color" -> String.format(Locale.ROOT, "#%06x", r.nextInt(1 << 24));
            case "display" -> new String[] {"block", "flex", "grid", "none", "inline-block"}[r.nextInt(5)];
            case "text-align" -> new String[] {"left", "center", "right"}[r.nextInt(3)];
            case "opacity" -> "0." + r.nextInt(10);
            case "border" -> "1px solid #" + String.format(Locale.ROOT, "%03x", r.nextInt(4096));
            case "transition" -> "all " + (50 * (1 + r.nextInt(8))) + "ms ease-in-out";
            case "grid-template-columns" -> "repeat(" + (1 + r.nextInt(6)) + ", 1fr)";
            case "box-shadow" ->
                "0 " + r.nextInt(8) + "px " + r.nextInt(24) + "px rgba(0, 0, 0, 0." + r.nextInt(10) + ")";
            default -> (r.nextInt(4) == 0 ? (r.nextInt(40) / 10.0 + "rem") : (r.nextInt(64) + "px"));
        };
    }

    static void svgPath(StringBuilder sb, SplittableRandom r, int scale, String fill) {
        sb.append("  <path fill=\"")
                .append(fill)
                .append("\" d=\"M")
                .append(coordinate(r, scale))
                .append(' ')
                .append(coordinate(r, scale));
        for (int i = 0, n = 4 + r.nextInt(20); i < n; i++) {
            sb.append(r.nextBoolean() ? 'L' : 'C');
            sb.append(coordinate(r, scale)).append(' ').append(coordinate(r, scale));
        }
        sb.append("Z\"/>\n");
    }

    static String coordinate(SplittableRandom r, int scale) {
        return String.format(Locale.ROOT, "%.2f", r.nextDouble() * scale);
    }

    static void randomBytes(OutputStream out, long count, SplittableRandom r) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, Math.max(count, 1))];
        for (long left = count; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            r.nextBytes(chunk);
            out.write(chunk, 0, n);
            left -= n;
        }
    }

    static byte[] jpegHeader() {
        return new byte[] {
            (byte) 0xFF,
            (byte) 0xD8,
            (byte) 0xFF,
            (byte) 0xE0,
            0,
            16,
            'J',
            'F',
            'I',
            'F',
            0,
            1,
            1,
            0,
            0,
            72,
            0,
            72,
            0,
            0
        };
    }

    static byte[] pngHeader() {
        return new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    }

    static byte[] webpHeader(long size) {
        int length = (int) Math.min(Integer.MAX_VALUE, Math.max(0, size - 8));
        return new byte[] {
            'R',
            'I',
            'F',
            'F',
            (byte) length,
            (byte) (length >> 8),
            (byte) (length >> 16),
            (byte) (length >> 24),
            'W',
            'E',
            'B',
            'P',
            'V',
            'P',
            '8',
            ' '
        };
    }

    static byte[] mp4Header() {
        return new byte[] {
            0, 0, 0, 0x20, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'i', 's', 'o', '2',
            'a', 'v', 'c', '1', 'm', 'p', '4', '1', 0, 0, 0, 0, 'm', 'd', 'a', 't'
        };
    }

    static long logUniform(SplittableRandom r, long min, long max) {
        double lo = Math.log((double) min);
        double hi = Math.log((double) max);
        return Math.round(Math.exp(lo + r.nextDouble() * (hi - lo)));
    }

    static String shortName(SplittableRandom r) {
        char first = (char) ((r.nextBoolean() ? 'a' : 'A') + r.nextInt(26));
        return r.nextBoolean() ? String.valueOf(first) : first + String.valueOf((char) ('a' + r.nextInt(26)));
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
