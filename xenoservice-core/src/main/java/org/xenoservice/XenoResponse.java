package org.xenoservice;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The answer to one of XenoService's own paths, for an adapter to send as it is.
 *
 * @param status the HTTP status
 * @param contentType the body's media type
 * @param body the body
 * @param headers further response headers
 */
@SuppressWarnings(
        "ArrayRecordComponent") // the body is handed to the adapter as is, not copied; responses are not compared
public record XenoResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    /** Copies the headers. */
    public XenoResponse {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    /** A plain-text answer. */
    static XenoResponse text(int status, String text, Map<String, String> headers) {
        return new XenoResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), headers);
    }
}
