package org.xenoservice.peer.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.xenoservice.peer.ControlProtocol;

/**
 * The control port on Undertow: copies a request into {@link ControlProtocol} and its answer
 * back, on a worker thread (uploads are read with blocking I/O). All the logic is in core.
 */
final class ControlHandler implements HttpHandler {
    private final ControlProtocol protocol;

    ControlHandler(ControlProtocol protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        exchange.startBlocking();
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (HeaderValues values : exchange.getRequestHeaders()) {
            headers.put(values.getHeaderName().toString(), values.getFirst());
        }
        ControlProtocol.Response response = protocol.handle(
                exchange.getRequestMethod().toString(),
                exchange.getRequestPath(),
                headers,
                exchange.getRequestContentLength(),
                exchange.getInputStream());
        exchange.setStatusCode(response.status());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, response.contentType());
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.setResponseContentLength(response.body().length);
        exchange.getOutputStream().write(response.body());
        exchange.endExchange();
    }
}
