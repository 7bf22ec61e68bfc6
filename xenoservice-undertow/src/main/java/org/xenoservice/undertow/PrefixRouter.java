package org.xenoservice.undertow;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.xenoservice.bundle.DynamicRoute;

/**
 * Sends a request to the handler of the longest prefix that covers its path (the rule replicas use
 * for dynamic routes, {@link DynamicRoute#covers(String, String)}), or to the fallback. Allocation-free.
 */
final class PrefixRouter implements HttpHandler {
    private final String[] prefixes;
    private final HttpHandler[] handlers;
    private final HttpHandler fallback;

    PrefixRouter(Map<String, HttpHandler> byPrefix, HttpHandler fallback) {
        // longest first, so that the first prefix that covers a path is the longest that does
        List<Map.Entry<String, HttpHandler>> entries = byPrefix.entrySet().stream()
                .sorted(Comparator.comparingInt(
                                (Map.Entry<String, HttpHandler> e) -> e.getKey().length())
                        .reversed())
                .toList();
        this.prefixes = entries.stream().map(Map.Entry::getKey).toArray(String[]::new);
        this.handlers = entries.stream().map(Map.Entry::getValue).toArray(HttpHandler[]::new);
        this.fallback = fallback;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        for (int i = 0; i < prefixes.length; i++) {
            if (DynamicRoute.covers(prefixes[i], path)) {
                handlers[i].handleRequest(exchange);
                return;
            }
        }
        fallback.handleRequest(exchange);
    }
}
