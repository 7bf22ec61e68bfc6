package org.xenoservice.e2e;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.undertow.XenoHandler;

/**
 * The bookshop's origin for the end-to-end tests: static pages from the site's folder, an order
 * form at {@code /order} that applies orders by idempotency key, a search at {@code /search}, all
 * behind {@link XenoHandler}, listening on the origin's loopback address.
 */
final class OriginApp implements AutoCloseable {
    final XenoService xeno;
    private final Undertow server;

    private OriginApp(DefendedSite site, XenoConfig config) throws IOException {
        this.xeno = XenoService.start(config);
        HttpHandler order = new BlockingHandler(exchange -> {
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            exchange.getInputStream().readAllBytes();
            site.orders.apply(key == null ? "origin-" + System.nanoTime() : key);
            exchange.setStatusCode(201);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send("order placed", StandardCharsets.UTF_8);
        });
        HttpHandler search = exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send("results for " + exchange.getQueryString(), StandardCharsets.UTF_8);
        };
        HttpHandler app = XenoHandler.builder(xeno)
                .staticDirectory(site.siteFiles)
                .dynamic("/order", order)
                .dynamic("/search", search)
                .build();
        this.server = Undertow.builder()
                .addHttpListener(site.port, DefendedSite.ORIGIN_ADDRESS)
                .setServerOption(io.undertow.UndertowOptions.ENABLE_HTTP2, true) // HTTP/2 clients: GOAWAY
                .setIoThreads(2)
                .setWorkerThreads(16)
                .setHandler(app)
                .build();
        server.start();
    }

    static OriginApp start(DefendedSite site, XenoConfig config) throws IOException {
        return new OriginApp(site, config);
    }

    @Override
    public void close() {
        server.stop();
        xeno.close();
    }
}
