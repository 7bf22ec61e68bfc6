package org.xenoservice.peer.server;

import java.util.Locale;

/** Reads {@code Accept-Encoding} (RFC 9110 §12.5.3) for the one question the serving port asks. */
final class ContentCoding {
    private ContentCoding() {}

    /**
     * Whether a gzip-encoded response is acceptable: {@code gzip} (or {@code x-gzip}) listed with a
     * non-zero weight, or not listed while {@code *} has a non-zero weight. An absent header is
     * treated as identity only: RFC 9110 allows any coding then, but tools such as a bare
     * {@code curl} send no header and do not decode.
     *
     * @param header the header's value, or null when the request has none
     */
    static boolean acceptsGzip(String header) {
        if (header == null) {
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
            double weight = weight(parts);
            if (coding.equals("gzip") || coding.equals("x-gzip")) {
                gzip = Math.max(gzip, weight);
            } else if (coding.equals("*")) {
                any = Math.max(any, weight);
            }
        }
        return gzip >= 0 ? gzip > 0 : any > 0;
    }

    /** The {@code q} parameter, 1 when absent; 0 when malformed, so that a garbled weight never opts in. */
    private static double weight(String[] parts) {
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
}
