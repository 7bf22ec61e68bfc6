package org.xenoservice.peer.server;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The request target and {@code Host} header as the serving port reads them: which host a request
 * names, whether its decoded path may be looked up at all, and how a path is written back into a
 * {@code Location} header. Kept apart from {@link SiteHandler}, which decides what to answer, so
 * that these rules, which guard what may reach a site's files, can be read and tested alone.
 *
 * <p>Stateless.
 */
final class RequestTargets {
    private RequestTargets() {}

    /**
     * The host name of a {@code Host} value: lower case, without port or a trailing dot; empty
     * when the value is malformed.
     */
    static Optional<String> hostName(String header) {
        String value = header.trim();
        String name;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                return Optional.empty();
            }
            name = value.substring(0, close + 1);
            port = value.substring(close + 1);
        } else {
            int colon = value.indexOf(':');
            name = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? "" : value.substring(colon);
        }
        if (!port.isEmpty() && !isPortSuffix(port)) {
            return Optional.empty();
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.isEmpty() ? Optional.empty() : Optional.of(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The authority of a request target in absolute form ({@code http://b.example:8080/path}), the
     * empty string when it has none or carries user information, which HTTP forbids; a
     * {@link #hostName} of it names the host.
     */
    static String authority(String absoluteTarget) {
        int scheme = absoluteTarget.indexOf("://");
        if (scheme < 0) {
            return "";
        }
        int start = scheme + 3;
        int end = start;
        while (end < absoluteTarget.length() && "/?#".indexOf(absoluteTarget.charAt(end)) < 0) {
            end++;
        }
        String authority = absoluteTarget.substring(start, end);
        return authority.indexOf('@') >= 0 ? "" : authority;
    }

    /** Whether any of the header values holds a control character other than horizontal tab (RFC 9110 §5.5). */
    static boolean anyControlCharacter(Iterable<? extends Iterable<String>> headers) {
        for (Iterable<String> values : headers) {
            for (String value : values) {
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if ((c < 0x20 && c != '\t') || c == 0x7f) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code value} is {@code :} and at most five digits. A loop rather than a regular
     * expression: every request that names a port (any but 80 and 443) comes through here, and
     * {@code String.matches} compiles its pattern on each call.
     */
    private static boolean isPortSuffix(String value) {
        if (value.charAt(0) != ':' || value.length() > 6) {
            return false;
        }
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether a decoded request path may be looked up: absolute, with no {@code .} or {@code ..}
     * segment, no backslash, no NUL or other control character.
     */
    static boolean acceptablePath(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            char c = i < path.length() ? path.charAt(i) : '/';
            if (c < 0x20 || c == 0x7f || c == '\\') {
                return false;
            }
            if (c == '/') {
                int segmentLength = i - segmentStart;
                if ((segmentLength == 1 && path.charAt(segmentStart) == '.')
                        || (segmentLength == 2
                                && path.charAt(segmentStart) == '.'
                                && path.charAt(segmentStart + 1) == '.')) {
                    return false;
                }
                segmentStart = i + 1;
            }
        }
        return true;
    }

    /**
     * Where a folder asked for without its slash lives: the decoded {@code requestPath} with the
     * slash, percent-encoded, and the {@code query} if it is plain.
     */
    static String folderLocation(String requestPath, String query) {
        String location = encodePath(requestPath + "/");
        if (!query.isEmpty() && query.matches("[A-Za-z0-9\\-._~!$&'()*+,;=:@/?%]*")) {
            location += "?" + query;
        }
        return location;
    }

    /** Percent-encodes a decoded path for a {@code Location} header (RFC 3986 path characters kept). */
    static String encodePath(String path) {
        StringBuilder encoded = new StringBuilder(path.length() + 16);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0) {
                encoded.append((char) c);
            } else {
                encoded.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }
}
