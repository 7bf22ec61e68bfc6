package org.xenoservice.benchmarks;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.undertow.XenoHandler;

/**
 * Undertow's hello-world handler, bare or wrapped in a {@link XenoHandler} with a real
 * {@link XenoService} (detector and replicator running, no peers), for the benchmark of what the
 * wrapper costs per request. Prints {@code port=N} once it serves. Runs until killed.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.xenoservice.benchmarks.HandlerBenchmarkServer bare|wrapped PORT WORK_DIR}
 */
public final class HandlerBenchmarkServer {
    private static final ByteBuffer HELLO = ByteBuffer.allocateDirect(13)
            .put("Hello, World!".getBytes(StandardCharsets.US_ASCII))
            .flip();

    private HandlerBenchmarkServer() {}

    /** Starts the server and blocks. */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        boolean wrapped = switch (args[0]) {
            case "bare", "service" -> false;
            case "wrapped" -> true;
            default -> throw new IllegalArgumentException("mode must be bare, service or wrapped, but was " + args[0]);
        };
        boolean service = wrapped || args[0].equals("service");
        int port = Integer.parseInt(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        HttpHandler hello = exchange -> {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
            exchange.getResponseSender().send(HELLO.duplicate());
        };
        HttpHandler handler = hello;
        if (service) {
            Path site = Files.createDirectories(work.resolve("site"));
            Files.writeString(site.resolve("index.html"), "Hello, World!");
            XenoService xeno = XenoService.start(XenoConfig.builder()
                    .site("bench.example")
                    .siteKey(SiteKeys.generate().getPrivate())
                    .staticDirectory(site)
                    .stateDirectory(work.resolve("state"))
                    .adminToken("0123456789abcdef-benchmark")
                    .build());
            Runtime.getRuntime().addShutdownHook(new Thread(xeno::close, "xeno-shutdown"));
            handler = wrapped ? XenoHandler.wrap(xeno, hello) : hello;
        }
        Undertow server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setHandler(handler)
                .build();
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "undertow-shutdown"));
        System.out.println(
                "port=" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
