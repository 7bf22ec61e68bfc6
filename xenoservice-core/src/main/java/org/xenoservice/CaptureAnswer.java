package org.xenoservice;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an adapter answers for a direct request of a {@code capture} route that the origin journalled
 * instead of handing it to the application ({@link XenoService#journalCapture}): either
 * {@code 202} with the route's thank-you page, which the adapter serves from the site's static files
 * as it would serve that path, or a refusal with a one-line reason ({@link #text()}).
 *
 * @param status {@code 202} journalled (or a retry of a request journalled or applied before);
 *     {@code 400} the request breaks the capture rules (idempotency key, target, {@code Content-Type});
 *     {@code 413} its body is over {@link org.xenoservice.protocol.CapturedRequest#MAX_BODY_BYTES};
 *     {@code 422} its idempotency key belongs to another request; {@code 503} the journal is full
 *     or failed (with {@code Retry-After})
 * @param page for {@code 202}, the path of the route's page among the site's static files
 *     (its {@code page} setting, e.g. {@code /thanks.html}); empty for a refusal
 * @param reason one line that says what happened, without the status, e.g. {@code the body must be at most 1048576 bytes}
 * @param headers response headers to send with either answer: {@code Cache-Control: no-store}, and
 *     {@code Retry-After} (seconds) with a {@code 503}
 */
public record CaptureAnswer(int status, Optional<String> page, String reason, Map<String, String> headers) {
    /** Checks a page comes with 202 only, and copies the headers. */
    public CaptureAnswer {
        Objects.requireNonNull(page, "page");
        Objects.requireNonNull(reason, "reason");
        if (page.isPresent() != (status == 202)) {
            throw new IllegalArgumentException(
                    "a page comes with status 202 and only with it, but status was " + status + " and page " + page);
        }
        headers = Map.copyOf(headers);
    }

    /** Whether the request is journalled: answer {@link #status()} with the {@link #page()}. */
    public boolean journaled() {
        return status == 202;
    }

    /**
     * The answer as plain text, e.g. {@code 413 Content Too Large: the body must be at most 1048576
     * bytes}, with {@link #headers()}: what the adapter sends for a refusal (and, for a
     * {@code 202}, if it cannot serve the page).
     */
    public XenoResponse text() {
        return XenoResponse.text(status, status + " " + phrase(status) + ": " + reason + "\n", headers);
    }

    private static String phrase(int status) {
        return switch (status) {
            case 202 -> "Accepted";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
