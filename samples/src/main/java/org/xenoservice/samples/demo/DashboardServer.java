package org.xenoservice.samples.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * The demo's dashboard on {@code http://localhost:PORT/_xeno/}: a page (plain HTML and JS from
 * {@code demo/} on the classpath) that polls {@code /_xeno/api/state} twice a second, and four
 * buttons that post to {@code /_xeno/api/flood/start}, {@code .../flood/stop},
 * {@code .../force} and {@code .../release}. Part of the demo, not of the library: a real site
 * reads {@code /_xeno/status} from its own origin.
 */
final class DashboardServer implements AutoCloseable {
    private static final Map<String, String> FILES = Map.of(
            "/_xeno/",
            "index.html",
            "/_xeno/index.html",
            "index.html",
            "/_xeno/dashboard.js",
            "dashboard.js",
            "/_xeno/dashboard.css",
            "dashboard.css");

    private final Demo demo;
    private final ObjectMapper json = new ObjectMapper();
    private final Undertow server;

    DashboardServer(Demo demo, int port) {
        this.demo = demo;
        this.server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(4)
                .setHandler(new BlockingHandler(this::handle))
                .build();
        server.start();
    }

    /** The port the dashboard listens on. */
    int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** The dashboard's address. */
    String url() {
        return "http://localhost:" + port() + "/_xeno/";
    }

    private void handle(HttpServerExchange exchange) throws IOException {
        String path = exchange.getRequestPath();
        boolean post = exchange.getRequestMethod().equalToString("POST");
        if (path.equals("/")) {
            exchange.setStatusCode(302);
            exchange.getResponseHeaders().put(Headers.LOCATION, "/_xeno/");
            return;
        }
        if (FILES.containsKey(path)) {
            String file = FILES.get(path);
            try (InputStream in = DashboardServer.class.getResourceAsStream("/demo/" + file)) {
                if (in == null) {
                    exchange.setStatusCode(500);
                    exchange.getResponseSender().send("the dashboard's " + file + " is missing from the classpath");
                    return;
                }
                String type =
                        file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css" : "text/html";
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type + "; charset=utf-8");
                exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
                exchange.getResponseSender().send(ByteBuffer.wrap(in.readAllBytes()));
            }
            return;
        }
        if (path.equals("/_xeno/api/state")) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
            exchange.getResponseSender().send(json.writeValueAsString(new DashboardState(demo).json()));
            return;
        }
        if (post) {
            switch (path) {
                case "/_xeno/api/flood/start" -> demo.startFlood();
                case "/_xeno/api/flood/stop" -> demo.stopFlood();
                case "/_xeno/api/force" -> demo.forceOverloaded();
                case "/_xeno/api/release" -> demo.release();
                default -> {
                    exchange.setStatusCode(404);
                    return;
                }
            }
            exchange.setStatusCode(204);
            return;
        }
        exchange.setStatusCode(404);
        exchange.getResponseSender().send("not found: " + path);
    }

    @Override
    public void close() {
        server.stop();
    }
}
