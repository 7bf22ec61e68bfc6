package org.xenoservice.samples.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.samples.bookstore.Book;
import org.xenoservice.samples.bookstore.BookstoreApp;
import org.xenoservice.samples.bookstore.Catalogue;
import org.xenoservice.samples.bookstore.OrderBook;
import org.xenoservice.samples.bookstore.SiteGenerator;

/**
 * Everything the demo knows about the shop it defends, in one place: the antiquarian bookstore
 * ({@code org.xenoservice.samples.bookstore}) — its generated pages, its order book, its dynamic
 * routes and capture handler, and its origin server with a small, bounded capacity.
 */
final class DemoShop implements AutoCloseable {
    private final Catalogue catalogue;
    private final Path siteDirectory;
    private final OrderBook orders;
    private BookstoreApp origin;

    private DemoShop(Catalogue catalogue, Path siteDirectory, OrderBook orders) {
        this.catalogue = catalogue;
        this.siteDirectory = siteDirectory;
        this.orders = orders;
    }

    /** Writes the shop's pages under {@code dir} and opens its order book there. */
    static DemoShop prepare(Path dir) throws IOException {
        Catalogue catalogue = Catalogue.load();
        Path site = dir.resolve("site");
        SiteGenerator.write(catalogue, site);
        return new DemoShop(catalogue, site, OrderBook.open(dir.resolve("orders")));
    }

    /** The folder of static pages, which XenoService bundles for the peers. */
    Path siteDirectory() {
        return siteDirectory;
    }

    /** The books customers browse and order. */
    List<Book> books() {
        return catalogue.books();
    }

    /** The pages a flood asks for: the book pages. */
    List<String> pages() {
        return catalogue.books().stream()
                .map(book -> "/books/" + book.id() + ".html")
                .toList();
    }

    /** Declares the shop's dynamic routes and capture handler on the configuration. */
    XenoConfig.Builder configure(XenoConfig.Builder config) {
        return BookstoreApp.configure(config, orders, catalogue);
    }

    /**
     * Starts the origin on {@code address:port}, bounded to {@code workers} x {@code cost}; with
     * {@code tls}, over HTTPS on {@code httpsPort} too (the same workers).
     */
    void start(
            XenoService xeno,
            String address,
            int port,
            int workers,
            Duration cost,
            int queueLimit,
            Optional<SSLContext> tls,
            int httpsPort)
            throws IOException {
        BookstoreApp.Options.Builder options = BookstoreApp.Options.builder()
                .xeno(xeno)
                .siteDirectory(siteDirectory)
                .orders(orders)
                .catalogue(catalogue)
                .bindAddress(address)
                .port(port)
                .workerThreads(workers)
                .costPerRequest(cost)
                .queueCapacity(queueLimit);
        tls.ifPresent(context -> options.https(httpsPort, context));
        origin = BookstoreApp.start(options.build());
    }

    /** Orders in the order book. */
    long ordersRecorded() {
        return orders.count();
    }

    /** Orders the book refused because their key was there already. */
    long duplicatesRefused() {
        return orders.duplicatesRefused();
    }

    @Override
    public void close() throws IOException {
        if (origin != null) {
            origin.close();
        }
        orders.close();
    }
}
