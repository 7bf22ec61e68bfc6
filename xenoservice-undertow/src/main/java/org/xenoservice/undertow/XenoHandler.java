package org.xenoservice.undertow;

import io.undertow.server.DefaultResponseListener;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.XenoService;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.overload.RequestRecorder;

/**
 * Puts an Undertow application under a {@link XenoService}'s protection: every request is recorded
 * for overload detection (a few atomic adds on the request thread, no lock), and XenoService's own
 * paths under {@value XenoService#XENO_PREFIX} are answered by the service instead of the
 * application. It is the Undertow half of the paper's "the origin notices the flood itself".
 *
 * <pre>{@code
 * XenoService xeno = XenoService.start(XenoConfig.load(Path.of("xeno.properties")));
 * Undertow.builder()
 *     .addHttpListener(8080, "0.0.0.0")
 *     .setHandler(XenoHandler.wrap(xeno, app))          // or XenoHandler.builder(xeno)...build()
 *     .build().start();
 * }</pre>
 *
 * <p>What is recorded: each request once, when Undertow completes the exchange: on return from
 * the application if it completed the exchange by then (no allocation), else from an exchange
 * completion listener, so a request the application dispatches to a worker or completes later
 * from another thread counts as in flight until then. The status is the one sent; a request whose
 * handler threw counts as a 500 whatever it had set (the exception still reaches Undertow, which
 * answers 500 if it can); a request that ended before any response was sent (the client went
 * away) counts as status 0, an error. Bytes are the body bytes sent. XenoService's own paths are
 * recorded too, as static requests: a flood aimed at them uses the server like any other.
 *
 * <p>XenoService's paths are answered on a worker thread, with the request body read into memory
 * up to {@link XenoService#MAX_XENO_BODY_BYTES} (413 above). Safe for concurrent use, as Undertow
 * requires of a handler.
 */
