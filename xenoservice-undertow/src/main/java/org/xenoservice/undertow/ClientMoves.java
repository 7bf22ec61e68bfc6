package org.xenoservice.undertow;

import io.undertow.protocols.http2.Http2Channel;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Protocols;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a direct client's connection after its current response, so that its next request
 * resolves the site's name again ({@link org.xenoservice.XenoService#closeDirectConnection(long)}):
 * HTTP/1.x by making the exchange non-persistent (Undertow then answers {@code Connection: close}
 * and closes), HTTP/2 by a GOAWAY that lets the streams already received finish. Undertow offers no
 * public way to reach an HTTP/2 exchange's connection channel, so its field is read through a
 * {@link VarHandle}; if a later Undertow renames it, HTTP/2 connections are left open and a warning
 * says so once, and HTTP/1.x is unaffected.
 */
final class ClientMoves {
    private static final Logger LOG = LoggerFactory.getLogger(ClientMoves.class);
    private static final Optional<VarHandle> HTTP2_CHANNEL = http2Channel();

    /** When a connection's first request came, as seen while the site was sheltered: {@link System#nanoTime()}. */
    private static final AttachmentKey<Long> FIRST_SEEN = AttachmentKey.create(Long.class);

    private ClientMoves() {}

    /** When {@code exchange}'s connection made its first request (this one, if it has not been asked before). */
    static long firstSeen(HttpServerExchange exchange) {
        ServerConnection connection = exchange.getConnection();
        Long seen = connection.getAttachment(FIRST_SEEN);
        if (seen == null) {
            seen = System.nanoTime();
            connection.putAttachment(FIRST_SEEN, seen);
        }
        return seen;
    }

    /** Ends {@code exchange}'s connection after its response. */
    static void closeAfterResponse(HttpServerExchange exchange) {
        if (!Protocols.HTTP_2_0.equals(exchange.getProtocol())) {
            exchange.setPersistent(false);
            return;
        }
        ServerConnection connection = exchange.getConnection();
        if (connection instanceof Http2ServerConnection && HTTP2_CHANNEL.isPresent()) {
            Http2Channel channel = (Http2Channel) HTTP2_CHANNEL.get().get(connection);
            // After the answer: a GOAWAY sent first would end the connection before this stream's frames
            exchange.addExchangeCompleteListener((done, next) -> {
                try {
                    next.proceed();
                } finally {
                    if (!channel.isThisGoneAway()) {
                        channel.sendGoAway(Http2Channel.ERROR_NO_ERROR);
                    }
                }
            });
        }
    }

    private static Optional<VarHandle> http2Channel() {
        try {
            return Optional.of(MethodHandles.privateLookupIn(Http2ServerConnection.class, MethodHandles.lookup())
                    .findVarHandle(Http2ServerConnection.class, "channel", Http2Channel.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "this Undertow hides an HTTP/2 connection's channel ({}): while the site is sheltered, HTTP/2"
                            + " clients keep their connections to the origin (HTTP/1.1 clients are still moved)",
                    e.toString());
            return Optional.empty();
        }
    }
}
