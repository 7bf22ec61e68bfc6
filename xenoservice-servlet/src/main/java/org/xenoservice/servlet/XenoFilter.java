package org.xenoservice.servlet;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.CaptureAnswer;
import org.xenoservice.RequestTracker;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoResponse;
import org.xenoservice.XenoService;
import org.xenoservice.admission.AdmissionControl;
import org.xenoservice.admission.Outcome;
import org.xenoservice.admission.Traffic;
import org.xenoservice.backchannel.BackChannelGuard;
import org.xenoservice.backchannel.PeerVerdict;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.PeerSignature;

/**
 * Brings XenoService to an existing servlet web app: it records every request the app handles,
 * so that the overload detector sees a flood coming, and answers XenoService's own paths
 * ({@code /_xeno/status}, {@code /_xeno/metrics}, {@code /_xeno/intake}, relative to the app's
 * context path). Map it to {@code /*} first in the chain, with {@code async-supported} on:
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>xeno</filter-name>
 *   <filter-class>org.xenoservice.servlet.XenoFilter</filter-class>
 *   <async-supported>true</async-supported>
 *   <init-param>
 *     <param-name>config-file</param-name>
 *     <param-value>/etc/xeno/books.properties</param-value>
 *   </init-param>
 * </filter>
 * <filter-mapping>
 *   <filter-name>xeno</filter-name>
 *   <url-pattern>/*</url-pattern>
 * </filter-mapping>
 * }</pre>
 *
 * <p>Where the service comes from, in this order: the one given to {@link #XenoFilter(XenoService)}
 * (programmatic registration); a started {@link XenoService} in the servlet context attribute
 * {@value #SERVICE_ATTRIBUTE}; or the {@value #CONFIG_FILE_PARAM} init-param, a {@link XenoConfig}
 * properties file (relative to the working directory), from which the filter starts a service of
 * its own, publishing the web app's resources ({@link ServletContextSource}) unless the file names
 * a static source. The filter closes only a service it started, in {@link #destroy()}. A mistake
 * in any of this fails {@link #init} with a {@link ServletException} that says what to fix, so the
 * app does not start unprotected.
 *
 * <p>Every request dispatched to the app ({@link DispatcherType#REQUEST}), XenoService's own paths
 * included, goes through the service's {@link RequestTracker}, which decides what is recorded and
 * how (see there); the filter only tells it when a request begins and ends, with what status and
 * how many bytes. A request ends when the chain returns, or for a request the app put into async
 * mode, when the async cycle completes, times out or fails (then it ends as failed, once). A
 * request that throws ends as failed and the exception is rethrown unchanged. The bytes are the
 * response body bytes the container reports ({@code BytesSent}: Tomcat's and Undertow's own
 * counters; in other containers the declared {@code Content-Length}), without the error page a
 * container writes after the app threw.
 *
 * <p>A request that claims to come from one of the site's peers ({@link XenoService#claimsPeer}: it
 * names a peer key) is verified before the app sees it: refused with 401, 403 or 413, or passed on
 * with the peer's name in the request attribute {@value XenoService#PEER_ATTRIBUTE} and its body
 * (read, up to 1 MiB, to check the digest the peer signed) given back to the app.
 *
 * <p>Under fire the origin defends its own capacity, as the Undertow adapter does: while the
 * detector says OVERLOADED or the site is sheltered ({@link XenoService#underFire()}), a {@code GET}
 * or {@code HEAD} of one of the site's static files is
 * answered from memory ({@link XenoService#staticFromMemory}) without the app; every other request
 * goes through the admission control ({@link XenoService#admit}): a verified peer's in the class
 * kept for the peers, anyone else's as direct traffic, refused beyond the limit with a 503 and
 * {@code Retry-After} that never reaches the app, and released when the request (async included)
 * ends. A refused request of a {@code capture} route is journalled instead and answered with the
 * route's page ({@link XenoService#journalCapture}): the order is applied once when the app has room.
 *
 * <p>While the site is sheltered ({@link XenoService#closeDirectConnection(long)}), a direct client's
 * HTTP/1.1 response carries {@code Connection: close}, which Tomcat and Jetty honour by closing the
 * connection after it, so that the client resolves the name again and finds the peers. The Servlet
 * API cannot send an HTTP/2 GOAWAY: HTTP/2 clients of a servlet container keep their connections
 * (the Undertow adapter does send one).
 */
