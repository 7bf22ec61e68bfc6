package org.xenoservice.samples.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.dynamic.CaptureHandler;

/**
 * Everything the demo knows about the shop it defends, in one place: the pages, the order book,
 * the dynamic routes, the capture handler and the origin server. Today it runs a stand-in
 * ({@link DemoSite}, {@link DemoOrders}, {@link DemoOrigin}); the bookstore
 * ({@code org.xenoservice.samples.bookstore}) replaces them here, and only here:
 * {@code DemoSite.write(dir)} becomes {@code SiteGenerator.write(Catalogue.load(), dir)},
 * {@code new DemoOrders()} becomes {@code OrderBook.open(dir.resolve("orders"))},
 * {@code DemoOrigin.declareRoutes}/{@code captureHandler}/{@code start} become the
 * {@code BookstoreApp} ones.
 */
final class DemoShop implements AutoCloseable {
  private final Path siteDirectory;
  private final DemoOrders orders;
  private DemoOrigin origin;

  private DemoShop(Path siteDirectory, DemoOrders orders) {
    this.siteDirectory = siteDirectory;
    this.orders = orders;
  }

  /** Writes the shop's pages under {@code dir} and opens its order book there. */
  static DemoShop prepare(Path dir) throws IOException {
    return new DemoShop(DemoSite.write(dir.resolve("site")), new DemoOrders());
  }

  /** The folder of static pages, which XenoService bundles for the peers. */
  Path siteDirectory() {
    return siteDirectory;
  }

  /** Declares the shop's dynamic routes and capture handler on the configuration. */
  XenoConfig.Builder configure(XenoConfig.Builder config) {
    return DemoOrigin.declareRoutes(config).captureHandler(captureHandler());
  }

  private CaptureHandler captureHandler() {
    return DemoOrigin.captureHandler(orders);
  }

  /** Starts the origin on {@code address:port}, bounded to {@code workers} x {@code cost}. */
  void start(XenoService xeno, String address, int port, int workers, Duration cost, int queueLimit) {
    DemoOrigin.Options options = new DemoOrigin.Options();
    options.xeno = xeno;
    options.siteDirectory = siteDirectory;
    options.orders = orders;
    options.bindAddress = address;
    options.port = port;
    options.workerThreads = workers;
    options.costPerRequest = cost;
    options.queueLimit = queueLimit;
    origin = DemoOrigin.start(options);
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
  public void close() {
    if (origin != null) {
      origin.close();
    }
  }
}
