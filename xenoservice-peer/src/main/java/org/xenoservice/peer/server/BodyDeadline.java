package org.xenoservice.peer.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * A deadline on receiving a request's body: a client that has not sent the whole body by then has
 * its connection closed. The connection's idle timeout catches a client that stops sending; this
 * catches one that trickles a byte now and then. A timer on the exchange's I/O thread, cancelled
 * when the exchange completes; requests without a body cost nothing. Safe for concurrent use.
 */
final class BodyDeadline implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BodyDeadline.class);

    private final HttpHandler next;
    private final long millis;

    /** Puts {@code timeout} on the bodies of the requests that reach {@code next}. */
    BodyDeadline(HttpHandler next, Duration timeout) {
        this.next = next;
        this.millis = timeout.toMillis();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (!exchange.isRequestComplete()) {
            arm(exchange, millis);
        }
        next.handleRequest(exchange);
    }

    /** Closes the exchange's connection if its request body is not all received within {@code millis}. */
    static void arm(HttpServerExchange exchange, long millis) {
        XnioExecutor.Key timer = exchange.getIoThread()
                .executeAfter(
                        () -> {
                            if (!exchange.isRequestComplete() && !exchange.isComplete()) {
                                LOG.debug(
                                        "{} {} from {}: body not received within {} ms, closing the connection",
                                        exchange.getRequestMethod(),
                                        exchange.getRequestPath(),
                                        exchange.getSourceAddress(),
                                        millis);
                                IoUtils.safeClose(exchange.getConnection());
                            }
                        },
                        millis,
                        TimeUnit.MILLISECONDS);
        exchange.addExchangeCompleteListener((done, proceed) -> {
            timer.remove();
            proceed.proceed();
        });
    }
}
