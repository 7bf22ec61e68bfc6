package org.xenoservice.samples.bookstore;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.protocol.CaptureDelivery;
import org.xenoservice.servlet.XenoFilter;

/**
 * The antiquarian bookstore as a servlet web app in embedded Tomcat, protected by
 * {@link XenoFilter}: the same shop as {@link BookstoreApp} (same routes, same answers, same
 * capacity model, the same shop logic behind them), for sites that run in a servlet container.
 *
 * <pre>{@code
 * BookstoreWebApp shop = BookstoreWebApp.start(BookstoreApp.Options.builder()
 *     .xeno(xeno).siteDirectory(site).orders(orders).catalogue(catalogue).port(8080).build());
 * }</pre>
 *
 * <p>The web app: {@code XenoFilter} first on {@code /*}, then a filter that puts every request
 * into async mode and queues it for the bounded worker pool (503 with {@code Retry-After} when the
 * queue is full); the worker spends the request's cost and dispatches it back to the container,
 * where Tomcat's {@code DefaultServlet} serves the site directory, a search servlet
 * {@code /search} and an order servlet {@code /order}. Configure the service's dynamic routes with
 * {@link BookstoreApp#configure}. {@link #close()} stops Tomcat and the workers only.
 */
public final class BookstoreWebApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BookstoreWebApp.class);

    private final Tomcat tomcat;
    private final WorkerPool pool;
    private final Path baseDirectory;
    private final int port;

    private BookstoreWebApp(Tomcat tomcat, WorkerPool pool, Path baseDirectory, int port) {
        this.tomcat = tomcat;
        this.pool = pool;
        this.baseDirectory = baseDirectory;
        this.port = port;
    }

    /**
     * Starts the shop in a new embedded Tomcat.
     *
     * @throws IOException if the port cannot be bound or the web app does not start
     */
    public static BookstoreWebApp start(BookstoreApp.Options options) throws IOException {
        Objects.requireNonNull(options, "options");
        Shop shop = options.shop();
        WorkerPool pool = options.workerPool("bookstore-web-worker");
        Path base = Files.createTempDirectory("bookstore-tomcat-");
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(options.port());
        connector.setProperty("address", options.bindAddress());
        tomcat.setConnector(connector);
        Context context =
                tomcat.addContext("", options.siteDirectory().toAbsolutePath().toString());
        Tomcat.addDefaultMimeTypeMappings(context);
        context.addWelcomeFile("index.html");
        context.addServletContainerInitializer(
                (classes, servletContext) -> {
                    FilterRegistration.Dynamic xeno = servletContext.addFilter("xeno", new XenoFilter(options.xeno()));
                    xeno.setAsyncSupported(true);
                    xeno.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
                    FilterRegistration.Dynamic workers =
                            servletContext.addFilter("workers", new WorkerFilter(pool, shop));
                    workers.setAsyncSupported(true);
                    workers.addMappingForUrlPatterns(
                            EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), true, "/*");
                    add(servletContext.addServlet("default", new DefaultServlet()), "/");
                    add(
                            servletContext.addServlet("search", new RouteServlet(request -> search(shop, request))),
                            "/search");
                    add(
                            servletContext.addServlet("order", new RouteServlet(request -> order(shop, request))),
                            "/order",
                            "/order/*");
                },
                null);
        try {
            tomcat.start();
            if (context.getState() != LifecycleState.STARTED
                    || connector.getState() != LifecycleState.STARTED
                    || connector.getLocalPort() <= 0) {
                throw new LifecycleException("the web app or the connector did not start; see Tomcat's log above");
            }
        } catch (LifecycleException e) {
            stop(tomcat, pool, base);
            throw new IOException(
                    "cannot serve the bookstore on " + options.bindAddress() + ":" + options.port() + ": "
                            + e.getMessage(),
                    e);
        }
        int port = connector.getLocalPort();
        LOG.info(
                "the bookstore web app serves http://{}:{}/ ({} workers, queue {}, {} per request)",
                options.bindAddress(),
                port,
                options.workerThreads(),
                options.queueCapacity(),
                options.costPerRequest());
        return new BookstoreWebApp(tomcat, pool, base, port);
    }

    /** The port the shop listens on. */
    public int port() {
        return port;
    }

    /** How many requests wait for a worker now: the shop's queue, which a flood fills. */
    public int queuedRequests() {
        return pool.queued();
    }

    /** Stops Tomcat and the workers; the service, order book and catalogue stay open. */
    @Override
    public void close() {
        stop(tomcat, pool, baseDirectory);
        LOG.info("the bookstore web app on port {} stopped", port);
    }

    private static void stop(Tomcat tomcat, WorkerPool pool, Path base) {
        pool.close();
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            LOG.warn("Tomcat did not stop cleanly", e);
        }
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            LOG.debug("could not delete Tomcat's base directory {}", base, e);
        }
    }

    private static void add(ServletRegistration.Dynamic servlet, String... mappings) {
        servlet.setAsyncSupported(true);
        servlet.addMapping(mappings);
    }

    private static void write(HttpServletResponse response, Shop.Reply reply) throws IOException {
        response.setStatus(reply.status());
        reply.headers().forEach(response::setHeader);
        response.setContentType("text/html;charset=UTF-8");
        byte[] body = reply.body();
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** Queues each request for a worker, which dispatches it back to the container after its cost. */
    static final class WorkerFilter implements Filter {
        private final WorkerPool pool;
        private final Shop shop;

        WorkerFilter(WorkerPool pool, Shop shop) {
            this.pool = pool;
            this.shop = shop;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (request.getDispatcherType() != DispatcherType.REQUEST) {
                chain.doFilter(request, response); // back from the worker
                return;
            }
            AsyncContext async = request.startAsync();
            async.setTimeout(0); // the bounded queue limits the wait
            if (!pool.submit(async::dispatch)) {
                write((HttpServletResponse) response, shop.busy());
                async.complete();
            }
        }
    }

    /** What a servlet of the shop answers: a request in, the shop's reply out. */
    @FunctionalInterface
    interface Route {
        Shop.Reply answer(HttpServletRequest request) throws IOException;
    }

    /** One dynamic route of the shop as a servlet. */
    static final class RouteServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient Route route;

        RouteServlet(Route route) {
            this.route = route;
        }

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            write(response, route.answer(request));
        }
    }

    /** {@code GET /search?q=}: the query string only, as on Undertow. */
    private static Shop.Reply search(Shop shop, HttpServletRequest request) {
        String method = request.getMethod();
        Optional<String> query = method.equals("GET") || method.equals("HEAD")
                ? Optional.ofNullable(request.getParameter("q"))
                : Optional.empty();
        return shop.search(method, query);
    }

    /** {@code POST /order}: the raw body, parsed by the shop as on Undertow and in the capture handler. */
    private static Shop.Reply order(Shop shop, HttpServletRequest request) throws IOException {
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(OrderForm.MAX_BODY_BYTES + 1);
        }
        return shop.order(
                request.getMethod(),
                Optional.ofNullable(request.getContentType()),
                Optional.ofNullable(request.getHeader(CaptureDelivery.IDEMPOTENCY_KEY)),
                body);
    }
}
