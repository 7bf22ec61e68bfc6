package org.xenoservice.peer.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code /healthz} and {@code /readyz} on the control port, for a service manager, a load balancer
 * or a monitoring probe: unauthenticated, tiny, no secrets. {@code /healthz} answers 200 while the
 * process answers at all; {@code /readyz} answers 200 with the number of sites when the store is
 * readable and the sites are loaded, else 503 with why. Both take {@code GET} or {@code HEAD}; any
 * other path goes to the control calls. Safe for concurrent use.
 */
final class HealthHandler implements HttpHandler {
    static final String HEALTH_PATH = "/healthz";
    static final String READY_PATH = "/readyz";

    private final HttpHandler next;
    private final Supplier<Readiness> readiness;

    /** Whether the peer is ready, with the number of sites it serves or why not. */
    record Readiness(int sites, Optional<String> notReady) {}

    /**
     * @param readiness checks the store and the sites; called on a worker thread for each {@code /readyz}
     */
    HealthHandler(HttpHandler next, Supplier<Readiness> readiness) {
        this.next = Objects.requireNonNull(next, "next");
        this.readiness = Objects.requireNonNull(readiness, "readiness");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        if (!path.equals(HEALTH_PATH) && !path.equals(READY_PATH)) {
            next.handleRequest(exchange);
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.GET)
                && !exchange.getRequestMethod().equals(Methods.HEAD)) {
            answer(exchange, 405, "{\"error\":\"method\",\"message\":\"" + path + " takes GET or HEAD\"}");
            return;
        }
        if (path.equals(HEALTH_PATH)) {
            answer(exchange, 200, "{\"alive\":true}");
            return;
        }
        if (exchange.isInIoThread()) {
            exchange.dispatch(this); // the store check touches the disk
            return;
        }
        Readiness now = readiness.get();
        answer(
                exchange,
                now.notReady().isPresent() ? 503 : 200,
                now.notReady()
                        .map(why -> "{\"ready\":false,\"reason\":\"" + why + "\"}")
                        .orElse("{\"ready\":true,\"sites\":" + now.sites() + "}"));
    }

    private static void answer(HttpServerExchange exchange, int status, String json) {
        byte[] body = (json + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.setResponseContentLength(body.length);
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
    }
}
