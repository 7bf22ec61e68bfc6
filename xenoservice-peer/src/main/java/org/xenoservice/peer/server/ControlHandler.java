package org.xenoservice.peer.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import org.xenoservice.peer.ControlProtocol;
import org.xenoservice.peer.OperatorCalls;
import org.xenoservice.protocol.ControlCodec;
import org.xenoservice.protocol.ControlError;

/**
 * The control port on Undertow: copies a request into {@link ControlProtocol} and its answer
 * back, on a worker thread (uploads are read with blocking I/O). All the logic is in core.
 *
 * <p>A call is {@linkplain ControlProtocol#admit checked} before a byte of its body is read: a
 * refused one is answered at once, without waiting for (or reading in blocking mode) whatever body
 * the client still sends, and its connection is not kept. At most {@code maxUploads} bundle uploads
 * are read at once (503 with {@code Retry-After} beyond), so that a few slow uploads never keep the
 * small calls from a worker thread; an upload must arrive within {@code uploadTimeout}, any other
 * body within {@code bodyTimeout}, or the connection is closed. The operator's calls
 * ({@link OperatorCalls}, e.g. reload) take no body and are answered the same way. Safe for
 * concurrent use.
 */
final class ControlHandler implements HttpHandler {
    private static final String RETRY_AFTER_SECONDS = "5";

    private final ControlProtocol protocol;
    private final OperatorCalls operator;
    private final Semaphore uploads;
    private final int maxUploads;
    private final long uploadMillis;
    private final long bodyMillis;

    ControlHandler(
            ControlProtocol protocol,
            OperatorCalls operator,
            int maxUploads,
            Duration uploadTimeout,
            Duration bodyTimeout) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.operator = Objects.requireNonNull(operator, "operator");
        this.maxUploads = maxUploads;
        this.uploads = new Semaphore(maxUploads);
        this.uploadMillis = uploadTimeout.toMillis();
        this.bodyMillis = bodyTimeout.toMillis();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (HeaderValues values : exchange.getRequestHeaders()) {
            headers.put(values.getHeaderName().toString(), values.getFirst());
        }
        if (OperatorCalls.isOperatorCall(exchange.getRequestPath())) {
            refuse(
                    exchange,
                    operator.handle(
                            exchange.getRequestMethod().toString(),
                            exchange.getRequestPath(),
                            headers,
                            exchange.getRequestContentLength()));
            return;
        }
        ControlProtocol.Admission admission = protocol.admit(
                exchange.getRequestMethod().toString(),
                exchange.getRequestPath(),
                headers,
                exchange.getRequestContentLength());
        if (admission.refusal().isPresent()) {
            refuse(exchange, admission.refusal().get());
            return;
        }
        boolean upload = admission.upload();
        if (upload && !uploads.tryAcquire()) {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, RETRY_AFTER_SECONDS);
            refuse(
                    exchange,
                    new ControlProtocol.Response(
                            503,
                            ControlCodec.JSON_TYPE,
                            ControlCodec.writeError(new ControlError(
                                    "busy",
                                    "the peer is receiving " + maxUploads + " uploads already; retry in "
                                            + RETRY_AFTER_SECONDS + " s"))));
            return;
        }
        try {
            if (!exchange.isRequestComplete()) {
                BodyDeadline.arm(exchange, upload ? uploadMillis : bodyMillis);
            }
            exchange.startBlocking();
            ControlProtocol.Response response = protocol.handle(admission, exchange.getInputStream());
            headers(exchange, response);
            exchange.getOutputStream().write(response.body());
            exchange.endExchange();
        } finally {
            if (upload) {
                uploads.release();
            }
        }
    }

    /** Answers without reading the body, in non-blocking mode, and does not keep the connection unless the body is read. */
    private static void refuse(HttpServerExchange exchange, ControlProtocol.Response response) {
        if (!exchange.isRequestComplete()) {
            exchange.setPersistent(false);
        }
        headers(exchange, response);
        exchange.getResponseSender().send(ByteBuffer.wrap(response.body()));
    }

    private static void headers(HttpServerExchange exchange, ControlProtocol.Response response) {
        exchange.setStatusCode(response.status());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, response.contentType());
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.setResponseContentLength(response.body().length);
    }
}
