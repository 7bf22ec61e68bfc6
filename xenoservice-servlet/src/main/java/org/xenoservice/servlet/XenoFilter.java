package org.xenoservice.servlet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoResponse;
import org.xenoservice.XenoService;
import org.xenoservice.overload.RequestRecorder;

/**
 * Brings XenoService to an existing servlet web app: it records every request the app handles,
 * so that the overload detector sees a flood coming, and answers XenoService's own paths
 * ({@code /_xeno/status}, {@code /_xeno/metrics}, {@code /_xeno/intake}, relative to the app's
 * context path). Map it to {@code /*} first in the chain, with {@code async-supported} on:
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>xeno</filter-name>
 *   <filter-class>org.xenoservice.servlet.XenoFilter</filter-class>
 *   <async-supported>true</async-supported>
 *   <init-param>
 *     <param-name>config-file</param-name>
 *     <param-value>/etc/xeno/books.properties</param-value>
 *   </init-param>
 * </filter>
 * <filter-mapping>
 *   <filter-name>xeno</filter-name>
 *   <url-pattern>/*</url-pattern>
 * </filter-mapping>
 * }</pre>
 *
 * <p>Where the service comes from, in this order: the one given to {@link #XenoFilter(XenoService)}
 * (programmatic registration); a started {@link XenoService} in the servlet context attribute
 * {@value #SERVICE_ATTRIBUTE}; or the {@value #CONFIG_FILE_PARAM} init-param, a {@link XenoConfig}
 * properties file (relative to the working directory), from which the filter starts a service of
 * its own, publishing the web app's resources ({@link ServletContextSource}) unless the file names
 * a static source. The filter closes only a service it started, in {@link #destroy()}. A mistake
 * in any of this fails {@link #init} with a {@link ServletException} that says what to fix, so the
 * app does not start unprotected.
 *
 * <p>What is recorded: every request dispatched to the app ({@link DispatcherType#REQUEST}), with
 * its final status, when it ends: when the chain returns, or for a request the app put into async
 * mode, when the async cycle completes, times out or fails. A request that throws is recorded as
 * a 500 and the exception is rethrown unchanged. The bytes are the response's declared
 * {@code Content-Length} where there is one and 0 otherwise (a streamed body): counting every
 * byte would need a wrapper around every response's output stream, which costs on every request
 * and gets in the way of the app's non-blocking I/O. XenoService's own paths are not recorded.
 */
public final class XenoFilter implements Filter {
  private static final Logger LOG = LoggerFactory.getLogger(XenoFilter.class);

  /** The servlet context attribute where an app may put a started {@link XenoService} for the filter. */
  public static final String SERVICE_ATTRIBUTE = "org.xenoservice.XenoService";
  /** The init-param that names the {@link XenoConfig} properties file. */
  public static final String CONFIG_FILE_PARAM = "config-file";

  private final Optional<XenoService> given;
  private volatile XenoService xeno;
  private volatile RequestRecorder recorder;
  private volatile boolean owned;

  /** A filter that finds its service in {@link #init}: the context attribute or the config file. */
  public XenoFilter() {
    this.given = Optional.empty();
  }

  /** A filter for programmatic registration that uses {@code service} and never closes it. */
  public XenoFilter(XenoService service) {
    this.given = Optional.of(Objects.requireNonNull(service, "service"));
  }

