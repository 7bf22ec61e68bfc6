package org.xenoservice.samples.bookstore;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.intake.CaptureHandler;
import org.xenoservice.protocol.CaptureDelivery;
import org.xenoservice.undertow.XenoHandler;

/**
 * The antiquarian bookstore on Undertow, protected by {@link XenoHandler}: the generated static
 * site, {@code GET /search?q=} and {@code POST /order}, with a small, explicit capacity (a few
 * workers, a cost per request, a bounded queue, 503 beyond it) so that a flood really overloads it.
 *
 * <pre>{@code
 * Catalogue catalogue = Catalogue.load();
 * SiteGenerator.write(catalogue, site);
 * OrderBook orders = OrderBook.open(state.resolve("orders"));
 * XenoService xeno = XenoService.start(BookstoreApp.configure(XenoConfig.builder()
 *         .site("books.example").siteKey(key).staticDirectory(site)
 *         .stateDirectory(state.resolve("xeno")).backChannel(URI.create("http://10.0.0.5:8080")),
 *     orders, catalogue).build());
 * BookstoreApp shop = BookstoreApp.start(BookstoreApp.Options.builder()
 *     .xeno(xeno).siteDirectory(site).orders(orders).catalogue(catalogue).port(8080).build());
 * }</pre>
 *
 * <p>Routes: every path not below goes to the site directory (404 when it holds no such file);
 * {@code /search} answers the catalogue's matches as HTML (a {@code proxy} route on replicas);
 * {@code /order} places the posted order once per order id and redirects ({@code 303}) to
 * {@code /order-received.html}, or answers 400 with a page that says what is wrong (a
 * {@code capture} route on replicas). Every request is dispatched to the bounded worker pool; when
 * its queue is full the answer is {@code 503} with {@code Retry-After}. XenoService's own paths
 * ({@code /_xeno/...}, e.g. the intake for captured orders) are answered by the service.
 *
 * <p>The app does not own the service, the order book or the catalogue: {@link #close()} stops the
 * server and the workers only.
 */
