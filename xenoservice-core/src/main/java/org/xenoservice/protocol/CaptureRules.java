package org.xenoservice.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one rule for what a captured request may be, which a peer applies when it takes a request
 * and the origin's intake applies when it is delivered, so that whatever a peer journals the intake
 * accepts. A request that breaks it is refused with {@code 400} at once, never journalled: a
 * journalled request that could never be delivered would hold up every later one.
 *
 * <p>The request target (path and query) must be printable ASCII without spaces. In the path,
 * percent-escapes of unreserved characters ({@code A-Z a-z 0-9 - . _ ~}) are decoded
 * ({@code /%6frder} becomes {@code /order}) and the others' hex digits upper-cased; refused are
 * path parameters ({@code ;}), a backslash or {@code #}, a bad escape, an escaped {@code /},
 * {@code \}, {@code ;} or control character, bytes that are not UTF-8 once decoded, and {@code .}
 * or {@code ..} segments. The query is kept as sent. A header value must be printable ASCII,
 * spaces and tabs; it is trimmed. {@link #normalizeTarget} is idempotent: a normalized target
 * normalizes to itself. Stateless; safe for concurrent use.
 */
public final class CaptureRules {
    private static final String UNRESERVED_MARKS = "-._~";

    private CaptureRules() {}

    /**
     * The request target in its normal form.
     *
     * @throws IllegalArgumentException naming what is wrong when the target cannot be captured
     */
    public static String normalizeTarget(String target) {
        if (target.isEmpty() || target.charAt(0) != '/') {
            throw new IllegalArgumentException("the request target must start with /");
        }
        if (target.length() > CapturedRequest.MAX_PATH_CHARS) {
            throw new IllegalArgumentException("the request target must be at most " + CapturedRequest.MAX_PATH_CHARS
                    + " characters, but has " + target.length());
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("the request target must be printable ASCII without spaces"
                        + " (percent-encode anything else), but has character " + String.format("U+%04X", (int) c)
                        + " at index " + i);
            }
        }
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        StringBuilder normal = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == ';') {
                throw new IllegalArgumentException(
                        "path parameters (;) are not captured; post to the path without them");
            }
            if (c == '\\' || c == '#') {
                throw new IllegalArgumentException("the path must not contain " + c);
            }
            if (c != '%') {
                normal.append(c);
                continue;
            }
            int value = escape(path, i);
            if (value < 0x20 || value == 0x7f || value == '/' || value == '\\' || value == ';') {
                throw new IllegalArgumentException("the path must not escape a control character, /, \\ or ;, but has "
                        + path.substring(i, i + 3));
            }
            if (isUnreserved(value)) {
                normal.append((char) value);
            } else {
                normal.append(path.substring(i, i + 3).toUpperCase(Locale.ROOT));
            }
            i += 2;
        }
        String normalPath = normal.toString();
        decodedPath(normalPath);
        return query < 0 ? normalPath : normalPath + target.substring(query);
    }

    /**
     * The path of a normalized target, before its query, percent-decoded as UTF-8: what a capture
     * route is decided on, on a peer and at the intake alike.
     *
     * @throws IllegalArgumentException if the path has a bad escape, is not UTF-8 once decoded, or
     *     has a {@code .} or {@code ..} segment
     */
    public static String decodedPath(String target) {
        int query = target.indexOf('?');
        String raw = query < 0 ? target : target.substring(0, query);
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 3);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                bytes.put((byte) escape(raw, i));
                i += 2;
            } else if (c < 0x80) {
                bytes.put((byte) c);
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        String path;
        try {
            path = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes.flip())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the path's escapes are not UTF-8", e);
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("the path must not have . or .. segments");
            }
        }
        return path;
    }

    /**
     * A header value as it is captured: trimmed of spaces and tabs.
     *
     * @throws IllegalArgumentException if it holds anything but printable ASCII, spaces and tabs
     */
    public static String headerValue(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                throw new IllegalArgumentException("the " + name + " header must be printable ASCII, but has character "
                        + String.format("U+%04X", (int) c) + " at index " + i);
            }
        }
        return value.strip();
    }

    /**
     * {@code request} with its target and header values in normal form.
     *
     * @throws IllegalArgumentException naming the field when the request cannot be captured
     */
    public static CapturedRequest normalize(CapturedRequest request) {
        List<CapturedRequest.Header> headers = new ArrayList<>(request.headers().size());
        for (CapturedRequest.Header header : request.headers()) {
            headers.add(new CapturedRequest.Header(header.name(), headerValue(header.name(), header.value())));
        }
        String target = normalizeTarget(request.path());
        if (target.equals(request.path()) && headers.equals(request.headers())) {
            return request;
        }
        return new CapturedRequest(
                request.idempotencyKey(),
                request.site(),
                request.method(),
                target,
                headers,
                request.body(),
                request.capturedAt());
    }

    /** The byte a {@code %HH} escape at {@code at} stands for, or throws if it is not one. */
    private static int escape(String path, int at) {
        if (at + 2 >= path.length()
                || Character.digit(path.charAt(at + 1), 16) < 0
                || Character.digit(path.charAt(at + 2), 16) < 0) {
            throw new IllegalArgumentException(
                    "the path has a bad percent-escape at index " + at + "; a % must be followed by two hex digits");
        }
        return Character.digit(path.charAt(at + 1), 16) * 16 + Character.digit(path.charAt(at + 2), 16);
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || UNRESERVED_MARKS.indexOf(c) >= 0;
    }
}