  /**
   * Finds or starts the service.
   *
   * @throws ServletException saying what to fix when the configuration is wrong or the service
   *     cannot start
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    String name = config.getFilterName();
    List<String> params = Collections.list(config.getInitParameterNames());
    for (String param : params) {
      if (!param.equals(CONFIG_FILE_PARAM)) {
        throw new ServletException("XenoFilter " + name + ": unknown init-param " + param + "; the only one is "
            + CONFIG_FILE_PARAM + " (a XenoService properties file, which holds every other setting)");
      }
    }
    String file = config.getInitParameter(CONFIG_FILE_PARAM);
    Object attribute = config.getServletContext().getAttribute(SERVICE_ATTRIBUTE);
    if (given.isPresent() || attribute != null) {
      if (file != null) {
        throw new ServletException("XenoFilter " + name + " has a XenoService already (" + (given.isPresent()
            ? "given to its constructor" : "in context attribute " + SERVICE_ATTRIBUTE) + ") and init-param "
            + CONFIG_FILE_PARAM + " too; remove one of them");
      }
      if (given.isEmpty() && !(attribute instanceof XenoService)) {
        throw new ServletException("XenoFilter " + name + ": context attribute " + SERVICE_ATTRIBUTE
            + " must hold a started org.xenoservice.XenoService, but holds a " + attribute.getClass().getName());
      }
      use(given.orElseGet(() -> (XenoService) attribute), false);
      return;
    }
    if (file == null || file.isBlank()) {
      throw new ServletException("XenoFilter " + name + " has no XenoService: set init-param " + CONFIG_FILE_PARAM
          + " to a XenoService properties file, or put a started XenoService in context attribute "
          + SERVICE_ATTRIBUTE);
    }
    Path path = Path.of(file.trim()).toAbsolutePath();
    XenoService started;
    try {
      XenoConfig.Builder builder = XenoConfig.builder().load(path);
      if (!builder.hasStaticSource()) {
        builder.staticSource(new ServletContextSource(config.getServletContext()));
      }
      started = XenoService.start(builder.build());
    } catch (IOException | RuntimeException e) {
      String problem = String.valueOf(e.getMessage());
      throw new ServletException("XenoFilter " + name + " cannot start XenoService from " + CONFIG_FILE_PARAM + " "
          + (problem.startsWith(path.toString()) ? problem : path + ": " + problem), e);
    }
    use(started, true);
  }

  private void use(XenoService service, boolean ownService) {
    this.recorder = service.recorder();
    this.owned = ownService;
    this.xeno = service;
    LOG.info("XenoFilter records requests for {}{}", service.config().site(), ownService ? "" : " (service given)");
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException,
      ServletException {
    if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)
        || request.getDispatcherType() != DispatcherType.REQUEST) {
      chain.doFilter(req, res);
      return;
    }
    XenoService service = xeno;
    String path = pathInApp(request);
    if (service.isXenoPath(path)) {
      serveXeno(service, request, response, path);
      return;
    }
    long start = recorder.start();
    try {
      chain.doFilter(request, response);
    } catch (Throwable e) {
      end(start, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, response, path);
      throw e;
    }
    if (request.isAsyncStarted()) {
      request.getAsyncContext().addListener(new Completion(start, response, path));
    } else {
      end(start, response.getStatus(), response, path);
    }
  }

  /** Closes the service if the filter started it. */
  @Override
  public void destroy() {
    XenoService service = xeno;
    if (service != null && owned) {
      service.close();
    }
  }

  /** The path within the app, decoded and normalised as the container routes it. */
  static String pathInApp(HttpServletRequest request) {
    String servletPath = request.getServletPath();
    String info = request.getPathInfo();
    return info == null ? servletPath : servletPath + info;
  }

  private void end(long start, int status, HttpServletResponse response, String path) {
    recorder.end(start, status, declaredLength(response), xeno.kindOf(path), xeno.routeOf(path));
  }

  private static long declaredLength(HttpServletResponse response) {
    String length = response.getHeader("Content-Length");
    if (length == null) {
      return 0;
    }
    try {
      return Long.parseLong(length);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void serveXeno(XenoService service, HttpServletRequest request, HttpServletResponse response,
      String path) throws IOException {
    byte[] body;
    if (request.getContentLengthLong() > XenoService.MAX_XENO_BODY_BYTES) {
      body = null;
    } else {
      body = request.getInputStream().readNBytes(XenoService.MAX_XENO_BODY_BYTES + 1);
    }
    if (body == null || body.length > XenoService.MAX_XENO_BODY_BYTES) {
      response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "the body is larger than "
          + XenoService.MAX_XENO_BODY_BYTES + " bytes");
      return;
    }
    XenoResponse answer = service.serveXenoPath(request.getMethod(), path,
        header -> Optional.ofNullable(request.getHeader(header)), new ByteArrayInputStream(body));
    response.setStatus(answer.status());
    response.setContentType(answer.contentType());
    answer.headers().forEach(response::setHeader);
    response.setContentLength(answer.body().length);
    if (!request.getMethod().equals("HEAD")) {
      response.getOutputStream().write(answer.body());
    }
  }

  /** Records an async request once, at the first of complete, timeout and error. */
  private final class Completion implements AsyncListener {
    private final AtomicBoolean ended = new AtomicBoolean();
    private final long start;
    private final HttpServletResponse response;
    private final String path;

    Completion(long start, HttpServletResponse response, String path) {
      this.start = start;
      this.response = response;
      this.path = path;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      if (ended.compareAndSet(false, true)) {
        end(start, response.getStatus(), response, path);
      }
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      failed();
    }

    @Override
    public void onError(AsyncEvent event) {
      failed();
    }

    /** What the container sends when no listener of the app answers a timeout or an error. */
    private void failed() {
      if (ended.compareAndSet(false, true)) {
        int status = response.getStatus();
        end(start, status >= 400 ? status : HttpServletResponse.SC_INTERNAL_SERVER_ERROR, response, path);
      }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // the app started a new async cycle: this listener stays registered for it
      event.getAsyncContext().addListener(this);
    }
  }
}
