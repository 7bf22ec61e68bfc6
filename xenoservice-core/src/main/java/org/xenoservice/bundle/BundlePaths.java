package org.xenoservice.bundle;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The rules for URL paths in a manifest. A path starts with {@code /}, has no empty, {@code .}
 * or {@code ..} segment, no backslash, no NUL or other control character, no unpaired surrogate,
 * and is at most {@value #MAX_PATH_BYTES} bytes of UTF-8. File paths do not end with {@code /};
 * dynamic prefixes may.
 */
final class BundlePaths {
    static final int MAX_PATH_BYTES = 1024;

    private BundlePaths() {}

    /** Why {@code path} is not a valid file path, or empty when it is. */
    static Optional<String> fileProblem(String path) {
        Optional<String> problem = prefixProblem(path);
        if (problem.isPresent()) {
            return problem;
        }
        if (path.endsWith("/")) {
            return Optional.of("ends with '/' (a file path names a file; '/dir/' is served from '/dir/index.html')");
        }
        return Optional.empty();
    }

    /** Why {@code prefix} is not a valid dynamic route prefix, or empty when it is. */
    static Optional<String> prefixProblem(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return Optional.of("does not start with '/'");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) {
                return Optional.of("contains a NUL character");
            }
            if (c == '\\') {
                return Optional.of("contains a backslash");
            }
            if (c < 0x20 || c == 0x7f) {
                return Optional.of("contains control character U+" + String.format("%04X", (int) c));
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= path.length() || !Character.isLowSurrogate(path.charAt(i + 1))) {
                    return Optional.of("contains an unpaired surrogate");
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return Optional.of("contains an unpaired surrogate");
            }
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            return Optional.of("is longer than " + MAX_PATH_BYTES + " bytes of UTF-8");
        }
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.isEmpty() && !last) {
                return Optional.of("contains '//' (an empty segment)");
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("contains a '" + segment + "' segment");
            }
        }
        return Optional.empty();
    }
}
