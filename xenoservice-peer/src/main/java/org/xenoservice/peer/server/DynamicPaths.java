package org.xenoservice.peer.server;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.dns.AddressLiterals;
import org.xenoservice.dynamic.CapturePolicy;
import org.xenoservice.dynamic.DegradePolicy;
import org.xenoservice.dynamic.DynamicSettingException;
import org.xenoservice.dynamic.ProxyPolicy;
import org.xenoservice.peer.BandwidthLimiter;
import org.xenoservice.peer.CaptureRefusedException;
import org.xenoservice.peer.Captures;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.peer.ServedSite;
import org.xenoservice.protocol.CaptureDelivery;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;

/**
 * Answers requests under a site's dynamic routes ({@code degrade}, {@code proxy} and
 * {@code capture}), on a worker thread. The policies' settings are parsed and checked in core
 * ({@link DegradePolicy}, {@link ProxyPolicy}, {@link CapturePolicy}), and captured requests are
 * journalled and forwarded by core's {@link Captures}; this class only moves bytes between Undertow and the JDK
 * {@link HttpClient}. A misconfigured route is answered 500 with a log line naming the setting.
 */
final class DynamicPaths {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicPaths.class);

    /** Hop-by-hop headers (RFC 9110 section 7.6.1) and those the JDK client sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "trailers",
            "transfer-encoding",
            "upgrade",
            "host",
            "content-length",
            "expect");

    /**
     * What a client may say about where a request came from, which only the peer may say to the
     * origin: a client's own are dropped, and the peer sets its own.
     */
    private static final Set<String> CLIENT_PROVENANCE =
            Set.of("forwarded", "x-real-ip", "x-client-ip", "true-client-ip");

    /** How many requests of one site may be proxied at once on this peer, whatever its routes ask. */
    static final int DEFAULT_PROXY_MAX_IN_FLIGHT_PER_SITE = 8;

    private static final String X_FORWARDED_FOR = "X-Forwarded-For";
    private static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    private static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    private static final String NO_STORE = "no-store";
    /** The methods a proxy route forwards; {@code TRACE} and {@code CONNECT} never are. */
    private static final String PROXIED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
    /** The largest request body a proxy route forwards: the peer signs its digest, so it is read whole first. */
    static final int MAX_PROXIED_BODY_BYTES = org.xenoservice.backchannel.BackChannelGuard.MAX_BODY_BYTES;

    private static final HttpString IDEMPOTENCY_KEY = new HttpString(CaptureDelivery.IDEMPOTENCY_KEY);
    private static final Map<CaptureRefusedException.Reason, String> REFUSALS = Map.of(
            CaptureRefusedException.Reason.INVALID, "Bad Request",
            CaptureRefusedException.Reason.KEY_REUSED, "Unprocessable Content",
            CaptureRefusedException.Reason.RATE, "Too Many Requests",
            CaptureRefusedException.Reason.QUOTA, "Service Unavailable");

    private final ExecutorService clientThreads;
    private final HttpClient client;
    private final Map<String, Semaphore> funnels = new ConcurrentHashMap<>();
    private final Optional<Captures> captures;
    private final Optional<PeerIdentity> identity;
    private final int proxyMaxInFlightPerSite;
    private final BandwidthLimiter bandwidth;

    DynamicPaths(
            Optional<Captures> captures,
            Optional<PeerIdentity> identity,
            int proxyMaxInFlightPerSite,
            BandwidthLimiter bandwidth) {
        this.captures = captures;
        this.bandwidth = bandwidth;
        this.identity = identity;
        this.proxyMaxInFlightPerSite = proxyMaxInFlightPerSite;
        // The client's own pool, so that close() can stop its threads (Java 17's HttpClient has no close).
        this.clientThreads = DaemonThreads.cachedPool("xeno-proxy-client");
        this.client = HttpClient.newBuilder()
                .executor(clientThreads)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Stops the proxy client's threads; requests still being proxied fail. */
    void close() {
        clientThreads.shutdownNow();
    }

    /** Answers a request that {@code route} of {@code site} decides, on a worker thread. */
    void handle(HttpServerExchange exchange, ServedSite site, DynamicRoute route, SiteHandler.Sent sent) {
        if (exchange.isInIoThread()) {
            exchange.dispatch((HttpHandler) dispatched -> answer(dispatched, site, route, sent));
        } else {
            answer(exchange, site, route, sent);
        }
    }

    private void answer(HttpServerExchange exchange, ServedSite site, DynamicRoute route, SiteHandler.Sent sent) {
        try {
            switch (route.policy()) {
                case DEGRADE -> degrade(exchange, site, route, sent);
                case PROXY -> proxy(exchange, site, route, sent);
                case CAPTURE -> capture(exchange, site, route, sent);
                default -> throw new IllegalStateException("unknown policy " + route.policy());
            }
        } catch (DynamicSettingException e) {
            misconfigured(exchange, site, route, e.setting(), e.getMessage(), sent);
        } catch (IOException | RuntimeException e) {
            SiteHandler.failed(exchange, sent, e);
        }
    }

    private void degrade(HttpServerExchange exchange, ServedSite site, DynamicRoute route, SiteHandler.Sent sent)
            throws IOException {
        DegradePolicy policy = DegradePolicy.of(route);
        Optional<ManifestFile> page = site.manifest().file(policy.page());
        if (page.isEmpty()) {
            misconfigured(exchange, site, route, "page", "page " + policy.page() + " is not in the bundle", sent);
            return;
        }
        exchange.setStatusCode(policy.status());
        if (policy.status() == 503) {
            exchange.getResponseHeaders()
                    .put(Headers.RETRY_AFTER, policy.retryAfter().toSeconds());
        }
        sendPage(exchange, site, page.get(), sent);
    }

    private void capture(HttpServerExchange exchange, ServedSite site, DynamicRoute route, SiteHandler.Sent sent)
            throws IOException {
        CapturePolicy policy = CapturePolicy.of(route);
        Optional<ManifestFile> page = site.manifest().file(policy.page());
        if (page.isEmpty()) {
            misconfigured(exchange, site, route, "page", "page " + policy.page() + " is not in the bundle", sent);
            return;
        }
        if (captures.isEmpty()) {
            misconfigured(exchange, site, route, "policy", "this serving port has no capture journal", sent);
            return;
        }
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, NO_STORE);
        if (exchange.getRequestContentLength() > CapturedRequest.MAX_BODY_BYTES) {
            SiteHandler.sendText(
                    exchange,
                    413,
                    "413 Content Too Large: at most " + CapturedRequest.MAX_BODY_BYTES + " bytes\n",
                    sent);
            return;
        }
        if (!exchange.isBlocking()) {
            exchange.startBlocking();
        }
        byte[] body = exchange.getInputStream().readNBytes(CapturedRequest.MAX_BODY_BYTES + 1);
        if (body.length > CapturedRequest.MAX_BODY_BYTES) {
            SiteHandler.sendText(
                    exchange,
                    413,
                    "413 Content Too Large: at most " + CapturedRequest.MAX_BODY_BYTES + " bytes\n",
                    sent);
            return;
        }
        HeaderMap headers = exchange.getRequestHeaders();
        String key = headers.getFirst(IDEMPOTENCY_KEY);
        List<CapturedRequest.Header> kept = new ArrayList<>();
        String contentType = headers.getFirst(Headers.CONTENT_TYPE);
        if (contentType != null) {
            kept.add(new CapturedRequest.Header("Content-Type", contentType));
        }
        String query = exchange.getQueryString();
        String uri = exchange.getRequestURI();
        String path = (uri.startsWith("/") ? uri : RequestTargets.encodePath(exchange.getRequestPath()))
                + (query.isEmpty() ? "" : "?" + query);
        CapturedRequest request;
        try {
            request = new CapturedRequest(
                    key == null ? UUID.randomUUID().toString() : key,
                    site.host(),
                    exchange.getRequestMethod().toString(),
                    path,
                    kept,
                    body,
                    Instant.now());
        } catch (IllegalArgumentException e) {
            SiteHandler.sendText(exchange, 400, "400 Bad Request: " + oneLine(e.getMessage()) + "\n", sent);
            return;
        }
        try {
            captures.get().capture(request);
        } catch (CaptureRefusedException e) {
            e.retryAfter().ifPresent(wait -> exchange.getResponseHeaders().put(Headers.RETRY_AFTER, wait.toSeconds()));
            SiteHandler.sendText(
                    exchange,
                    e.status(),
                    e.status() + " " + REFUSALS.get(e.reason()) + ": " + oneLine(e.getMessage()) + "\n",
                    sent);
            return;
        }
        exchange.setStatusCode(202);
        sendPage(exchange, site, page.get(), sent);
    }

    private static String oneLine(String message) {
        return message.replaceAll("[\\r\\n]+", " ");
    }

    private void proxy(HttpServerExchange exchange, ServedSite site, DynamicRoute route, SiteHandler.Sent sent)
            throws IOException {
        HttpString method = exchange.getRequestMethod();
        if (Methods.TRACE.equals(method) || Methods.CONNECT.equals(method)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, PROXIED_METHODS).put(Headers.CACHE_CONTROL, NO_STORE);
            SiteHandler.sendText(
                    exchange, 405, "405 Method Not Allowed: " + method + " is never forwarded to the origin\n", sent);
            return;
        }
        ProxyPolicy policy = ProxyPolicy.of(route);
        Optional<ManifestFile> page = Optional.empty();
        if (policy.degradePage().isPresent()) {
            page = site.manifest().file(policy.degradePage().get());
            if (page.isEmpty()) {
                misconfigured(
                        exchange,
                        site,
                        route,
                        "degrade-page",
                        "degrade-page " + policy.degradePage().get() + " is not in the bundle",
                        sent);
                return;
            }
        }
        if (identity.isEmpty()) {
            misconfigured(exchange, site, route, "policy", "this serving port has no peer identity to sign with", sent);
            return;
        }
        int limit = Math.min(policy.maxInFlight(), proxyMaxInFlightPerSite);
        Semaphore funnel = funnels.computeIfAbsent(site.host() + ' ' + limit, key -> new Semaphore(limit));
        if (!funnel.tryAcquire()) {
            LOG.debug(
                    "{} {} for {}: {} requests already in flight to the origin, degrading",
                    method,
                    exchange.getRequestPath(),
                    site.host(),
                    limit);
            unavailable(exchange, site, page, sent);
            return;
        }
        try {
            forward(exchange, site, policy, page, sent);
        } finally {
            funnel.release();
        }
    }

    private void forward(
            HttpServerExchange exchange,
            ServedSite site,
            ProxyPolicy policy,
            Optional<ManifestFile> page,
            SiteHandler.Sent sent)
            throws IOException {
        if (!exchange.isBlocking()) {
            exchange.startBlocking();
        }
        if (exchange.getRequestContentLength() > MAX_PROXIED_BODY_BYTES) {
            tooLarge(exchange, sent);
            return;
        }
        byte[] requestBody = exchange.getInputStream().readNBytes(MAX_PROXIED_BODY_BYTES + 1);
        if (requestBody.length > MAX_PROXIED_BODY_BYTES) {
            tooLarge(exchange, sent);
            return;
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request(exchange, policy, requestBody), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            LOG.warn(
                    "{} {} for {}: origin {} failed, degrading: {}",
                    exchange.getRequestMethod(),
                    exchange.getRequestPath(),
                    site.host(),
                    policy.origin(),
                    e.toString());
            unavailable(exchange, site, page, sent);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable(exchange, site, page, sent);
            return;
        }
        try (InputStream body = response.body()) {
            exchange.setStatusCode(response.statusCode());
            HeaderMap headers = exchange.getResponseHeaders();
            Set<String> hopByHop = hopByHop(response.headers().allValues("connection"));
            boolean secure = TransportSecurity.secure(exchange);
            response.headers().map().forEach((name, values) -> {
                String lower = name.toLowerCase(Locale.ROOT);
                if (!lower.equals("content-length") && (NOT_FORWARDED.contains(lower) || hopByHop.contains(lower))) {
                    return;
                }
                if (!secure && lower.equals("strict-transport-security")) {
                    return; // never over plain HTTP (RFC 6797 section 7.2), whatever the origin sends
                }
                if (!lower.startsWith(":")) {
                    headers.addAll(new HttpString(name), values);
                }
            });
            if (Methods.HEAD.equals(exchange.getRequestMethod())) {
                exchange.endExchange();
                return;
            }
            try (OutputStream out = new CountingOutputStream(exchange.getOutputStream(), sent)) {
                body.transferTo(out);
            }
        }
    }

    private static void tooLarge(HttpServerExchange exchange, SiteHandler.Sent sent) {
        exchange.setPersistent(false);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, NO_STORE);
        SiteHandler.sendText(
                exchange,
                413,
                "413 Content Too Large: a proxied request's body may be at most " + MAX_PROXIED_BODY_BYTES + " bytes\n",
                sent);
    }

    /**
     * The request to the origin: the client's end-to-end headers without any it may not set (hop-by-hop,
     * provenance, XenoService's own), the peer's own {@code X-Forwarded-For}, {@code -Host} and
     * {@code -Proto}, all signed with the peer's identity together with the method, target and body.
     */
    private HttpRequest request(HttpServerExchange exchange, ProxyPolicy policy, byte[] body) {
        String uri = exchange.getRequestURI();
        String path = uri.startsWith("/") ? uri : RequestTargets.encodePath(exchange.getRequestPath());
        String query = exchange.getQueryString();
        URI target = URI.create(policy.origin() + path + (query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(policy.timeout());
        HeaderMap headers = exchange.getRequestHeaders();
        Set<String> hopByHop = hopByHop(headers.get(Headers.CONNECTION));
        List<Map.Entry<String, String>> sentHeaders = new ArrayList<>();
        for (HeaderValues values : headers) {
            String lower = values.getHeaderName().toString().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(lower)
                    || hopByHop.contains(lower)
                    || CLIENT_PROVENANCE.contains(lower)
                    || lower.startsWith("x-forwarded-")
                    || lower.startsWith(PeerSignature.XENO_HEADER_PREFIX)) {
                continue;
            }
            for (String value : values) {
                sentHeaders.add(Map.entry(values.getHeaderName().toString(), value));
            }
        }
        sentHeaders.add(Map.entry(X_FORWARDED_FOR, clientAddress(exchange)));
        String host = headers.getFirst(Headers.HOST);
        if (host != null) {
            sentHeaders.add(Map.entry(X_FORWARDED_HOST, host));
        }
        sentHeaders.add(Map.entry(X_FORWARDED_PROTO, TransportSecurity.secure(exchange) ? "https" : "http"));
        sentHeaders.forEach(header -> builder.header(header.getKey(), header.getValue()));
        identity.orElseThrow()
                .sign(
                        exchange.getRequestMethod().toString(),
                        PeerSignature.target(target),
                        sentHeaders,
                        ControlSignature.sha256(body))
                .forEach(builder::header);
        HttpRequest.BodyPublisher publisher =
                body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body);
        return builder.method(exchange.getRequestMethod().toString(), publisher).build();
    }

    private static String clientAddress(HttpServerExchange exchange) {
        InetSocketAddress source = exchange.getSourceAddress();
        if (source == null || source.getAddress() == null) {
            return "unknown";
        }
        return AddressLiterals.format(source.getAddress());
    }

    /** The header names a {@code Connection} header lists, in lower case. */
    private static Set<String> hopByHop(List<String> connection) {
        Set<String> names = new HashSet<>();
        if (connection != null) {
            for (String value : connection) {
                for (String name : value.split(",", -1)) {
                    names.add(name.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    /** 503 with the degrade page if the route names one, else a line of text; always Retry-After. */
    private void unavailable(
            HttpServerExchange exchange, ServedSite site, Optional<ManifestFile> page, SiteHandler.Sent sent)
            throws IOException {
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, ProxyPolicy.RETRY_AFTER.toSeconds());
        exchange.setStatusCode(503);
        if (page.isPresent()) {
            sendPage(exchange, site, page.get(), sent);
        } else {
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, NO_STORE);
            SiteHandler.sendText(exchange, 503, "503 Service Unavailable: try again later\n", sent);
        }
    }

    /**
     * Sends a bundle page's identity bytes, not to be cached; the status is already set. Streamed and
     * bounded by the page's signed size ({@link SiteHandler#sendIdentity}): a page stored as a small
     * gzip that decodes to far more is never built in memory.
     */
    private void sendPage(HttpServerExchange exchange, ServedSite site, ManifestFile file, SiteHandler.Sent sent) {
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, file.contentType())
                .put(Headers.CACHE_CONTROL, NO_STORE);
        SiteHandler.sendIdentity(exchange, site, file, bandwidth, sent);
    }

    private static void misconfigured(
            HttpServerExchange exchange,
            ServedSite site,
            DynamicRoute route,
            String setting,
            String problem,
            SiteHandler.Sent sent) {
        LOG.error(
                "{} route {} of {} v{}: setting \"{}\" is wrong: {}",
                route.policy().token(),
                route.prefix(),
                site.host(),
                site.version(),
                setting,
                problem);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, NO_STORE);
        SiteHandler.sendText(exchange, 500, "500 Internal Server Error: this path is misconfigured\n", sent);
    }
}
