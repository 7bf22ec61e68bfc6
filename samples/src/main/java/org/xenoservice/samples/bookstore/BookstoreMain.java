package org.xenoservice.samples.bookstore;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.key.SiteKeys;

/**
 * Runs the bookstore as a plain shop: one origin protected by a XenoService with no peers (it
 * records and detects, but has nowhere to replicate to). The demo builds the peered setup; this
 * is the shop on its own, to browse and order from.
 *
 * <pre>
 * java -cp ... org.xenoservice.samples.bookstore.BookstoreMain [undertow|tomcat] --state DIR
 *     [--port 8080] [--bind 127.0.0.1] [--site books.example] [--back-channel URL]
 *     [--workers 4] [--queue 32] [--cost-ms 0] [--burn-cpu]
 * </pre>
 *
 * <p>The state directory holds the site's key ({@code keys/site.key}, made on the first run), the
 * generated site ({@code site/}), the orders ({@code orders/}) and the service's state
 * ({@code xeno/}). The back-channel defaults to {@code http://BIND:PORT}, so {@code --port 0}
 * needs {@code --back-channel}.
 */
public final class BookstoreMain {
    private static final Logger LOG = LoggerFactory.getLogger(BookstoreMain.class);

    private BookstoreMain() {}

    /** The command line of the class comment; exits with 2 on a usage error. */
    public static void main(String[] args) throws Exception {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bookstore: " + e.getMessage());
            System.err.println(Arguments.USAGE);
            System.exit(2);
            return;
        }
        Catalogue catalogue = Catalogue.load();
        Path site = arguments.state.resolve("site");
        SiteGenerator.write(catalogue, site);
        OrderBook orders = OrderBook.open(arguments.state.resolve("orders"));
        XenoConfig.Builder config = XenoConfig.builder()
                .site(arguments.site)
                .siteKey(siteKey(arguments.state.resolve("keys")))
                .staticDirectory(site)
                .stateDirectory(arguments.state.resolve("xeno"))
                .backChannel(arguments.backChannel);
        XenoService xeno = XenoService.start(
                BookstoreApp.configure(config, orders, catalogue).build());
        BookstoreApp.Options options = BookstoreApp.Options.builder()
                .xeno(xeno)
                .siteDirectory(site)
                .orders(orders)
                .catalogue(catalogue)
                .bindAddress(arguments.bind)
                .port(arguments.port)
                .workerThreads(arguments.workers)
                .queueCapacity(arguments.queue)
                .costPerRequest(arguments.cost)
                .burnCpu(arguments.burnCpu)
                .build();
        AutoCloseable app = arguments.tomcat ? BookstoreWebApp.start(options) : BookstoreApp.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try (orders;
                                    xeno;
                                    app) {
                                LOG.info("the bookstore is closing");
                            } catch (Exception e) {
                                LOG.warn("the bookstore did not close cleanly", e);
                            } finally {
                                stopped.countDown();
                            }
                        },
                        "bookstore-shutdown"));
        stopped.await();
    }

    /** The site's key in {@code keys/site.key}, made (with {@code site.pub}) on the first run. */
    static PrivateKey siteKey(Path keys) throws IOException {
        Path file = keys.resolve("site.key");
        if (!Files.exists(file)) {
            Files.createDirectories(keys);
            KeyPair pair = SiteKeys.generate();
            SiteKeys.writePrivateKey(file, pair.getPrivate());
            SiteKeys.writePublicKey(keys.resolve("site.pub"), pair.getPublic());
            LOG.info("made the site's key {} (peers pin {})", file, keys.resolve("site.pub"));
        }
        return SiteKeys.readPrivateKey(file);
    }

    /** The parsed command line. */
    static final class Arguments {
        static final String USAGE =
                "usage: BookstoreMain [undertow|tomcat] --state DIR [--port 8080] [--bind 127.0.0.1]"
                        + " [--site books.example] [--back-channel URL] [--workers 4] [--queue 32] [--cost-ms 0] [--burn-cpu]";

        boolean tomcat;
        Path state;
        int port = 8080;
        String bind = BookstoreApp.Options.DEFAULT_BIND_ADDRESS;
        String site = "books.example";
        URI backChannel;
        int workers = BookstoreApp.Options.DEFAULT_WORKER_THREADS;
        int queue = BookstoreApp.Options.DEFAULT_QUEUE_CAPACITY;
        Duration cost = Duration.ZERO;
        boolean burnCpu;

        static Arguments parse(String... args) {
            Arguments parsed = new Arguments();
            List<String> rest = new ArrayList<>(List.of(args));
            if (!rest.isEmpty() && !rest.get(0).startsWith("--")) {
                String server = rest.remove(0).toLowerCase(Locale.ROOT);
                if (!server.equals("undertow") && !server.equals("tomcat")) {
                    throw new IllegalArgumentException("the server must be undertow or tomcat, but was " + server);
                }
                parsed.tomcat = server.equals("tomcat");
            }
            for (int i = 0; i < rest.size(); i++) {
                String option = rest.get(i);
                if (option.equals("--burn-cpu")) {
                    parsed.burnCpu = true;
                    continue;
                }
                if (i + 1 >= rest.size()) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = rest.get(++i);
                switch (option) {
                    case "--state" -> parsed.state = Path.of(value);
                    case "--port" -> parsed.port = number(option, value, 0, 65535);
                    case "--bind" -> parsed.bind = value;
                    case "--site" -> parsed.site = value;
                    case "--back-channel" -> parsed.backChannel = URI.create(value);
                    case "--workers" -> parsed.workers = number(option, value, 1, 256);
                    case "--queue" -> parsed.queue = number(option, value, 1, 10_000);
                    case "--cost-ms" -> parsed.cost = Duration.ofMillis(number(option, value, 0, 10_000));
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (parsed.state == null) {
                throw new IllegalArgumentException(
                        "--state DIR is required: where the key, site, orders and service state live");
            }
            if (parsed.backChannel == null) {
                if (parsed.port == 0) {
                    throw new IllegalArgumentException(
                            "--port 0 needs --back-channel: where peers would reach this shop");
                }
                String host = parsed.bind.contains(":") ? "[" + parsed.bind + "]" : parsed.bind;
                parsed.backChannel = URI.create("http://" + host + ":" + parsed.port);
            }
            return parsed;
        }

        private static int number(String option, String value, int min, int max) {
            try {
                int number = Integer.parseInt(value);
                if (number >= min && number <= max) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(
                    option + " must be a whole number from " + min + " to " + max + ", but was " + value);
        }
    }
}
