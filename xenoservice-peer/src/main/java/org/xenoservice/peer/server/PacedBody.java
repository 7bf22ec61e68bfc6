package org.xenoservice.peer.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.peer.BandwidthLimiter;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * Sends a file's answer on the exchange's I/O thread without ever blocking a thread: a piece at a
 * time, as far as the client takes it (then it waits for the channel to become writable) and as
 * far as the site's {@link BandwidthLimiter} bucket allows (then it waits on a timer of the I/O
 * thread). A slow reader so holds a connection and a file, never a worker thread, and a site's
 * parallel downloads share its bandwidth. After {@value #PIECES_PER_TURN} pieces in a row it yields
 * the I/O thread to the other connections on it.
 *
 * <p>Confined to the exchange's I/O thread once {@link #start} has handed over, but for closing the
 * source, which the exchange's end may do from another thread.
 */
final class PacedBody implements ChannelListener<StreamSinkChannel>, Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(PacedBody.class);
    private static final long PIECE_BYTES = 64 * 1024;
    private static final int PIECES_PER_TURN = 16;

    private final HttpServerExchange exchange;
    private final BodySource source;
    private final BandwidthLimiter limiter;
    private final String site;
    private final SiteHandler.Sent sent;
    private StreamSinkChannel channel;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PacedBody(
            HttpServerExchange exchange,
            BodySource source,
            BandwidthLimiter limiter,
            String site,
            SiteHandler.Sent sent) {
        this.exchange = exchange;
        this.source = source;
        this.limiter = limiter;
        this.site = site;
        this.sent = sent;
    }

    /**
     * Sends {@code source} as the exchange's body (status and headers set, Content-Length among them),
     * from the exchange's I/O thread once the current handler returns; ends the exchange when done,
     * closes the connection on failure, and closes the source either way.
     */
    static void start(
            HttpServerExchange exchange,
            BodySource source,
            BandwidthLimiter limiter,
            String site,
            SiteHandler.Sent sent) {
        PacedBody body = new PacedBody(exchange, source, limiter, site, sent);
        exchange.addExchangeCompleteListener((done, next) -> {
            body.closeSource();
            next.proceed();
        });
        exchange.dispatch(exchange.isInIoThread() ? SameThreadExecutor.INSTANCE : exchange.getIoThread(), body);
    }

    /** A timer fired, or the hand-over from {@link #start}. */
    @Override
    public void run() {
        if (channel == null) {
            channel = exchange.getResponseChannel();
            if (channel == null) {
                closeSource();
                LOG.warn(
                        "{} {}: the response channel was taken already",
                        exchange.getRequestMethod(),
                        exchange.getRequestPath());
                IoUtils.safeClose(exchange.getConnection());
                return;
            }
        }
        pump();
    }

    /** The channel is writable again. */
    @Override
    public void handleEvent(StreamSinkChannel writable) {
        writable.suspendWrites();
        pump();
    }

    private void pump() {
        try {
            for (int piece = 0; source.remaining() > 0; piece++) {
                if (piece == PIECES_PER_TURN) {
                    exchange.getIoThread().execute(this);
                    return;
                }
                long wanted = Math.min(PIECE_BYTES, source.remaining());
                long granted = limiter.take(site, wanted);
                if (granted == 0) {
                    long waitMillis =
                            Math.max(1, TimeUnit.NANOSECONDS.toMillis(limiter.nanosUntil(site, wanted) + 999_999));
                    exchange.getIoThread().executeAfter(this, waitMillis, TimeUnit.MILLISECONDS);
                    return;
                }
                long written = source.writeTo(channel, granted);
                if (written == BodySource.YIELD) {
                    limiter.giveBack(site, granted);
                    exchange.getIoThread().execute(this);
                    return;
                }
                limiter.giveBack(site, granted - written);
                sent.add(written);
                if (written < granted) {
                    channel.getWriteSetter().set(this);
                    channel.resumeWrites();
                    return;
                }
            }
            channel.getWriteSetter().set(null);
            closeSource();
            exchange.endExchange();
        } catch (IOException | RuntimeException e) {
            channel.getWriteSetter().set(null);
            closeSource();
            SiteHandler.failed(exchange, sent, e);
        }
    }

    private void closeSource() {
        if (closed.compareAndSet(false, true)) {
            try {
                source.close();
            } catch (IOException e) {
                LOG.debug("closing the source of {} failed: {}", exchange.getRequestPath(), e.toString());
            }
        }
    }
}
