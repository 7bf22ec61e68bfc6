package org.xenoservice.peer.server;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.xenoservice.peer.ConnectionLimits;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * Undertow listeners assembled by hand, as {@code Undertow.start()} would, for the one thing its
 * builder cannot do: put a {@link ConnectionCap} between accepting a connection and reading it.
 * Every listener here shares one worker (its own I/O and worker threads, so that the control port
 * keeps answering while the serving ports are flooded, and the other way round) and one cap, and
 * applies the {@link ConnectionLimits}: the header timeout ({@code REQUEST_PARSE_TIMEOUT}), the idle
 * timeout (between requests, {@code NO_REQUEST_TIMEOUT}; without reads or writes,
 * {@code IDLE_TIMEOUT} and the socket's read and write timeouts).
 *
 * <p>Not thread-safe: listen from one thread, then {@link #close()}.
 */
final class GuardedListeners implements AutoCloseable {
    private static final int BUFFER_BYTES = 16 * 1024;

    private final XnioWorker worker;
    private final Xnio xnio;
    private final ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_BYTES, -1, 4);
    private final ConnectionCap cap;
    private final OptionMap undertowOptions;
    private final OptionMap socketOptions;
    private final List<AcceptingChannel<?>> channels = new ArrayList<>();

    /**
     * A worker named {@code name} with {@code ioThreads} I/O threads and {@code workerThreads}
     * worker threads, and no listener yet.
     */
    GuardedListeners(String name, ConnectionLimits limits, int ioThreads, int workerThreads) throws IOException {
        this.xnio = Xnio.getInstance(Undertow.class.getClassLoader());
        this.worker = xnio.createWorker(OptionMap.builder()
                .set(Options.WORKER_NAME, name)
                .set(Options.WORKER_IO_THREADS, ioThreads)
                .set(Options.WORKER_TASK_CORE_THREADS, workerThreads)
                .set(Options.WORKER_TASK_MAX_THREADS, workerThreads)
                // The caps are the ConnectionCap's; XNIO's own are set out of the way, as Undertow sets them.
                .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                .set(Options.TCP_NODELAY, true)
                .set(Options.CORK, true)
                .getMap());
        this.cap = new ConnectionCap(limits.maxConnections(), limits.maxConnectionsPerAddress());
        int idleMillis = (int) limits.idleTimeout().toMillis();
        this.undertowOptions = OptionMap.builder()
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int)
                        limits.headerTimeout().toMillis())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, idleMillis)
                .set(UndertowOptions.IDLE_TIMEOUT, idleMillis)
                .getMap();
        this.socketOptions = OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, ioThreads)
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .set(Options.BALANCING_TOKENS, 1)
                .set(Options.BALANCING_CONNECTIONS, 2)
                .set(Options.BACKLOG, 1000)
                .set(Options.READ_TIMEOUT, idleMillis)
                .set(Options.WRITE_TIMEOUT, idleMillis)
                .getMap();
    }

    /** Listens for plain HTTP/1.1 on {@code host:port}; returns the address bound. */
    InetSocketAddress listen(String host, int port, HttpHandler handler) throws IOException {
        HttpOpenListener open = new HttpOpenListener(buffers, undertowOptions);
        open.setRootHandler(handler);
        return bind(worker.createStreamConnectionServer(address(host, port), accept(open), socketOptions));
    }

    /**
     * Listens for TLS on {@code host:port} with {@code context}, HTTP/2 by ALPN when {@code http2},
     * else HTTP/1.1; returns the address bound.
     */
    InetSocketAddress listenTls(String host, int port, SSLContext context, boolean http2, HttpHandler handler)
            throws IOException {
        OptionMap options = http2
                ? OptionMap.builder()
                        .addAll(undertowOptions)
                        .set(UndertowOptions.ENABLE_HTTP2, true)
                        .getMap()
                : undertowOptions;
        HttpOpenListener https = new HttpOpenListener(buffers, options);
        https.setRootHandler(handler);
        ChannelListener<StreamConnection> open = https;
        if (http2) {
            Http2OpenListener h2 = new Http2OpenListener(buffers, options);
            h2.setRootHandler(handler);
            open = new AlpnOpenListener(buffers, options, https).addProtocol(Http2OpenListener.HTTP2, h2, 10);
        }
        UndertowXnioSsl ssl = new UndertowXnioSsl(xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true), context);
        @SuppressWarnings({"unchecked", "rawtypes"}) // XNIO's SSL server takes a listener of its own channel type
        AcceptingChannel<?> server = ssl.createSslConnectionServer(
                worker, address(host, port), (ChannelListener) accept(open), socketOptions);
        return bind(server);
    }

    /** The cap these listeners share. */
    ConnectionCap cap() {
        return cap;
    }

    private ChannelListener<AcceptingChannel<StreamConnection>> accept(ChannelListener<StreamConnection> open) {
        return ChannelListeners.openListenerAdapter(cap.guard(open));
    }

    private InetSocketAddress bind(AcceptingChannel<?> server) {
        channels.add(server);
        server.resumeAccepts();
        return server.getLocalAddress(InetSocketAddress.class);
    }

    private static InetSocketAddress address(String host, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /** Stops accepting connections; those open stay, with their requests in flight. */
    void stopAccepting() {
        channels.forEach(IoUtils::safeClose);
        channels.clear();
    }

    /** Stops accepting, closes every connection and stops the threads. */
    @Override
    public void close() {
        channels.forEach(IoUtils::safeClose);
        channels.clear();
        worker.shutdownNow();
        try {
            worker.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
