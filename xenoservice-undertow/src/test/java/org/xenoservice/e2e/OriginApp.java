package org.xenoservice.e2e;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;

/**
 * The bookshop's origin for the end-to-end tests: static pages from the site's folder, an order
 * form at {@code /order} that applies orders by idempotency key, a search at {@code /search}, all
 * behind {@link XenoService}, listening on the origin's loopback address.
 */
final class OriginApp implements AutoCloseable {
  final XenoService xeno;
  private final Undertow server;

  private OriginApp(DefendedSite site, XenoConfig config) throws IOException {
    this.xeno = XenoService.start(config);
    HttpHandler pages = new ResourceHandler(new PathResourceManager(site.siteFiles), exchange -> {
      exchange.setStatusCode(404);
      exchange.getResponseSender().send("not found");
    });
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
    HttpHandler app = Handlers.path(pages).addPrefixPath("/order", order).addPrefixPath("/search", search);
    this.server = Undertow.builder()
        .addHttpListener(site.port, DefendedSite.ORIGIN_ADDRESS)
        .setIoThreads(2)
        .setWorkerThreads(16)
        .setHandler(new Recording(xeno, app))
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

  /** Records every request in the service and hands XenoService's own paths to it. */
  private static final class Recording implements HttpHandler {
    private final XenoService xeno;
    private final HttpHandler app;
    private final HttpHandler own;

    Recording(XenoService xeno, HttpHandler app) {
      this.xeno = xeno;
      this.app = app;
      this.own = new BlockingHandler(exchange -> {
        var answer = xeno.serveXenoPath(exchange.getRequestMethod().toString(), exchange.getRequestPath(),
            name -> java.util.Optional.ofNullable(exchange.getRequestHeaders().getFirst(name)),
            exchange.getInputStream());
        exchange.setStatusCode(answer.status());
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, answer.contentType());
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(answer.body()));
      });
    }

    @Override
    public void handleRequest(io.undertow.server.HttpServerExchange exchange) throws Exception {
      String path = exchange.getRequestPath();
      if (xeno.isXenoPath(path)) {
        own.handleRequest(exchange);
        return;
      }
      long start = xeno.recorder().start();
      exchange.addExchangeCompleteListener((done, next) -> {
        xeno.recorder().end(start, done.getStatusCode(), done.getResponseBytesSent(), xeno.kindOf(path),
            xeno.routeOf(path));
        next.proceed();
      });
      app.handleRequest(exchange);
    }
  }
}
