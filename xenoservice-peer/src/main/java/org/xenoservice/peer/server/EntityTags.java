package org.xenoservice.peer.server;

/** Entity-tag lists as {@code If-None-Match} and {@code If-Range} carry them (RFC 9110 §8.8.3, §13.1.2). */
final class EntityTags {
    private EntityTags() {}

    /**
     * Whether an {@code If-None-Match} value matches {@code tag} by weak comparison: {@code *}, or
     * a listed entity-tag whose opaque part equals {@code tag}'s, with or without {@code W/}.
     *
     * @param header the header's value
     * @param tag a strong entity-tag, quotes included
     */
    static boolean weakMatch(String header, String tag) {
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
                if (header.regionMatches(start, tag, 0, tag.length()) && end + 1 - start == tag.length()) {
                    return true;
                }
                i = end + 1;
            }
        }
        return false;
    }

    /** Whether {@code value} is one strong entity-tag equal to {@code tag} (strong comparison). */
    static boolean strongMatch(String value, String tag) {
        return value.trim().equals(tag);
    }

    /** Whether an {@code If-Range} value is an entity-tag rather than a date. */
    static boolean isEntityTag(String value) {
        String trimmed = value.trim();
        return trimmed.startsWith("\"") || trimmed.startsWith("W/");
    }
}