public final class XenoFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(XenoFilter.class);

    /** The servlet context attribute where an app may put a started {@link XenoService} for the filter. */
    public static final String SERVICE_ATTRIBUTE = "org.xenoservice.XenoService";
    /** The init-param that names the {@link XenoConfig} properties file. */
    public static final String CONFIG_FILE_PARAM = "config-file";

    private final Optional<XenoService> given;
    private final BytesSent bytesSent = new BytesSent();
    private volatile XenoService xeno;
    private volatile RequestTracker tracker;
    private volatile boolean owned;

    /** A filter that finds its service in {@link #init}: the context attribute or the config file. */
    public XenoFilter() {
        this.given = Optional.empty();
    }

    /** A filter for programmatic registration that uses {@code service} and never closes it. */
    public XenoFilter(XenoService service) {
        this.given = Optional.of(Objects.requireNonNull(service, "service"));
    }

    /**
     * Finds or starts the service.
     *
     * @throws ServletException saying what to fix when the configuration is wrong or the service
     *     cannot start
     */
    @Override
    public void init(FilterConfig config) throws ServletException {
        String name = config.getFilterName();
        List<String> params = Collections.list(config.getInitParameterNames());
        for (String param : params) {
            if (!param.equals(CONFIG_FILE_PARAM)) {
                throw new ServletException("XenoFilter " + name + ": unknown init-param " + param + "; the only one is "
                        + CONFIG_FILE_PARAM + " (a XenoService properties file, which holds every other setting)");
            }
        }
        String file = config.getInitParameter(CONFIG_FILE_PARAM);
        Object attribute = config.getServletContext().getAttribute(SERVICE_ATTRIBUTE);
        if (given.isPresent() || attribute != null) {
            if (file != null) {
                throw new ServletException("XenoFilter " + name + " has a XenoService already ("
                        + (given.isPresent() ? "given to its constructor" : "in context attribute " + SERVICE_ATTRIBUTE)
                        + ") and init-param "
                        + CONFIG_FILE_PARAM + " too; remove one of them");
            }
            if (given.isEmpty() && !(attribute instanceof XenoService)) {
                throw new ServletException("XenoFilter " + name + ": context attribute " + SERVICE_ATTRIBUTE
                        + " must hold a started org.xenoservice.XenoService, but holds a "
                        + attribute.getClass().getName());
            }
            use(given.orElseGet(() -> (XenoService) attribute), false);
            return;
        }
        if (file == null || file.isBlank()) {
            throw new ServletException("XenoFilter " + name + " has no XenoService: set init-param " + CONFIG_FILE_PARAM
                    + " to a XenoService properties file, or put a started XenoService in context attribute "
                    + SERVICE_ATTRIBUTE);
        }
        Path path = Path.of(file.trim()).toAbsolutePath();
        XenoService started;
        try {
            XenoConfig.Builder builder = XenoConfig.builder().load(path);
            if (!builder.hasStaticSource()) {
                builder.staticSource(new ServletContextSource(config.getServletContext()));
            }
            started = XenoService.start(builder.build());
        } catch (IOException | RuntimeException e) {
            String problem = String.valueOf(e.getMessage());
            throw new ServletException(
                    "XenoFilter " + name + " cannot start XenoService from " + CONFIG_FILE_PARAM + " "
                            + (problem.startsWith(path.toString()) ? problem : path + ": " + problem),
                    e);
        }
        use(started, true);
    }

    private void use(XenoService service, boolean ownService) {
        this.tracker = service.tracker();
        this.owned = ownService;
        this.xeno = service;
        LOG.info("XenoFilter records requests for {}{}", service.config().site(), ownService ? "" : " (service given)");
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!(req instanceof HttpServletRequest request)
                || !(res instanceof HttpServletResponse response)
                || request.getDispatcherType() != DispatcherType.REQUEST) {
            chain.doFilter(req, res);
            return;
        }
        XenoService service = xeno;
        String path = pathInApp(request);
        long ticket = tracker.begin(request.getMethod(), path);
        long permit = AdmissionControl.REJECTED;
        try {
            if (service.isXenoPath(path)) {
                serveXeno(service, request, response, path);
            } else if (request.getHeader(PeerSignature.PEER_KEY_HEADER) != null) { // XenoService.claimsPeer
                permit = servePeer(service, request, response, chain);
            } else {
                permit = serveDirect(service, request, response, chain, path);
            }
        } catch (Throwable e) {
            tracker.endFailed(ticket, bytesSent.of(response));
            throw e;
        }
        if (request.isAsyncStarted()) {
            request.getAsyncContext().addListener(new Completion(ticket, permit, response));
        } else {
            tracker.end(ticket, response.getStatus(), bytesSent.of(response));
            if (permit != AdmissionControl.REJECTED) {
                service.release(permit, Outcome.ofStatus(response.getStatus()));
            }
        }
    }

    /**
     * A request from anyone but a peer: moved off the origin while the site is sheltered, answered
     * from memory while the origin is overloaded if it is one of the site's static files, and
     * otherwise admitted to the app or refused without it. Returns the admission permit to release
     * when the request ends, or {@link AdmissionControl#REJECTED} when the app did not run (or threw:
     * its permit is released here, as failed).
     */
    private static long serveDirect(
            XenoService service,
            HttpServletRequest request,
            HttpServletResponse response,
            FilterChain chain,
            String path)
            throws IOException, ServletException {
        if (service.sheltered()
                && !request.getProtocol().startsWith("HTTP/2")
                && service.closeDirectConnection(service.connectionFirstSeen(
                        request.getRemoteAddr() + " " + request.getRemotePort() + " " + request.getLocalPort()))) {
            // Tomcat and Jetty close an HTTP/1.1 connection after a response that says so; the
            // Servlet API has no way to send an HTTP/2 GOAWAY
            response.setHeader("Connection", "close");
        }
        if (service.underFire()) {
            Optional<XenoResponse> page = service.staticFromMemory(
                    request.getMethod(), path, name -> Optional.ofNullable(request.getHeader(name)));
            if (page.isPresent()) {
                send(request, response, page.get());
                return AdmissionControl.REJECTED;
            }
        }
        long permit = admitted(service, Traffic.DIRECT, request, response, chain);
        if (permit == AdmissionControl.REJECTED && !response.isCommitted()) {
            journalOrRefuse(service, request, response, path);
        }
        return permit;
    }

    /**
     * A direct request the app has no room for: journalled by the origin and answered with its
     * route's page if it is of a {@code capture} route ({@link XenoService#journalCapture}), else
     * refused with a 503.
     */
    private static void journalOrRefuse(
            XenoService service, HttpServletRequest request, HttpServletResponse response, String path)
            throws IOException {
        Optional<CaptureAnswer> answer = Optional.empty();
        if (service.captureRoute(path).isPresent()) {
            byte[] body = request.getInputStream().readNBytes(CapturedRequest.MAX_BODY_BYTES + 1);
            answer = service.journalCapture(
                    request.getMethod(),
                    targetInApp(request),
                    name -> Optional.ofNullable(request.getHeader(name)),
                    body);
        }
        send(request, response, answer.map(service::responseFor).orElseGet(service::refusedByAdmission));
    }

    /** Runs the rest of the chain if the admission control admits the request; else answers 503. */
    private static long admitted(
            XenoService service,
            Traffic traffic,
            HttpServletRequest request,
            HttpServletResponse response,
            FilterChain chain)
            throws IOException, ServletException {
        long permit = service.admit(traffic);
        if (permit == AdmissionControl.REJECTED) {
            if (traffic == Traffic.PEER) {
                send(request, response, service.refusedByAdmission());
            }
            return AdmissionControl.REJECTED; // a direct request: journalled or refused by serveDirect
        }
        try {
            chain.doFilter(request, response);
        } catch (Throwable e) {
            service.release(permit, Outcome.FAILED);
            throw e;
        }
        return permit;
    }

    /** Closes the service if the filter started it. */
    @Override
    public void destroy() {
        XenoService service = xeno;
        if (service != null && owned) {
            service.close();
        }
    }

    /** The path within the app, decoded and normalised as the container routes it. */
    static String pathInApp(HttpServletRequest request) {
        String servletPath = request.getServletPath();
        String info = request.getPathInfo();
        return info == null ? servletPath : servletPath + info;
    }

    private static void serveXeno(
            XenoService service, HttpServletRequest request, HttpServletResponse response, String path)
            throws IOException {
        byte[] body;
        if (request.getContentLengthLong() > XenoService.MAX_XENO_BODY_BYTES) {
            body = null;
        } else {
            body = request.getInputStream().readNBytes(XenoService.MAX_XENO_BODY_BYTES + 1);
        }
        if (body == null || body.length > XenoService.MAX_XENO_BODY_BYTES) {
            response.sendError(
                    HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                    "the body is larger than " + XenoService.MAX_XENO_BODY_BYTES + " bytes");
            return;
        }
        XenoResponse answer = service.serveXenoPath(
                request.getMethod(), path, target(request), headerValues(request), new ByteArrayInputStream(body));
        send(request, response, answer);
    }

    /**
     * Verifies a request that claims to come from a peer before the app sees it: refused with the
     * verdict's status, or passed on with the peer's name in {@value XenoService#PEER_ATTRIBUTE} and
     * the body it read given back ({@link PeerRequest}).
     */
    private static long servePeer(
            XenoService service, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        byte[] body = request.getContentLengthLong() > BackChannelGuard.MAX_BODY_BYTES
                ? null
                : request.getInputStream().readNBytes(BackChannelGuard.MAX_BODY_BYTES + 1);
        if (body == null || body.length > BackChannelGuard.MAX_BODY_BYTES) {
            response.sendError(
                    HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                    "a peer's request may carry at most " + BackChannelGuard.MAX_BODY_BYTES + " bytes");
            return AdmissionControl.REJECTED;
        }
        PeerVerdict verdict = service.verifyPeer(request.getMethod(), target(request), headerValues(request), body);
        if (!verdict.isVerified()) {
            send(request, response, XenoService.refusal(verdict));
            return AdmissionControl.REJECTED;
        }
        request.setAttribute(XenoService.PEER_ATTRIBUTE, verdict.peer().orElseThrow());
        return admitted(service, Traffic.PEER, new PeerRequest(request, body), response, chain);
    }

    /**
     * The request target as received but within the app: the raw path without the context path, and
     * the query; what a peer journals for the same request, which knows the site, not the app's mount.
     */
    private static String targetInApp(HttpServletRequest request) {
        String target = target(request);
        String context = request.getContextPath();
        return !context.isEmpty() && target.startsWith(context) ? target.substring(context.length()) : target;
    }

    /** The request target as received: the raw path (with the context path) and the query. */
    private static String target(HttpServletRequest request) {
        String query = request.getQueryString();
        return request.getRequestURI() + (query == null || query.isEmpty() ? "" : "?" + query);
    }

    private static PeerSignature.HeaderValues headerValues(HttpServletRequest request) {
        return name -> {
            java.util.Enumeration<String> values = request.getHeaders(name);
            return values == null ? List.of() : Collections.list(values);
        };
    }

    private static void send(HttpServletRequest request, HttpServletResponse response, XenoResponse answer)
            throws IOException {
        response.setStatus(answer.status());
        response.setContentType(answer.contentType());
        answer.headers().forEach(response::setHeader);
        response.setContentLengthLong(answer.contentLength()); // a HEAD or 304 from memory: the GET's
        if (!request.getMethod().equals("HEAD")) {
            response.getOutputStream().write(answer.body());
        }
    }

    /** Ends an async request's record once, at the first of complete, timeout and error. */
    private final class Completion implements AsyncListener {
        private final AtomicBoolean ended = new AtomicBoolean();
        private final long ticket;
        private final long permit;
        private final HttpServletResponse response;

        Completion(long ticket, long permit, HttpServletResponse response) {
            this.ticket = ticket;
            this.permit = permit;
            this.response = response;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            if (ended.compareAndSet(false, true)) {
                tracker.end(ticket, response.getStatus(), bytesSent.of(response));
                release(Outcome.ofStatus(response.getStatus()));
            }
        }

        private void release(Outcome outcome) {
            if (permit != AdmissionControl.REJECTED) {
                xeno.release(permit, outcome);
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            failed();
        }

        @Override
        public void onError(AsyncEvent event) {
            failed();
        }

        /** The container gave up on the request: it ends as failed, whatever the app's listeners answered. */
        private void failed() {
            if (ended.compareAndSet(false, true)) {
                tracker.endFailed(ticket, bytesSent.of(response));
                release(Outcome.FAILED);
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // the app started a new async cycle: this listener stays registered for it
            event.getAsyncContext().addListener(this);
        }
    }
}
