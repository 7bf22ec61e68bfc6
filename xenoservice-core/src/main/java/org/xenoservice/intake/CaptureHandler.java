package org.xenoservice.intake;

import org.xenoservice.protocol.CapturedRequest;

/**
 * What the origin does with a captured request a peer forwards to its {@link CaptureIntake}:
 * place the order, store the form, send the mail. The intake calls it for a new idempotency key
 * and records the key once it returns, so that the application writes no deduplication of its own.
 *
 * <pre>{@code
 * CaptureHandler handler = request -> orders.place(request.idempotencyKey(),
 *     new String(request.body(), StandardCharsets.UTF_8));
 * }</pre>
 *
 * <h2>Threads and delivery</h2>
 * {@link #apply} must be safe for concurrent use: the intake calls it on the adapter's request
 * threads, concurrently for different keys, but never concurrently for the same key (a second
 * delivery of a key in progress is answered 409 and retried by the peer). It is called at most
 * once per key, with one exception: if the origin crashes after {@code apply} returns and before
 * the intake's ledger has forced the key to disk, the peer delivers the request again after the
 * restart and {@code apply} runs once more for it. An application that must rule out even that
 * stores {@link CapturedRequest#idempotencyKey()} in the same transaction as its effect and
 * treats a key it already holds as done.
 *
 * <p>When {@code apply} throws, the key is not recorded and the intake answers {@code 500}; the
 * peer delivers the request again later, with backoff, so {@code apply} should throw only for
 * what a retry may cure, and handle a request it can never apply (e.g. an invalid form) itself,
 * by returning normally after recording the rejection.
 */
@FunctionalInterface
public interface CaptureHandler {
    /**
     * Applies one captured request.
     *
     * @param request the request as the peer captured it: its key, site, method, original path and
     *     query, the captured headers (e.g. {@code Content-Type}), body, and capture time
     * @throws Exception if the request was not applied; it is then delivered again later
     */
    void apply(CapturedRequest request) throws Exception;
}
