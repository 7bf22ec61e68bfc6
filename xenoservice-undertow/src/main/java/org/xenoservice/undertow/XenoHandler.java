package org.xenoservice.undertow;

import io.undertow.server.DefaultResponseListener;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.CaptureAnswer;
import org.xenoservice.RequestTracker;
import org.xenoservice.XenoResponse;
import org.xenoservice.XenoService;
import org.xenoservice.admission.AdmissionControl;
import org.xenoservice.admission.Outcome;
import org.xenoservice.admission.Traffic;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.PeerSignature;

/**
 * Puts an Undertow application under a {@link XenoService}'s protection: every request is recorded
 * for overload detection (a few atomic adds on the request thread, no lock), and XenoService's own
 * paths under {@value XenoService#XENO_PREFIX} are answered by the service instead of the
 * application. It is the Undertow half of the paper's "the origin notices the flood itself".
 *
 * <pre>{@code
 * XenoService xeno = XenoService.start(XenoConfig.load(Path.of("xeno.properties")));
 * Undertow.builder()
 *     .addHttpListener(8080, "0.0.0.0")
 *     .setHandler(XenoHandler.wrap(xeno, app))          // or XenoHandler.builder(xeno)...build()
 *     .build().start();
 * }</pre>
 *
 * <p>Every request, XenoService's own paths included, goes through the service's
 * {@link RequestTracker}, which decides what is recorded and how (see there); this handler only
 * tells it when a request begins and ends, with what status and how many bytes. It ends the record
 * when Undertow completes the exchange: on return from the application if it completed the exchange
 * by then (no allocation), else from an exchange completion listener, so a request the application
 * dispatches to a worker or completes later from another thread is in flight until then. The status
 * is the one sent, or 0 if the exchange completed before any response was sent (the client went
 * away). A request whose handler threw, on the calling thread or on a worker Undertow dispatched
 * it to, ends as failed; the exception still reaches Undertow, which answers 500 if it can. The
 * bytes are Undertow's count of the response body bytes sent
 * ({@link HttpServerExchange#getResponseBytesSent()}: after content coding, 0 for {@code HEAD}).
 *
 * <p>XenoService's paths are answered on a worker thread, with the request body read into memory
 * up to {@link XenoService#MAX_XENO_BODY_BYTES} (413 above). A request that claims to come from one
 * of the site's peers ({@link XenoService#claimsPeer}: it names a peer key) is verified on a worker
 * thread before the application sees it: refused with 401, 403 or 413, or passed on with the
 * peer's name in the {@link #PEER} attachment and its body intact.
 *
 * <p>Under fire the origin defends its own capacity: while the detector says OVERLOADED or
 * the site is sheltered ({@link XenoService#underFire()}), a {@code GET} or {@code HEAD} of one of the
 * site's static files is answered from memory
 * ({@link XenoService#staticFromMemory}) on the I/O thread, without the application; every other
 * request goes through the admission control ({@link XenoService#admit}): a verified peer's in the
 * class kept for the peers, anyone else's as direct traffic, refused beyond the limit with a 503 and
 * {@code Retry-After} that never reaches the application, and released when the exchange completes.
 * A refused request of a {@code capture} route is journalled instead and answered with the route's
 * page ({@link XenoService#journalCapture}): the order is applied once when the application has room.
 * While the site is sheltered
 * ({@link XenoService#closeDirectConnection(long)}), a direct client's connection is closed after its
 * response (HTTP/1.1 {@code Connection: close}, HTTP/2 GOAWAY), so that it resolves the name again
 * and finds the peers. Safe for concurrent use, as Undertow requires of a handler.
 */
