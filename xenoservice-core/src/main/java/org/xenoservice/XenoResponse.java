package org.xenoservice;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * An answer XenoService gives in place of the application: to one of its own paths, or a static
 * file from memory ({@link XenoService#staticFromMemory}), for an adapter to send as it is: the
 * status, the headers, {@code Content-Type}, {@code Content-Length} from {@link #contentLength()},
 * and the body.
 *
 * @param status the HTTP status
 * @param contentType the body's media type
 * @param body the body; shared (a static page's body is the one array every request of it gets), so
 *     an adapter reads it and never writes to it
 * @param headers further response headers
 */
@SuppressWarnings(
        "ArrayRecordComponent") // the body is handed to the adapter as is, not copied; responses are not compared
public record XenoResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    /** The header {@link #contentLength()} reads. */
    static final String CONTENT_LENGTH = "Content-Length";

    /** Copies the headers. */
    public XenoResponse {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    /**
     * The {@code Content-Length} to send: the {@code Content-Length} header when the response carries
     * one, else the body's length. Static pages' answers to {@code HEAD}, and their 304s, carry one
     * with an empty body: the length of the representation their {@code ETag} names, as RFC 9110
     * §8.6 and §15.4.5 allow; an adapter must not replace it with the body's 0.
     */
    public long contentLength() {
        String header = headers.get(CONTENT_LENGTH);
        return header == null ? body.length : Long.parseLong(header);
    }

    /** A plain-text answer. */
    static XenoResponse text(int status, String text, Map<String, String> headers) {
        return new XenoResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), headers);
    }
}
