package org.xenoservice.samples.demo;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.dynamic.CaptureHandler;
import org.xenoservice.undertow.XenoHandler;

/**
 * A stand-in for the bookstore's origin, with the same shapes as {@code BookstoreApp}: static
 * pages, {@code GET /search?q=} (proxied by replicas), {@code POST /order} with an
 * {@code Idempotency-Key} (captured by replicas; 303 to {@code /order-received.html}), all behind
 * {@link XenoHandler}. Its capacity is small on purpose: {@link Options#workerThreads} workers
 * each hold a request for {@link Options#costPerRequest} (the database and templating a real shop
 * does), at most {@link Options#queueLimit} wait, and the rest get 503 at once, so a flood
 * overloads it on any machine.
 */
final class DemoOrigin implements AutoCloseable {
  /** How the origin is started; mirrors {@code BookstoreApp.Options}. */
  static final class Options {
    XenoService xeno;
    Path siteDirectory;
    DemoOrders orders;
    String bindAddress = "127.0.0.1";
    int port;
    int workerThreads = 4;
    Duration costPerRequest = Duration.ofMillis(20);
    int queueLimit = 40;
  }

  private final Undertow server;
  private final ExecutorService workers;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final Options options;

  private DemoOrigin(Options options) {
    this.options = options;
    AtomicInteger threadNumber = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(options.workerThreads, runnable -> {
      Thread thread = new Thread(runnable, "origin-worker-" + threadNumber.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    HttpHandler pages = new ResourceHandler(new PathResourceManager(options.siteDirectory),
        ResponseCodeHandler.HANDLE_404);
    HttpHandler app = XenoHandler.builder(options.xeno)
        .staticHandler(bounded(pages))
        .dynamic("/order", bounded(new BlockingHandler(this::order)))
        .dynamic("/search", bounded(this::search))
        .build();
    this.server = Undertow.builder()
        .addHttpListener(options.port, options.bindAddress)
        .setIoThreads(2)
        .setWorkerThreads(8)
        .setHandler(app)
        .build();
  }

  /** Starts the origin. */
  static DemoOrigin start(Options options) {
    Objects.requireNonNull(options.xeno, "xeno");
    Objects.requireNonNull(options.siteDirectory, "siteDirectory");
    Objects.requireNonNull(options.orders, "orders");
    DemoOrigin origin = new DemoOrigin(options);
    origin.server.start();
    return origin;
  }

  /** The dynamic routes replicas need for this shop: orders are captured, searches proxied. */
  static XenoConfig.Builder declareRoutes(XenoConfig.Builder config) {
    return config.dynamicRoute("/order", "capture,page=/order-received.html")
        .dynamicRoute("/search", "proxy,max-in-flight=4,timeout-ms=3000,degrade-page=/sorry.html");
  }

  /** Applies orders that replicas captured, once per key. */
  static CaptureHandler captureHandler(DemoOrders orders) {
    return request -> orders.place(request.idempotencyKey(), new String(request.body(), StandardCharsets.UTF_8));
  }

  /** Requests the origin answered (any status but its own "busy" 503). */
  long served() {
    return served.get();
  }

  /** Requests refused with 503 because the queue was full. */
  long refused() {
    return refused.get();
  }

  /** Requests being handled or queued now. */
  int inFlight() {
    return inFlight.get();
  }

  /** Requests per second the origin can complete: workers / cost. */
  double capacityPerSecond() {
    return options.workerThreads * 1000.0 / Math.max(1, options.costPerRequest.toMillis());
  }

  @Override
  public void close() {
    server.stop();
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Admits a request to the bounded worker pool, or answers 503 at once when the queue is full. */
  private HttpHandler bounded(HttpHandler handler) {
    HttpHandler costly = exchange -> {
      Thread.sleep(options.costPerRequest.toMillis());
      handler.handleRequest(exchange);
    };
    return exchange -> {
      if (inFlight.incrementAndGet() > options.workerThreads + options.queueLimit) {
        inFlight.decrementAndGet();
        refused.incrementAndGet();
        exchange.setStatusCode(503);
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "5");
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("busy, try again later\n");
        return;
      }
      exchange.addExchangeCompleteListener((done, next) -> {
        inFlight.decrementAndGet();
        served.incrementAndGet();
        next.proceed();
      });
      exchange.dispatch(workers, costly);
    };
  }

  private void order(HttpServerExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equalToString("POST")) {
      exchange.setStatusCode(405);
      exchange.getResponseHeaders().put(Headers.ALLOW, "POST");
      return;
    }
    String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
    String form = new String(exchange.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (key == null || key.isBlank()) {
      exchange.setStatusCode(400);
      exchange.getResponseSender().send("an order needs an Idempotency-Key header\n");
      return;
    }
    options.orders.place(key, form);
    exchange.setStatusCode(303);
    exchange.getResponseHeaders().put(Headers.LOCATION, "/order-received.html");
    exchange.getResponseHeaders().put(HttpString.tryFromString("Cache-Control"), "no-store");
  }

  private void search(HttpServerExchange exchange) {
    String query = URLDecoder.decode(exchange.getQueryString(), StandardCharsets.UTF_8);
    query = query.startsWith("q=") ? query.substring(2) : query;
    StringBuilder html = new StringBuilder("<!doctype html><title>Search</title><h1>Results for ")
        .append(query.replace("<", "&lt;")).append("</h1><ul>");
    for (int i = 0; i < DemoSite.BOOKS.size(); i++) {
      String title = DemoSite.BOOKS.get(i)[0];
      if (title.toLowerCase(java.util.Locale.ROOT).contains(query.toLowerCase(java.util.Locale.ROOT))) {
        html.append("<li><a href=\"").append(DemoSite.bookPath(i)).append("\">").append(title).append("</a></li>");
      }
    }
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=utf-8");
    exchange.getResponseSender().send(html.append("</ul>\n").toString());
  }
}
