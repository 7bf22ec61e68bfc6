package org.xenoservice.peer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.xenoservice.bundle.BlobStore;

/**
 * Test fixture: the real {@link ControlProtocol} over real {@link PeerSites}, on the JDK's
 * {@code HttpServer} on loopback port 0. The adapter only copies the request in and the answer out,
 * as the peer's web server does.
 */
public final class ControlProtocolServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final PeerSites sites;

  private ControlProtocolServer(HttpServer server, ExecutorService executor, PeerSites sites) {
    this.server = server;
    this.executor = executor;
    this.sites = sites;
  }

  /** Starts a control port for the enrolled sites, storing under {@code dir}. */
  public static ControlProtocolServer start(Path dir, long maxUploadBytes, List<Enrollment> enrolled)
      throws IOException {
    PeerSites sites = PeerSites.open(dir.resolve("state"), BlobStore.openUnsynced(dir.resolve("blobs")), enrolled);
    ControlAuthenticator auth = new ControlAuthenticator(site -> sites.enrollment(site).map(Enrollment::key),
        Clock.systemUTC(), ControlAuthenticator.DEFAULT_SKEW);
    ControlProtocol protocol = new ControlProtocol(sites, new PeerAccounting(enrolled, System::nanoTime), auth,
        maxUploadBytes, dir.resolve("spool"));
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(protocol, exchange));
    server.start();
    return new ControlProtocolServer(server, executor, sites);
  }

  private static void handle(ControlProtocol protocol, HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> headers = new LinkedHashMap<>();
      exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      long declared = length == null ? -1 : Long.parseLong(length.strip());
      ControlProtocol.Response response;
      try (InputStream body = exchange.getRequestBody()) {
        response = protocol.handle(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers,
            declared, body);
      }
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      exchange.sendResponseHeaders(response.status(), response.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(response.body());
      }
    }
  }

  /** The control URL, e.g. {@code http://127.0.0.1:40123}. */
  public URI url() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
  }

  /** The peer's sites. */
  public PeerSites sites() {
    return sites;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