public final class XenoHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(XenoHandler.class);

  private final XenoService xeno;
  private final RequestRecorder recorder;
  private final HttpHandler app;
  private final XenoPaths xenoPaths;

  private XenoHandler(XenoService xeno, HttpHandler app) {
    this.xeno = Objects.requireNonNull(xeno, "xeno");
    this.recorder = xeno.recorder();
    this.app = Objects.requireNonNull(app, "app");
    this.xenoPaths = new XenoPaths(xeno);
  }

  /** Wraps an application handler: its requests are recorded, XenoService's paths go to {@code xeno}. */
  public static XenoHandler wrap(XenoService xeno, HttpHandler app) {
    return new XenoHandler(xeno, app);
  }

  /** A builder for an application made of static content and dynamic handlers by path prefix. */
  public static Builder builder(XenoService xeno) {
    return new Builder(Objects.requireNonNull(xeno, "xeno"));
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    long start = recorder.start();
    try {
      if (xeno.isXenoPath(exchange.getRequestPath())) {
        serveXenoPath(exchange, start);
      } else {
        app.handleRequest(exchange);
      }
    } catch (Throwable t) {
      endWhenComplete(exchange, start, true); // Undertow ends it, with a 500 if nothing was sent yet
      throw t;
    }
    endWhenComplete(exchange, start, false);
  }

  /**
   * Ends the record now if the handler completed the exchange before returning (the common case,
   * and then nothing is allocated), else when Undertow completes it.
   */
  private void endWhenComplete(HttpServerExchange exchange, long start, boolean threw) {
    if (!exchange.isComplete()) {
      try {
        exchange.addExchangeCompleteListener(new Completion(start));
        return;
      } catch (IllegalStateException completedMeanwhile) {
        // a thread the handler handed the exchange to completed it since the check: end it here
      }
    }
    end(exchange, start, threw);
  }

  private void end(HttpServerExchange exchange, long start, boolean threw) {
    String path = exchange.getRequestPath();
    int status = threw ? Math.max(500, recordedStatus(exchange)) : recordedStatus(exchange);
    recorder.end(start, status, exchange.getResponseBytesSent(), xeno.kindOf(path), xeno.routeOf(path));
  }

  /** The core blocks, so its paths go to a worker; the wait for one is recorded as queue delay. */
  private void serveXenoPath(HttpServerExchange exchange, long start) throws Exception {
    if (!exchange.isInIoThread()) {
      xenoPaths.handleRequest(exchange);
      return;
    }
    exchange.dispatch((HttpHandler) worker -> {
      recorder.handling(start);
      xenoPaths.handleRequest(worker);
    });
  }

  /** The status to record: 500 when the handler threw, 0 when nothing was sent, else the one sent. */
  static int recordedStatus(HttpServerExchange exchange) {
    int status = exchange.getStatusCode();
    if (exchange.getAttachment(DefaultResponseListener.EXCEPTION) != null) {
      return Math.max(status, 500); // Undertow's root handler caught the handler's exception
    }
    // a completed exchange whose headers never went out: the connection closed first
    return exchange.isResponseStarted() ? status : 0;
  }

  /** Ends the record of a request that outlived its handler's call, when Undertow completes it. */
  private final class Completion implements ExchangeCompletionListener {
    private final long start;

    Completion(long start) {
      this.start = start;
    }

    @Override
    public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
      try {
        end(exchange, start, false);
      } finally {
        next.proceed();
      }
    }
  }

  /**
   * Builds a {@link XenoHandler} around static content and dynamic handlers: a request goes to the
   * dynamic handler whose prefix covers its path (the longest, by the rule of
   * {@link DynamicRoute#covers(String)}: {@code /order} covers {@code /order} and {@code /order/1},
   * not {@code /orders}), and otherwise to the static handler (404 if there is none). Handlers see
   * the request's whole path. Declare each dynamic prefix in the service's configuration too, with
   * the policy replicas apply to it; a prefix that is not declared is logged as a warning at build.
   */
  public static final class Builder {
    private final XenoService xeno;
    private final Map<String, HttpHandler> dynamic = new LinkedHashMap<>();
    private HttpHandler staticHandler = ResponseCodeHandler.HANDLE_404;

    private Builder(XenoService xeno) {
      this.xeno = xeno;
    }

    /**
     * Serves static files from {@code directory} (Undertow's {@link ResourceHandler} over a
     * {@link PathResourceManager}; 404 for files it does not hold). Usually the directory the
     * service bundles for replicas.
     */
    public Builder staticDirectory(Path directory) {
      Objects.requireNonNull(directory, "directory");
      if (!Files.isDirectory(directory)) {
        throw new IllegalArgumentException("staticDirectory must be a directory, but " + directory + " is not");
      }
      return staticHandler(new ResourceHandler(new PathResourceManager(directory), ResponseCodeHandler.HANDLE_404));
    }

    /** Serves the paths that no dynamic prefix covers with {@code handler}; replaces a static directory. */
    public Builder staticHandler(HttpHandler handler) {
      this.staticHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * Sends the paths that {@code prefix} covers to {@code handler}.
     *
     * @param prefix a path prefix starting with {@code /}, e.g. {@code /order} or {@code /api/}
     */
    public Builder dynamic(String prefix, HttpHandler handler) {
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(handler, "handler");
      if (!prefix.startsWith("/") || prefix.startsWith(XenoService.XENO_PREFIX)) {
        throw new IllegalArgumentException("prefix must start with / and lie outside " + XenoService.XENO_PREFIX
            + ", but was " + prefix);
      }
      if (dynamic.putIfAbsent(prefix, handler) != null) {
        throw new IllegalArgumentException("prefix " + prefix + " has a dynamic handler already");
      }
      return this;
    }

    /** The handler to give Undertow. */
    public XenoHandler build() {
      for (String prefix : dynamic.keySet()) {
        if (xeno.config().dynamicRoutes().stream().noneMatch(route -> route.prefix().equals(prefix))) {
          LOG.warn("Dynamic handler {} has no dynamic route in the XenoService configuration: replicas will"
              + " answer 404 there; declare it (e.g. dynamic.{} = degrade,page=/sorry.html)", prefix, prefix);
        }
      }
      return new XenoHandler(xeno, dynamic.isEmpty() ? staticHandler : new PrefixRouter(dynamic, staticHandler));
    }
  }
}
