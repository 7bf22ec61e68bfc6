package org.xenoservice.bundle;

/**
 * Reads the two request headers a bundle's file is served by, {@code Accept-Encoding} (RFC 9110
 * §12.5.3) and {@code If-None-Match} (§13.1.2): the one set of rules for a peer's serving port and
 * for the origin's static pages from memory, so that a client gets the same answer from either. Written for the hot path of
 * a flooded origin: one pass over the characters, no allocation, no regular expression.
 *
 * <p>Any value longer than {@value #MAX_HEADER_CHARS} characters is not read at all and counts as
 * absent: the identity representation and a full 200 are always correct answers, so a hostile
 * header can cost no more than a short one and gain nothing.
 *
 * <p>Stateless.
 */
public final class RepresentationHeaders {
    /** The longest header value read; longer ones count as absent. */
    public static final int MAX_HEADER_CHARS = 4096;

    private RepresentationHeaders() {}

    /**
     * Whether a gzip-encoded response is acceptable: {@code gzip} (or {@code x-gzip}) listed with a
     * non-zero weight, or not listed while {@code *} has a non-zero weight. An absent header means
     * identity only (RFC 9110 allows any coding then, but tools such as a bare {@code curl} send no
     * header and do not decode). A malformed weight counts as 0, so that garbage never opts in.
     *
     * @param header the header's value, or null when the request has none
     */
    public static boolean acceptsGzip(String header) {
        if (header == null || header.length() > MAX_HEADER_CHARS) {
            return false;
        }
        int gzip = -1;
        int any = -1;
        int n = header.length();
        int i = 0;
        while (i < n) {
            int end = i;
            while (end < n && header.charAt(end) != ',') {
                end++;
            }
            int codingStart = skipSpace(header, i, end);
            int codingEnd = codingStart;
            while (codingEnd < end && header.charAt(codingEnd) != ';') {
                codingEnd++;
            }
            int parameters = codingEnd;
            codingEnd = trimEnd(header, codingStart, codingEnd);
            if (codingEnd > codingStart) {
                int weight = weight(header, parameters, end);
                if (is(header, codingStart, codingEnd, "gzip") || is(header, codingStart, codingEnd, "x-gzip")) {
                    gzip = Math.max(gzip, weight);
                } else if (is(header, codingStart, codingEnd, "*")) {
                    any = Math.max(any, weight);
                }
            }
            i = end + 1;
        }
        return gzip >= 0 ? gzip > 0 : any > 0;
    }

    /**
     * Whether an {@code If-None-Match} value matches {@code tag} by weak comparison: {@code *}, or a
     * listed entity-tag whose opaque part equals {@code tag}'s, with or without {@code W/}. A list
     * that turns malformed stops matching there.
     *
     * @param header the header's value
     * @param tag a strong entity-tag, quotes included
     */
    public static boolean weakMatch(String header, String tag) {
        if (header.length() > MAX_HEADER_CHARS) {
            return false;
        }
        int i = 0;
        int n = header.length();
        while (i < n) {
            char c = header.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
            } else if (c == '*') {
                return true;
            } else {
                int start = header.startsWith("W/", i) ? i + 2 : i;
                if (start >= n || header.charAt(start) != '"') {
                    return false;
                }
                int end = header.indexOf('"', start + 1);
                if (end < 0) {
                    return false;
                }
                if (end + 1 - start == tag.length() && header.regionMatches(start, tag, 0, tag.length())) {
                    return true;
                }
                i = end + 1;
            }
        }
        return false;
    }

    /**
     * The {@code q} parameter among {@code header[from, to)} ({@code ;name=value} pairs), in
     * thousandths: 1000 when absent, 0 when malformed. The first {@code q} counts.
     */
    private static int weight(String header, int from, int to) {
        int i = from;
        while (i < to) {
            // here header[i] is ';'
            int end = i + 1;
            while (end < to && header.charAt(end) != ';') {
                end++;
            }
            int nameStart = skipSpace(header, i + 1, end);
            int equals = nameStart;
            while (equals < end && header.charAt(equals) != '=') {
                equals++;
            }
            if (equals > nameStart && equals < end) {
                int nameEnd = trimEnd(header, nameStart, equals);
                if (nameEnd - nameStart == 1 && (header.charAt(nameStart) | 0x20) == 'q') {
                    int valueStart = skipSpace(header, equals + 1, end);
                    return qvalue(header, valueStart, trimEnd(header, valueStart, end));
                }
            }
            i = end;
        }
        return 1000;
    }

    /** A qvalue ({@code 0}, {@code 0.5}, {@code 1.000}; at most three decimals) in thousandths; 0 when malformed. */
    private static int qvalue(String header, int from, int to) {
        if (from >= to) {
            return 0;
        }
        char whole = header.charAt(from);
        if (whole != '0' && whole != '1') {
            return 0;
        }
        int value = whole == '1' ? 1000 : 0;
        if (from + 1 == to) {
            return value;
        }
        if (header.charAt(from + 1) != '.' || to - (from + 2) > 3) {
            return 0;
        }
        int scale = 100;
        for (int i = from + 2; i < to; i++, scale /= 10) {
            char digit = header.charAt(i);
            if (digit < '0' || digit > '9' || (whole == '1' && digit != '0')) {
                return 0;
            }
            value += (digit - '0') * scale;
        }
        return value;
    }

    /** Whether {@code header[from, to)} is {@code token} (lower case), ASCII letters compared without case. */
    private static boolean is(String header, int from, int to, String token) {
        if (to - from != token.length()) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = header.charAt(from + i);
            if ((c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c) != token.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int skipSpace(String header, int from, int to) {
        int i = from;
        while (i < to && (header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int trimEnd(String header, int from, int to) {
        int i = to;
        while (i > from && (header.charAt(i - 1) == ' ' || header.charAt(i - 1) == '\t')) {
            i--;
        }
        return i;
    }
}
