package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Fuzzes {@link RepresentationHeaders}, the origin's reader of the {@code Accept-Encoding} and
 * {@code If-None-Match} any client may send: it never throws, and it decides as the peer's serving
 * port does ({@code ContentCoding} and {@code EntityTags} in xenoservice-peer, restated here in
 * their own split-and-regex form) for every value HTTP can carry to it, so that a client gets the same representation from the origin
 * as from a replica. The input is two lines: the {@code Accept-Encoding} and the
 * {@code If-None-Match}. In a normal build this runs the empty input; run with
 * {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class RepresentationHeadersFuzzTest {
    private static final String TAG = "\"" + "ab".repeat(32) + "\"";

    @FuzzTest(maxDuration = "20s")
    void readsHeadersAsThePeerDoes(byte[] input) {
        String[] lines = Arrays.copyOf(new String(input, StandardCharsets.UTF_8).split("\n", 2), 2);
        String acceptEncoding = lines[0] == null ? "gzip" : lines[0];
        String ifNoneMatch = lines[1] == null ? TAG : lines[1];

        boolean gzip = RepresentationHeaders.acceptsGzip(acceptEncoding);
        boolean match = RepresentationHeaders.weakMatch(ifNoneMatch, TAG);
        if (asHttpCarriesIt(acceptEncoding)) {
            assertEquals(peerAcceptsGzip(acceptEncoding), gzip, () -> "Accept-Encoding: " + acceptEncoding);
        }
        if (asHttpCarriesIt(ifNoneMatch)) {
            boolean expected =
                    ifNoneMatch.length() <= RepresentationHeaders.MAX_HEADER_CHARS && peerWeakMatch(ifNoneMatch, TAG);
            assertEquals(expected, match, () -> "If-None-Match: " + ifNoneMatch);
        }
    }

    /**
     * Whether a value could reach the peer's rules: header bytes are ISO-8859-1, and the peer answers
     * 400 to a value with a control character other than tab before it reads it.
     */
    private static boolean asHttpCarriesIt(String value) {
        return value.chars().allMatch(c -> c <= 0xff && (c >= 0x20 || c == '\t') && c != 0x7f);
    }

    /** The peer's {@code ContentCoding.acceptsGzip}, with the origin's length limit. */
    private static boolean peerAcceptsGzip(String header) {
        if (header.length() > RepresentationHeaders.MAX_HEADER_CHARS) {
            return false;
        }
        double gzip = -1;
        double any = -1;
        for (String element : header.split(",", -1)) {
            String[] parts = element.split(";", -1);
            String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            if (coding.isEmpty()) {
                continue;
            }
            double weight = peerWeight(parts);
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = Math.max(gzip, weight);
            } else if (coding.equals("*")) {
                any = Math.max(any, weight);
            }
        }
        return gzip >= 0 ? gzip > 0 : any > 0;
    }

    private static double peerWeight(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("q")) {
                String value = parameter.substring(equals + 1).trim();
                if (!value.matches("(0(\\.\\d{0,3})?|1(\\.0{0,3})?)")) {
                    return 0;
                }
                return Double.parseDouble(value);
            }
        }
        return 1;
    }

    /** The peer's {@code EntityTags.weakMatch}. */
    private static boolean peerWeakMatch(String header, String tag) {
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
}
