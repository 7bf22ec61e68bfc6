package org.xenoservice.undertow;

import io.undertow.server.Connectors;
import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.ImmediatePooledByteBuffer;
import java.nio.ByteBuffer;
import java.util.Map;
import org.xenoservice.XenoResponse;
import org.xenoservice.XenoService;
import org.xenoservice.admission.AdmissionControl;
import org.xenoservice.admission.Outcome;
import org.xenoservice.admission.Traffic;
import org.xenoservice.backchannel.BackChannelGuard;
import org.xenoservice.backchannel.PeerVerdict;

/**
 * The back-channel gate for Undertow: a request that claims to come from one of the site's peers
 * is verified by {@link XenoService#verifyPeer} before the application sees it. Refused, it is
 * answered with the verdict's 401, 403 or 413 and the application never runs; verified, the peer's
 * name is attached ({@link XenoHandler#PEER}) and the body, read to check its digest, is given
 * back to the application to read as usual, if the admission control admits it as
 * {@link Traffic#PEER} traffic (the share of the limit direct requests cannot take; 503 otherwise),
 * and its permit released when the exchange completes. Runs on a worker thread: it reads the body
 * blocking.
 */
final class PeerRequests implements HttpHandler {
    private final XenoService xeno;
    private final HttpHandler app;

    PeerRequests(XenoService xeno, HttpHandler app) {
        this.xeno = xeno;
        this.app = app;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.getRequestContentLength() > BackChannelGuard.MAX_BODY_BYTES) {
            refuseTooLarge(exchange);
            return;
        }
        if (!exchange.isBlocking()) {
            exchange.startBlocking();
        }
        byte[] body = exchange.getInputStream().readNBytes(BackChannelGuard.MAX_BODY_BYTES + 1);
        if (body.length > BackChannelGuard.MAX_BODY_BYTES) {
            refuseTooLarge(exchange);
            return;
        }
        PeerVerdict verdict = xeno.verifyPeer(
                exchange.getRequestMethod().toString(),
                XenoPaths.target(exchange),
                XenoPaths.headerValues(exchange),
                body);
        if (!verdict.isVerified()) {
            XenoPaths.send(exchange, XenoService.refusal(verdict));
            return;
        }
        long permit = xeno.admit(Traffic.PEER);
        if (permit == AdmissionControl.REJECTED) {
            XenoPaths.send(exchange, xeno.refusedByAdmission());
            return;
        }
        exchange.addExchangeCompleteListener((completed, next) -> {
            try {
                boolean failed = completed.getAttachment(DefaultResponseListener.EXCEPTION) != null;
                int status = completed.isResponseStarted() ? completed.getStatusCode() : 0;
                xeno.release(permit, failed ? Outcome.FAILED : Outcome.ofStatus(status));
            } finally {
                next.proceed();
            }
        });
        exchange.putAttachment(XenoHandler.PEER, verdict.peer().orElseThrow());
        if (body.length > 0) {
            Connectors.ungetRequestBytes(exchange, new ImmediatePooledByteBuffer(ByteBuffer.wrap(body)));
        }
        Connectors.resetRequestChannel(exchange);
        exchange.startBlocking(); // a fresh stream over the body given back
        app.handleRequest(exchange);
    }

    private static void refuseTooLarge(HttpServerExchange exchange) {
        if (exchange.isRequestChannelAvailable()) {
            exchange.setMaxEntitySize(BackChannelGuard.MAX_BODY_BYTES);
        }
        exchange.setPersistent(false);
        XenoPaths.send(
                exchange,
                new XenoResponse(
                        413,
                        "text/plain; charset=utf-8",
                        ("413 Content Too Large: a peer's request may carry at most " + BackChannelGuard.MAX_BODY_BYTES
                                        + " bytes\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        Map.of()));
    }
}
