package org.xenoservice.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A request a peer accepted under the {@code capture} policy, as it will be forwarded to the
 * origin's intake ({@link CaptureDelivery}): what the origin needs to apply it once, and nothing
 * else. The peer journals and sends it; the origin's intake rebuilds it and hands it to the
 * application. Immutable: the headers are copied, the body is copied in and {@link #body()}
 * returns a copy.
 *
 * <p>Every field is checked against the limits below so that any captured request fits in one
 * journal record; a request over a limit is refused with a message that names the field, the
 * limit and the value. {@link #toString()} names the headers but prints no header value and no
 * body, as they may carry credentials or personal data.
 *
 * @param idempotencyKey the key the origin uses to apply the request at most once: 1 to
 *     {@value #MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters, no space
 * @param site the site the request was for, 1 to {@value #MAX_SITE_CHARS} printable ASCII
 *     characters, no space
 * @param method the HTTP method, 1 to {@value #MAX_METHOD_CHARS} token characters, e.g. {@code POST}
 * @param path the request target, starting with {@code /}, at most {@value #MAX_PATH_CHARS}
 *     characters, no control character; it may carry a query string
 * @param headers the headers that matter to the origin, in order, at most
 *     {@value #MAX_HEADERS} of them and {@value #MAX_HEADER_CHARS} characters in all
 * @param body the request body, at most {@value #MAX_BODY_BYTES} bytes
 * @param capturedAt when the peer accepted the request
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode below compare the body's bytes
public record CapturedRequest(
        String idempotencyKey,
        String site,
        String method,
        String path,
        List<Header> headers,
        byte[] body,
        Instant capturedAt) {

    /** Longest idempotency key, in characters. */
    public static final int MAX_IDEMPOTENCY_KEY_CHARS = 128;
    /** Longest site name, in characters. */
    public static final int MAX_SITE_CHARS = 253;
    /** Longest method, in characters. */
    public static final int MAX_METHOD_CHARS = 32;
    /** Longest path (with its query string), in characters. */
    public static final int MAX_PATH_CHARS = 8192;
    /** Most headers. */
    public static final int MAX_HEADERS = 100;
    /** Most characters of header names and values together. */
    public static final int MAX_HEADER_CHARS = 32 * 1024;
    /** Largest body: 1 MiB. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    /**
     * One request header.
     *
     * @param name the header name, 1 or more token characters
     * @param value the header value, no CR, LF or NUL
     */
    public record Header(String name, String value) {
        /** Checks the name is a token and the value a single line. */
        public Header {
            Objects.requireNonNull(name, "header name");
            Objects.requireNonNull(value, "header value");
            if (name.isEmpty() || !name.chars().allMatch(CapturedRequest::isTokenChar)) {
                throw new IllegalArgumentException(
                        "header name must be 1 or more token characters (letters, digits, !#$%&'*+-.^_`|~), but was \""
                                + printable(name) + "\"");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0) {
                    throw new IllegalArgumentException(
                            "value of header " + name + " must not contain CR, LF or NUL, but has one at index " + i);
                }
            }
        }

        @Override
        public String toString() {
            return name + ": <" + value.length() + " chars>";
        }
    }

    /** Checks every field against its limit and copies the headers and the body. */
    public CapturedRequest {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(capturedAt, "capturedAt");
        requireVisibleAscii("idempotencyKey", idempotencyKey, MAX_IDEMPOTENCY_KEY_CHARS);
        requireVisibleAscii("site", site, MAX_SITE_CHARS);
        if (method.isEmpty()
                || method.length() > MAX_METHOD_CHARS
                || !method.chars().allMatch(CapturedRequest::isTokenChar)) {
            throw new IllegalArgumentException("method must be 1 to " + MAX_METHOD_CHARS
                    + " token characters, e.g. POST, but was \"" + printable(method) + "\"");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /, but was \"" + printable(path) + "\"");
        }
        if (path.length() > MAX_PATH_CHARS) {
            throw new IllegalArgumentException(
                    "path must be at most " + MAX_PATH_CHARS + " characters, but has " + path.length());
        }
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                throw new IllegalArgumentException(
                        "path must not contain control characters, but has one at index " + i);
            }
        }
        headers = List.copyOf(headers);
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException("a captured request may keep at most " + MAX_HEADERS
                    + " headers, but has " + headers.size() + "; keep only the headers the origin needs");
        }
        long headerChars = 0;
        for (Header header : headers) {
            headerChars += header.name().length() + header.value().length();
        }
        if (headerChars > MAX_HEADER_CHARS) {
            throw new IllegalArgumentException("headers must have at most " + MAX_HEADER_CHARS
                    + " characters of names and values in all, but have " + headerChars
                    + "; keep only the headers the origin needs");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("body must be at most " + MAX_BODY_BYTES
                    + " bytes to be captured, but has " + body.length
                    + "; answer 413 or use the proxy policy for larger requests");
        }
        body = body.clone();
    }

    /** A copy of the request body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /**
     * The SHA-256 of what makes two requests with one idempotency key the same request: the
     * method, the path, the headers (names in lower case) and the body; not the key, the site or
     * the capture time. Whoever sends a key first owns it: a later request with that key and
     * another fingerprint is refused, on the peer and at the intake.
     */
    public byte[] fingerprint() {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        update(sha256, method);
        update(sha256, path);
        for (Header header : headers) {
            update(sha256, header.name().toLowerCase(Locale.ROOT));
            update(sha256, header.value());
        }
        sha256.update(ByteBuffer.allocate(4).putInt(body.length).array());
        sha256.update(body);
        return sha256.digest();
    }

    private static void update(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        digest.update(bytes);
    }

    /** The body's length in bytes, without copying it. */
    public int bodyLength() {
        return body.length;
    }

    /** Equal when every field is, the body compared by content. */
    @Override
    public boolean equals(Object other) {
        return other instanceof CapturedRequest that
                && idempotencyKey.equals(that.idempotencyKey)
                && site.equals(that.site)
                && method.equals(that.method)
                && path.equals(that.path)
                && headers.equals(that.headers)
                && Arrays.equals(body, that.body)
                && capturedAt.equals(that.capturedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(idempotencyKey, site, method, path, headers, Arrays.hashCode(body), capturedAt);
    }

    /** Names the request and its headers; prints no header value and no body. */
    @Override
    public String toString() {
        return "CapturedRequest[" + idempotencyKey + " " + method + " " + site + path + " headers="
                + headers.stream().map(Header::name).toList() + " body=" + body.length + " bytes at "
                + capturedAt + "]";
    }

    private static void requireVisibleAscii(String field, String value, int maxChars) {
        if (!isVisibleAscii(value, maxChars)) {
            throw new IllegalArgumentException(field + " must be 1 to " + maxChars
                    + " printable ASCII characters without spaces, but was \"" + printable(value) + "\"");
        }
    }

    /**
     * Whether {@code key} is a valid {@link #idempotencyKey()}: 1 to
     * {@value #MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters, no space.
     */
    public static boolean isIdempotencyKey(String key) {
        return isVisibleAscii(key, MAX_IDEMPOTENCY_KEY_CHARS);
    }

    private static boolean isVisibleAscii(String value, int maxChars) {
        return !value.isEmpty() && value.length() <= maxChars && value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** The value shortened and with control characters escaped, fit for an exception message. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(value.length(), 64);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("... (").append(value.length()).append(" chars)");
        }
        return out.toString();
    }
}
