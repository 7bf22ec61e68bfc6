package org.xenoservice.undertow;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.xenoservice.XenoResponse;
import org.xenoservice.XenoService;
import org.xenoservice.protocol.PeerSignature;

/**
 * Answers XenoService's own paths through {@link XenoService#serveXenoPath}: on a worker thread
 * (the core blocks), with the body read into memory and refused with 413 above
 * {@link XenoService#MAX_XENO_BODY_BYTES} before the core sees it.
 */
final class XenoPaths implements HttpHandler {
    private static final byte[] TOO_LARGE = ("413 Content Too Large: at most " + XenoService.MAX_XENO_BODY_BYTES
                    + " bytes\n")
            .getBytes(StandardCharsets.UTF_8);

    private final XenoService xeno;

    XenoPaths(XenoService xeno) {
        this.xeno = xeno;
    }

    /** Answers on the calling thread, which must not be an I/O thread. */
    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.getRequestContentLength() > XenoService.MAX_XENO_BODY_BYTES) {
            refuseTooLarge(exchange);
            return;
        }
        if (!exchange.isBlocking()) {
            exchange.startBlocking();
        }
        byte[] body = exchange.getInputStream().readNBytes(XenoService.MAX_XENO_BODY_BYTES + 1);
        if (body.length > XenoService.MAX_XENO_BODY_BYTES) {
            refuseTooLarge(exchange);
            return;
        }
        send(
                exchange,
                xeno.serveXenoPath(
                        exchange.getRequestMethod().toString(),
                        exchange.getRequestPath(),
                        target(exchange),
                        headerValues(exchange),
                        new ByteArrayInputStream(body)));
    }

    /** The request target as received: the raw path and the query, which a peer's signature covers. */
    static String target(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return exchange.getRequestURI() + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    /** Every value of a request header, by name, in the order received. */
    static PeerSignature.HeaderValues headerValues(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        return name -> {
            HeaderValues values = headers.get(name);
            return values == null ? List.of() : List.copyOf(values);
        };
    }

    /** 413, and the connection closes after it rather than Undertow reading the rest of the body. */
    private static void refuseTooLarge(HttpServerExchange exchange) {
        if (exchange.isRequestChannelAvailable()) {
            exchange.setMaxEntitySize(XenoService.MAX_XENO_BODY_BYTES);
        }
        exchange.setPersistent(false);
        send(exchange, tooLarge());
    }

    private static XenoResponse tooLarge() {
        return new XenoResponse(413, "text/plain; charset=utf-8", TOO_LARGE, Map.of());
    }

    static void send(HttpServerExchange exchange, XenoResponse response) {
        exchange.setStatusCode(response.status());
        HeaderMap headers = exchange.getResponseHeaders();
        response.headers().forEach((name, value) -> headers.put(HttpString.tryFromString(name), value));
        headers.put(Headers.CONTENT_TYPE, response.contentType());
        headers.put(Headers.CONTENT_LENGTH, response.contentLength()); // a HEAD or 304 from memory: the GET's
        exchange.getResponseSender().send(ByteBuffer.wrap(response.body()));
    }
}
