package org.xenoservice.peer.server;

import java.util.Locale;

/**
 * What a {@code Range} header (RFC 9110 §14.2) asks of a representation of a given length.
 * Only a single {@code bytes} range is honoured; several ranges would need a
 * {@code multipart/byteranges} body, which clients seldom ask for and attackers like (many
 * small overlapping ranges), so such a request is answered whole, as the RFC allows.
 *
 * @param kind what to do
 * @param start the first byte, for {@link Kind#SATISFIABLE}
 * @param length the number of bytes, for {@link Kind#SATISFIABLE}
 */
record ByteRange(Kind kind, long start, long length) {
    /** How to answer. */
    enum Kind {
        /** Ignore the header and send the whole representation (malformed, other unit, several ranges). */
        IGNORE,
        /** Send {@code 206} with the range. */
        SATISFIABLE,
        /** Send {@code 416}. */
        UNSATISFIABLE
    }

    /** No range: send the whole representation. */
    static final ByteRange NONE = new ByteRange(Kind.IGNORE, 0, 0);

    private static final ByteRange UNSATISFIABLE = new ByteRange(Kind.UNSATISFIABLE, 0, 0);

    /** The last byte, inclusive. */
    long end() {
        return start + length - 1;
    }

    /** Reads a {@code Range} value for a representation of {@code size} bytes. */
    static ByteRange parse(String header, long size) {
        String value = header.trim();
        int equals = value.indexOf('=');
        if (equals < 0
                || !value.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return NONE;
        }
        String spec = value.substring(equals + 1).trim();
        if (spec.indexOf(',') >= 0) {
            return NONE;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return NONE;
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        if (first.isEmpty()) {
            long suffix = number(last);
            if (suffix < 0) {
                return NONE;
            }
            if (suffix == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            long length = Math.min(suffix, size);
            return new ByteRange(Kind.SATISFIABLE, size - length, length);
        }
        long from = number(first);
        if (from < 0) {
            return NONE;
        }
        long to;
        if (last.isEmpty()) {
            to = Long.MAX_VALUE;
        } else {
            to = number(last);
            if (to < 0 || to < from) {
                return NONE;
            }
        }
        if (from >= size) {
            return UNSATISFIABLE;
        }
        long end = Math.min(to, size - 1);
        return new ByteRange(Kind.SATISFIABLE, from, end - from + 1);
    }

    /** A non-negative decimal, {@link Long#MAX_VALUE} when it overflows, -1 when not digits. */
    private static long number(String digits) {
        if (digits.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