public final class XenoHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(XenoHandler.class);

    private final XenoService xeno;
    private final RequestTracker tracker;
    private final HttpHandler app;
    private final XenoPaths xenoPaths;
    private final PeerRequests peerRequests;

    /**
     * The name of the peer that signed a request ({@code p1} for {@code peer.p1.public-key}), attached
     * to the exchange of every request verified as a pinned peer's, absent on every other request.
     */
    public static final AttachmentKey<String> PEER = AttachmentKey.create(String.class);

    private static final HttpString PEER_KEY = new HttpString(PeerSignature.PEER_KEY_HEADER);

    private XenoHandler(XenoService xeno, HttpHandler app) {
        this.xeno = Objects.requireNonNull(xeno, "xeno");
        this.tracker = xeno.tracker();
        this.app = Objects.requireNonNull(app, "app");
        this.xenoPaths = new XenoPaths(xeno);
        this.peerRequests = new PeerRequests(xeno, app);
    }

    /** Wraps an application handler: its requests are recorded, XenoService's paths go to {@code xeno}. */
    public static XenoHandler wrap(XenoService xeno, HttpHandler app) {
        return new XenoHandler(xeno, app);
    }

    /** A builder for an application made of static content and dynamic handlers by path prefix. */
    public static Builder builder(XenoService xeno) {
        return new Builder(Objects.requireNonNull(xeno, "xeno"));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        long ticket = tracker.begin(exchange.getRequestMethod().toString(), path);
        long permit = AdmissionControl.REJECTED;
        try {
            if (xeno.isXenoPath(path)) {
                onWorker(exchange, ticket, xenoPaths);
            } else if (exchange.getRequestHeaders().contains(PEER_KEY)) { // XenoService.claimsPeer, allocation-free
                onWorker(exchange, ticket, peerRequests);
            } else {
                permit = direct(exchange);
            }
        } catch (Throwable t) {
            endWhenComplete(exchange, ticket, permit, true); // Undertow ends it, with a 500 if nothing was sent yet
            throw t;
        }
        endWhenComplete(exchange, ticket, permit, false);
    }

    /**
     * A request from anyone but a peer: moved off the origin while the site is sheltered, answered
     * from memory while the origin is overloaded if it is one of the site's static files, and
     * otherwise admitted to the application or refused without it. Returns the admission permit to
     * release when the exchange completes, or {@link AdmissionControl#REJECTED} when the application
     * did not run (or threw: its permit is released here, as failed).
     */
    private long direct(HttpServerExchange exchange) throws Exception {
        if (xeno.sheltered() && xeno.closeDirectConnection(ClientMoves.firstSeen(exchange))) {
            ClientMoves.closeAfterResponse(exchange);
        }
        if (xeno.underFire() && fromMemory(exchange)) {
            return AdmissionControl.REJECTED;
        }
        long permit = xeno.admit(Traffic.DIRECT);
        if (permit == AdmissionControl.REJECTED) {
            if (xeno.captureRoute(exchange.getRequestPath()).isPresent()) {
                exchange.dispatch((HttpHandler) this::journal); // reads the body and fsyncs: off the I/O thread
            } else {
                XenoPaths.send(exchange, xeno.refusedByAdmission());
            }
            return AdmissionControl.REJECTED;
        }
        try {
            app.handleRequest(exchange);
        } catch (Throwable t) {
            xeno.release(permit, Outcome.FAILED);
            throw t;
        }
        return permit;
    }

    /**
     * A request of a {@code capture} route the application has no room for: journalled by the
     * origin and answered with the route's page ({@link XenoService#journalCapture}), on a worker.
     */
    private void journal(HttpServerExchange exchange) throws IOException {
        exchange.startBlocking();
        byte[] body = exchange.getInputStream().readNBytes(CapturedRequest.MAX_BODY_BYTES + 1);
        HeaderMap headers = exchange.getRequestHeaders();
        Optional<CaptureAnswer> answer = xeno.journalCapture(
                exchange.getRequestMethod().toString(),
                XenoPaths.target(exchange),
                name -> Optional.ofNullable(headers.getFirst(name)),
                body);
        if (body.length > CapturedRequest.MAX_BODY_BYTES) {
            exchange.setPersistent(false); // the rest of the body is never read
        }
        XenoPaths.send(exchange, answer.map(xeno::responseFor).orElseGet(xeno::refusedByAdmission));
    }

    /** Sends the static file the request asks for from memory, if XenoService holds it. */
    private boolean fromMemory(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        Optional<XenoResponse> page = xeno.staticFromMemory(
                exchange.getRequestMethod().toString(),
                exchange.getRequestPath(),
                name -> Optional.ofNullable(headers.getFirst(name)));
        page.ifPresent(answer -> XenoPaths.send(exchange, answer));
        return page.isPresent();
    }

    /**
     * Ends the record (and releases the admission permit, if any) now if the handler completed the
     * exchange before returning (the common case, and then nothing is allocated), else when Undertow
     * completes it.
     */
    private void endWhenComplete(HttpServerExchange exchange, long ticket, long permit, boolean threw) {
        if (!exchange.isComplete()) {
            try {
                exchange.addExchangeCompleteListener(new Completion(ticket, permit, threw));
                return;
            } catch (IllegalStateException completedMeanwhile) {
                // a thread the handler handed the exchange to completed it since the check: end it here
            }
        }
        end(exchange, ticket, permit, threw);
    }

    /**
     * Tells the tracker how the exchange ended: failed when the handler threw (here, or on a worker,
     * where Undertow's root handler caught it), else with the status sent, or 0 when no response went
     * out; and the admission control likewise, when the request was admitted.
     */
    private void end(HttpServerExchange exchange, long ticket, long permit, boolean threw) {
        boolean failed = threw || exchange.getAttachment(DefaultResponseListener.EXCEPTION) != null;
        int status = exchange.isResponseStarted() ? exchange.getStatusCode() : 0;
        if (failed) {
            tracker.endFailed(ticket, exchange.getResponseBytesSent());
        } else {
            tracker.end(ticket, status, exchange.getResponseBytesSent());
        }
        if (permit != AdmissionControl.REJECTED) {
            xeno.release(permit, failed ? Outcome.FAILED : Outcome.ofStatus(status));
        }
    }

    /**
     * XenoService's paths and the check of a peer's request read the body blocking, so they go to a
     * worker; the wait for one is recorded as queue delay.
     */
    private void onWorker(HttpServerExchange exchange, long ticket, HttpHandler handler) throws Exception {
        if (!exchange.isInIoThread()) {
            handler.handleRequest(exchange);
            return;
        }
        exchange.dispatch((HttpHandler) worker -> {
            tracker.handling(ticket);
            handler.handleRequest(worker);
        });
    }

    /** Ends the record of a request that outlived its handler's call, when Undertow completes it. */
    private final class Completion implements ExchangeCompletionListener {
        private final long ticket;
        private final long permit;
        private final boolean threw;

        Completion(long ticket, long permit, boolean threw) {
            this.ticket = ticket;
            this.permit = permit;
            this.threw = threw;
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            try {
                end(exchange, ticket, permit, threw);
            } finally {
                next.proceed();
            }
        }
    }

    /**
     * Builds a {@link XenoHandler} around static content and dynamic handlers: a request goes to the
     * dynamic handler whose prefix covers its path (the longest, by the rule of
     * {@link DynamicRoute#covers(String)}: {@code /order} covers {@code /order} and {@code /order/1},
     * not {@code /orders}), and otherwise to the static handler (404 if there is none). Handlers see
     * the request's whole path. Declare each dynamic prefix in the service's configuration too, with
     * the policy replicas apply to it; a prefix that is not declared is logged as a warning at build.
     */
    public static final class Builder {
        private final XenoService xeno;
        private final Map<String, HttpHandler> dynamic = new LinkedHashMap<>();
        private HttpHandler staticHandler = ResponseCodeHandler.HANDLE_404;

        private Builder(XenoService xeno) {
            this.xeno = xeno;
        }

        /**
         * Serves static files from {@code directory} (Undertow's {@link ResourceHandler} over a
         * {@link PathResourceManager}; 404 for files it does not hold). Usually the directory the
         * service bundles for replicas.
         */
        public Builder staticDirectory(Path directory) {
            Objects.requireNonNull(directory, "directory");
            if (!Files.isDirectory(directory)) {
                throw new IllegalArgumentException("staticDirectory must be a directory, but " + directory + " is not");
            }
            return staticHandler(
                    new ResourceHandler(new PathResourceManager(directory), ResponseCodeHandler.HANDLE_404));
        }

        /** Serves the paths that no dynamic prefix covers with {@code handler}; replaces a static directory. */
        public Builder staticHandler(HttpHandler handler) {
            this.staticHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Sends the paths that {@code prefix} covers to {@code handler}.
         *
         * @param prefix a path prefix starting with {@code /}, e.g. {@code /order} or {@code /api/}
         */
        public Builder dynamic(String prefix, HttpHandler handler) {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(handler, "handler");
            if (!prefix.startsWith("/") || prefix.startsWith(XenoService.XENO_PREFIX)) {
                throw new IllegalArgumentException(
                        "prefix must start with / and lie outside " + XenoService.XENO_PREFIX + ", but was " + prefix);
            }
            if (dynamic.putIfAbsent(prefix, handler) != null) {
                throw new IllegalArgumentException("prefix " + prefix + " has a dynamic handler already");
            }
            return this;
        }

        /** The handler to give Undertow. */
        public XenoHandler build() {
            for (String prefix : dynamic.keySet()) {
                if (xeno.config().dynamicRoutes().stream()
                        .noneMatch(route -> route.prefix().equals(prefix))) {
                    LOG.warn(
                            "Dynamic handler {} has no dynamic route in the XenoService configuration: replicas will"
                                    + " answer 404 there; declare it (e.g. dynamic.{} = degrade,page=/sorry.html)",
                            prefix,
                            prefix);
                }
            }
            return new XenoHandler(xeno, dynamic.isEmpty() ? staticHandler : new PrefixRouter(dynamic, staticHandler));
        }
    }
}
