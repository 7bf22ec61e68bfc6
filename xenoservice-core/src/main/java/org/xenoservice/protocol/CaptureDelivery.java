package org.xenoservice.protocol;

/**
 * How a peer delivers a {@link CapturedRequest} to the origin's intake: a {@code POST} to the
 * capture route's {@code intake} URL whose body is the captured body, with the captured headers
 * (e.g. {@code Content-Type}) and the headers named here. The intake answers {@code 2xx} when the
 * request is applied or was applied before (the peer then forgets it), a {@code 4xx} about the
 * request itself ({@code 400} malformed, {@code 404} not captured, {@code 413} too large,
 * {@code 422} its key belongs to another request: the peer sets it aside in its dead letters), and
 * anything else ({@code 5xx}, or {@code 401}, {@code 403}, {@code 408}, {@code 409} the key is being
 * applied right now, {@code 421}, {@code 425}, {@code 429}) when it should be delivered again later.
 * Both ends hold requests to {@link CaptureRules}.
 *
 * <p>The peer's capture forwarder writes these headers and the origin's intake reads them; an
 * application that takes orders itself reads {@link #IDEMPOTENCY_KEY} from its clients as well.
 */
public final class CaptureDelivery {
    /** The header carrying the request's idempotency key to the intake. */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** The header carrying the site the request was captured for. */
    public static final String FORWARDED_HOST = "X-Forwarded-Host";
    /** The header carrying the original request target: the path as received, and the query. */
    public static final String XENO_PATH = "X-Xeno-Path";
    /** The header carrying the original request's method. */
    public static final String XENO_METHOD = "X-Xeno-Method";
    /** The header carrying when the peer captured the request, ISO-8601 ({@link java.time.Instant#toString()}). */
    public static final String XENO_CAPTURED_AT = "X-Xeno-Captured-At";

    private CaptureDelivery() {}
}