public final class BookstoreApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BookstoreApp.class);

    /** The dynamic route of the search page: proxied by replicas, through at most 8 requests at a time. */
    public static final String SEARCH_ROUTE = "proxy,max-in-flight=8,degrade-page=/sorry.html";
    /** The dynamic route of the order form: captured by replicas, answered with the thank-you page. */
    public static final String ORDER_ROUTE = "capture,page=/order-received.html";

    private static final HttpString IDEMPOTENCY_KEY = new HttpString(CaptureDelivery.IDEMPOTENCY_KEY);

    private final Undertow server;
    private final WorkerPool pool;
    private final int port;
    private final OptionalInt httpsPort;

    private BookstoreApp(Undertow server, WorkerPool pool, int port, OptionalInt httpsPort) {
        this.server = server;
        this.pool = pool;
        this.port = port;
        this.httpsPort = httpsPort;
    }

    /**
     * Starts the shop.
     *
     * @throws IOException if the port cannot be bound
     */
    public static BookstoreApp start(Options options) throws IOException {
        Objects.requireNonNull(options, "options");
        Shop shop = options.shop();
        WorkerPool pool = options.workerPool("bookstore-worker");
        HttpHandler resources =
                new ResourceHandler(new PathResourceManager(options.siteDirectory()), ResponseCodeHandler.HANDLE_404);
        HttpHandler search = exchange -> write(
                exchange,
                shop.search(
                        exchange.getRequestMethod().toString(),
                        Optional.ofNullable(exchange.getQueryParameters().get("q"))
                                .map(Deque::peekFirst)));
        HttpHandler order = exchange -> {
            Optional<String> contentType =
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
            Optional<String> key =
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst(IDEMPOTENCY_KEY));
            write(exchange, shop.order(exchange.getRequestMethod().toString(), contentType, key, body(exchange)));
        };
        HttpHandler app = XenoHandler.builder(options.xeno())
                .staticHandler(pooled(pool, shop, resources))
                .dynamic("/search", pooled(pool, shop, search))
                .dynamic("/order", pooled(pool, shop, order))
                .build();
        Undertow.Builder builder = Undertow.builder()
                .addHttpListener(options.port(), options.bindAddress())
                .setIoThreads(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())))
                .setWorkerThreads(options.workerThreads())
                .setHandler(app);
        options.tls().ifPresent(tls -> builder.addHttpsListener(options.httpsPort(), options.bindAddress(), tls));
        Undertow server = builder.build();
        try {
            server.start();
        } catch (RuntimeException e) {
            pool.close();
            throw new IOException(
                    "cannot serve the bookstore on " + options.bindAddress() + ":" + options.port() + ": "
                            + e.getMessage(),
                    e);
        }
        int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        OptionalInt httpsPort = options.tls().isPresent()
                ? OptionalInt.of(
                        ((InetSocketAddress) server.getListenerInfo().get(1).getAddress()).getPort())
                : OptionalInt.empty();
        LOG.info(
                "the bookstore serves http://{}:{}/{} ({} workers, queue {}, {} per request)",
                options.bindAddress(),
                port,
                httpsPort.isPresent() ? " and https on port " + httpsPort.getAsInt() : "",
                options.workerThreads(),
                options.queueCapacity(),
                options.costPerRequest());
        return new BookstoreApp(server, pool, port, httpsPort);
    }

    /**
     * Declares the shop's dynamic routes in a XenoService configuration, {@code /search} as
     * {@value #SEARCH_ROUTE} and {@code /order} as {@value #ORDER_ROUTE} (the back-channel fills in
     * the proxy's origin and the capture's intake), and sets the capture handler that places the
     * orders replicas took.
     */
    public static XenoConfig.Builder configure(XenoConfig.Builder config, OrderBook orders, Catalogue catalogue) {
        Objects.requireNonNull(config, "config");
        return config.dynamicRoute("/search", SEARCH_ROUTE)
                .dynamicRoute("/order", ORDER_ROUTE)
                .captureHandler(captureHandler(orders, catalogue));
    }

    /**
     * What places the orders replicas captured, for {@link XenoConfig.Builder#captureHandler}: it reads
     * the captured form as the live {@code /order} route does, and places it with the form's
     * {@code order-id}, or else the capture's idempotency key, as the order id, at the time the replica
     * took it. An order placed before is fine (the customer or the peer sent it again). A malformed
     * order is logged as an error and dropped, not thrown: the intake answers a throwing handler with
     * 500, and the peer would deliver a form no retry can mend for ever, holding up the orders behind
     * it. A failure to write the order book is thrown, so that the peer delivers the order again.
     */
    public static CaptureHandler captureHandler(OrderBook orders, Catalogue catalogue) {
        return new Shop(catalogue, orders, Clock.systemUTC()).captureHandler();
    }

    /**
     * {@link #captureHandler(OrderBook, Catalogue)} with the shop's own catalogue ({@link Catalogue#load()}).
     *
     * @throws IOException if the catalogue cannot be read
     */
    public static CaptureHandler captureHandler(OrderBook orders) throws IOException {
        return captureHandler(orders, Catalogue.load());
    }

    /** The port the shop listens on. */
    public int port() {
        return port;
    }

    /** The HTTPS port the shop listens on, when it was given {@link Options.Builder#https}. */
    public OptionalInt httpsPort() {
        return httpsPort;
    }

    /** How many requests wait for a worker now: the shop's queue, which a flood fills. */
    public int queuedRequests() {
        return pool.queued();
    }

    /** Stops the server and the workers; the service, order book and catalogue stay open. */
    @Override
    public void close() {
        pool.close();
        server.stop();
        LOG.info("the bookstore on port {} stopped", port);
    }

    /**
     * Runs {@code next} on the worker pool, or answers 503 on the I/O thread when its queue is full.
     * Undertow hands the dispatch to the executor once the handler has returned; the executor is per
     * request so that it can answer the refused exchange.
     */
    private static HttpHandler pooled(WorkerPool pool, Shop shop, HttpHandler next) {
        return exchange -> exchange.dispatch(
                task -> {
                    if (!pool.submit(task)) {
                        write(exchange, shop.busy());
                    }
                },
                next);
    }

    private static byte[] body(HttpServerExchange exchange) throws IOException {
        exchange.startBlocking();
        try (InputStream in = exchange.getInputStream()) {
            return in.readNBytes(OrderForm.MAX_BODY_BYTES + 1);
        }
    }

    private static void write(HttpServerExchange exchange, Shop.Reply reply) {
        exchange.setStatusCode(reply.status());
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().put(new HttpString(name), value));
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/html; charset=UTF-8");
        exchange.getResponseSender().send(ByteBuffer.wrap(reply.body()));
    }

    /**
     * How a bookstore runs: the service protecting it, its site, orders and catalogue, and its
     * capacity. Used by {@link BookstoreApp} and {@link BookstoreWebApp} alike. Make one with
     * {@link #builder()}.
     */
    public static final class Options {
        /** Default worker threads. */
        public static final int DEFAULT_WORKER_THREADS = 4;
        /** Default queue in front of the workers. */
        public static final int DEFAULT_QUEUE_CAPACITY = 32;
        /** Default bind address: loopback, so a demo is not open to the network by accident. */
        public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

        private final XenoService xeno;
        private final Path siteDirectory;
        private final OrderBook orders;
        private final Catalogue catalogue;
        private final String bindAddress;
        private final int port;
        private final int workerThreads;
        private final int queueCapacity;
        private final Duration costPerRequest;
        private final boolean burnCpu;
        private final Runnable beforeWork;
        private final Optional<SSLContext> tls;
        private final int httpsPort;

        private Options(Builder builder) {
            this.xeno = builder.xeno;
            this.siteDirectory = builder.siteDirectory;
            this.orders = builder.orders;
            this.catalogue = builder.catalogue;
            this.bindAddress = builder.bindAddress;
            this.port = builder.port;
            this.workerThreads = builder.workerThreads;
            this.queueCapacity = builder.queueCapacity;
            this.costPerRequest = builder.costPerRequest;
            this.burnCpu = builder.burnCpu;
            this.beforeWork = builder.beforeWork;
            this.tls = builder.tls;
            this.httpsPort = builder.httpsPort;
        }

        /** A builder; {@code xeno}, {@code siteDirectory}, {@code orders} and {@code catalogue} are required. */
        public static Builder builder() {
            return new Builder();
        }

        /** The service that protects the shop. */
        public XenoService xeno() {
            return xeno;
        }

        /** The generated site ({@link SiteGenerator#write}). */
        public Path siteDirectory() {
            return siteDirectory;
        }

        /** Where orders are placed. */
        public OrderBook orders() {
            return orders;
        }

        /** The books the shop sells. */
        public Catalogue catalogue() {
            return catalogue;
        }

        /** The address to listen on. */
        public String bindAddress() {
            return bindAddress;
        }

        /** The port to listen on; 0 picks a free one. */
        public int port() {
            return port;
        }

        /** The workers that serve requests. */
        public int workerThreads() {
            return workerThreads;
        }

        /** How many requests may wait for a worker before the shop answers 503. */
        public int queueCapacity() {
            return queueCapacity;
        }

        /** What one request costs a worker. */
        public Duration costPerRequest() {
            return costPerRequest;
        }

        /** Whether the cost is spent on the CPU (else the worker waits, as for slow I/O). */
        public boolean burnCpu() {
            return burnCpu;
        }

        /** The TLS context of the HTTPS listener, when the shop has one. */
        public Optional<SSLContext> tls() {
            return tls;
        }

        /** The HTTPS port, when {@link #tls()} is present; 0 picks a free one. */
        public int httpsPort() {
            return httpsPort;
        }

        Shop shop() {
            return new Shop(catalogue, orders, Clock.systemUTC());
        }

        WorkerPool workerPool(String name) {
            return new WorkerPool(name, workerThreads, queueCapacity, costPerRequest, burnCpu, beforeWork);
        }

        /** Configures {@link Options}; every setter checks its value. */
        public static final class Builder {
            private XenoService xeno;
            private Path siteDirectory;
            private OrderBook orders;
            private Catalogue catalogue;
            private String bindAddress = DEFAULT_BIND_ADDRESS;
            private int port;
            private int workerThreads = DEFAULT_WORKER_THREADS;
            private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
            private Duration costPerRequest = Duration.ZERO;
            private boolean burnCpu;
            private Runnable beforeWork = () -> {};
            private Optional<SSLContext> tls = Optional.empty();
            private int httpsPort;

            private Builder() {}

            /** The service that protects the shop (required); the app records every request with it. */
            public Builder xeno(XenoService service) {
                this.xeno = Objects.requireNonNull(service, "xeno");
                return this;
            }

            /** The generated site to serve (required), usually also the service's static directory. */
            public Builder siteDirectory(Path directory) {
                this.siteDirectory = Objects.requireNonNull(directory, "siteDirectory");
                return this;
            }

            /** Where orders are placed (required). */
            public Builder orders(OrderBook book) {
                this.orders = Objects.requireNonNull(book, "orders");
                return this;
            }

            /** The books the shop sells (required). */
            public Builder catalogue(Catalogue books) {
                this.catalogue = Objects.requireNonNull(books, "catalogue");
                return this;
            }

            /** The address to listen on; {@value #DEFAULT_BIND_ADDRESS} by default. */
            public Builder bindAddress(String address) {
                Objects.requireNonNull(address, "bindAddress");
                if (address.isBlank()) {
                    throw new IllegalArgumentException(
                            "bindAddress must be an address such as 127.0.0.1, but was blank");
                }
                this.bindAddress = address;
                return this;
            }

            /** The port to listen on; 0 (the default) picks a free one, see {@link BookstoreApp#port()}. */
            public Builder port(int value) {
                if (value < 0 || value > 65535) {
                    throw new IllegalArgumentException("port must be between 0 and 65535, but was " + value);
                }
                this.port = value;
                return this;
            }

            /** The workers that serve requests, 1 to 256; {@value #DEFAULT_WORKER_THREADS} by default. */
            public Builder workerThreads(int value) {
                if (value < 1 || value > 256) {
                    throw new IllegalArgumentException("workerThreads must be between 1 and 256, but was " + value);
                }
                this.workerThreads = value;
                return this;
            }

            /** Requests that may wait for a worker, 1 to 10000; {@value #DEFAULT_QUEUE_CAPACITY} by default. */
            public Builder queueCapacity(int value) {
                if (value < 1 || value > 10_000) {
                    throw new IllegalArgumentException("queueCapacity must be between 1 and 10000, but was " + value);
                }
                this.queueCapacity = value;
                return this;
            }

            /**
             * What one request costs a worker, 0 to 10 s; 0 by default. With {@code workerThreads} it
             * sets the shop's capacity: 4 workers at 20 ms serve about 200 requests a second.
             */
            public Builder costPerRequest(Duration cost) {
                Objects.requireNonNull(cost, "costPerRequest");
                if (cost.isNegative() || cost.compareTo(Duration.ofSeconds(10)) > 0) {
                    throw new IllegalArgumentException("costPerRequest must be between 0 and 10 s, but was " + cost);
                }
                this.costPerRequest = cost;
                return this;
            }

            /**
             * Whether the cost is spent as real CPU work (the detector then sees the CPU busy) rather than
             * as a wait that holds the worker, as slow I/O would; false by default.
             */
            public Builder burnCpu(boolean value) {
                this.burnCpu = value;
                return this;
            }

            /**
             * Serves the shop over HTTPS too, on {@code port} (0 picks a free one) of the same address,
             * with the certificate and key {@code context} holds; none by default. The same workers
             * and queue serve both listeners.
             */
            public Builder https(int port, SSLContext context) {
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("https port must be between 0 and 65535, but was " + port);
                }
                this.httpsPort = port;
                this.tls = Optional.of(Objects.requireNonNull(context, "context"));
                return this;
            }

            /** Runs on the worker before each request (tests hold workers with it). */
            Builder beforeWork(Runnable hook) {
                this.beforeWork = Objects.requireNonNull(hook, "beforeWork");
                return this;
            }

            /**
             * Builds the options.
             *
             * @throws IllegalStateException naming what is missing
             * @throws IllegalArgumentException if the site directory is not a directory
             */
            public Options build() {
                List<String> missing = new ArrayList<>();
                if (xeno == null) {
                    missing.add("xeno");
                }
                if (siteDirectory == null) {
                    missing.add("siteDirectory");
                }
                if (orders == null) {
                    missing.add("orders");
                }
                if (catalogue == null) {
                    missing.add("catalogue");
                }
                if (!missing.isEmpty()) {
                    throw new IllegalStateException("xeno, siteDirectory, orders and catalogue are required, but "
                            + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are") + " missing");
                }
                if (!Files.isDirectory(siteDirectory)) {
                    throw new IllegalArgumentException(
                            "siteDirectory must be a directory (SiteGenerator.write makes one), but " + siteDirectory
                                    + " is not");
                }
                return new Options(this);
            }
        }
    }
}
