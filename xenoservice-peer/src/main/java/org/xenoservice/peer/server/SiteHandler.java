package org.xenoservice.peer.server;

import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.io.UndertowOutputStream;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.RequestBufferingHandler;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.BlobKey;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.Encoding;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.peer.BandwidthLimiter;
import org.xenoservice.peer.Captures;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.peer.ServedSite;
import org.xenoservice.peer.ServingHooks;
import org.xenoservice.peer.SiteLookup;
import org.xnio.IoUtils;

/**
 * The serving port of a peer host: answers {@code GET} and {@code HEAD} for every site the peer
 * replicates, chosen by the {@code Host} header, from that site's active bundle, so that a
 * browser sent to the peer by DNS cannot tell it from the origin. It behaves as a careful static
 * server would:
 *
 * <ul>
 *   <li>A path under one of the site's dynamic routes ({@link ServedSite#route}, longest prefix
 *       wins) is answered by that route's policy, for any method: {@code degrade} answers a page
 *       of the bundle, {@code proxy} forwards to the origin's back-channel through a funnel of at
 *       most {@code max-in-flight} requests per site and degrades when it is full or the origin
 *       fails; {@code capture} journals the request durably, answers 202 with a thank-you page
 *       and leaves delivery to the origin to {@link Captures}. A route with a missing or invalid setting is 500, and the log names the setting.
 *   <li>{@code /} and {@code /dir/} serve {@code index.html}; {@code /dir} redirects (301) to
 *       {@code /dir/}; an unknown path is 404; a path with a {@code .} or {@code ..} segment, a
 *       backslash or a control character is 400.
 *   <li>The site is the one the request target names when it is in absolute form
 *       ({@code GET http://b.example/}, RFC 9112 §3.2.2), else the one the {@code Host} header
 *       names. A header value with a control character is 400.
 *   <li>A host this peer does not serve is answered {@code 421 Misdirected Request} rather than
 *       404: the request reached the wrong server, not a missing page, and a client or proxy
 *       may retry elsewhere; nothing is accounted to any site. A site retired within its
 *       {@linkplain SiteLookup#forwarding forwarding grace} is forwarded to the origin instead
 *       ({@link RetiredForwarding}), and accounted to it.
 *   <li>The site's signed {@link org.xenoservice.bundle.HttpsSettings HTTPS settings}: over plain HTTP,
 *       a site that asks for it is redirected to HTTPS (301, or 308 for methods other than GET
 *       and HEAD, before any dynamic route sees the request) when the peer can serve it there
 *       ({@link Builder#https}); over HTTPS, its HSTS value goes with every answer, never over
 *       plain HTTP.
 *   <li>{@link ServingHooks#admit} refusing means {@code 429} with {@code Retry-After: 1}; every
 *       request for a known site is reported once to {@link ServingHooks#served} with its status
 *       and the body bytes actually sent.
 *   <li>Validators: {@code ETag} is the file's SHA-256, strong. A gzip-stored file sent as stored
 *       is a different representation, so it gets its own strong tag, the SHA-256 followed by
 *       {@code -gz}. {@code If-None-Match} matches either tag (weak comparison, lists and
 *       {@code *}): both decode to the same content, so a client holding either is up to date,
 *       and the 304 names the tag the client holds. {@code If-Modified-Since} is consulted only
 *       without {@code If-None-Match}.
 *   <li>Gzip-stored files go out as stored with {@code Content-Encoding: gzip} when the
 *       {@code Accept-Encoding} allows (q-values honoured; no header means identity only), and are
 *       decompressed on the fly otherwise; they carry {@code Vary: Accept-Encoding}.
 *   <li>One {@code bytes} range gets 206 from the identity bytes (decompressing a gzip-stored
 *       file and skipping to the range), an unsatisfiable one 416 with
 *       {@code Content-Range: bytes *}{@code /size}; several ranges are answered whole with 200,
 *       as RFC 9110 allows, since multipart answers serve no browser and help amplification.
 *       {@code If-Range} takes the identity ETag (strong comparison) or the exact Last-Modified
 *       date. {@code Range} on {@code HEAD} is ignored, as RFC 9110 defines it for GET only.
 *   <li>Any failure is a 500 with a one-line body and a log line; a stack trace never reaches the
 *       client. A failure after the response started closes the connection, so a truncated body
 *       is never mistaken for a whole one.
 * </ul>
 *
 * <p>Threads: a file is sent from the I/O thread without ever blocking ({@link PacedBody}): as fast
 * as the client reads and the site's {@linkplain Builder#bandwidth bandwidth share} allows, from
 * the {@link BlobCache} or the blob file (zero-copy {@code transferFrom} where the channel allows),
 * inflated a piece at a time when needed, never read whole into memory. A slow reader holds its
 * connection (until the idle timeout), never a worker thread. A request body for a dynamic route
 * is received on the I/O thread (up to 1 MiB) before the route's worker thread sees it.
 *
 * <pre>{@code
 * SiteHandler handler = SiteHandler.builder(activeSites::get)
 *     .hooks(accounting)
 *     .blobCache(BlobCache.withDefaults())
 *     .build();
 * Undertow.builder().addHttpListener(80, "0.0.0.0").setHandler(handler).build().start();
 * }</pre>
 *
 * <p>Safe for concurrent use; one handler serves any number of sites.
 */
public final class SiteHandler implements HttpHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SiteHandler.class);

    /** The methods the serving port answers, as its {@code Allow} header lists them. */
    public static final String ALLOWED_METHODS = "GET, HEAD";
    /** Appended to the SHA-256 in the ETag of the gzip representation. */
    public static final String GZIP_ETAG_SUFFIX = "-gz";

    private static final int MISDIRECTED_REQUEST = 421;
    private static final int TOO_MANY_REQUESTS = 429;
    private static final HttpDates LAST_MODIFIED = new HttpDates();
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String NO_STORE = "no-store";
    /** The largest request body received before a dynamic route sees it: a captured request's largest. */
    private static final int MAX_BUFFERED_BODY_BYTES = 1 << 20;
    /** The size of the pooled buffers the peer's listeners use. */
    private static final int BUFFER_BYTES = 16 * 1024;

    private final SiteLookup sites;
    private final ServingHooks hooks;
    private final BlobCache cache;
    private final DynamicPaths dynamic;
    private final TransportSecurity https;
    private final BandwidthLimiter bandwidth;

    private SiteHandler(Builder builder) {
        this.sites = builder.sites;
        this.hooks = builder.hooks;
        this.cache = builder.cache;
        this.https = builder.https;
        this.bandwidth = builder.bandwidth;
        this.dynamic = new DynamicPaths(
                Optional.ofNullable(builder.captures),
                Optional.ofNullable(builder.identity),
                builder.proxyMaxInFlightPerSite,
                builder.bandwidth);
    }

    /** Stops the threads of the client that proxy routes reach the origin with. */
    @Override
    public void close() {
        dynamic.close();
    }

    /** Starts a handler that serves the sites {@code sites} finds. */
    public static Builder builder(SiteLookup sites) {
        return new Builder(sites);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        Sent sent = new Sent();
        try {
            answer(exchange, sent);
        } catch (RuntimeException e) {
            failed(exchange, sent, e);
        }
    }

    private void answer(HttpServerExchange exchange, Sent sent) {
        HeaderValues hostHeaders = exchange.getRequestHeaders().get(Headers.HOST);
        if (hostHeaders == null || hostHeaders.size() != 1) {
            sendText(exchange, 400, "400 Bad Request: exactly one Host header is required\n", sent);
            return;
        }
        if (RequestTargets.anyControlCharacter(exchange.getRequestHeaders())) {
            sendText(exchange, 400, "400 Bad Request: a header value holds a control character\n", sent);
            return;
        }
        // RFC 9112 3.2.2: a request target in absolute form names the host; Host is then ignored.
        String authority = exchange.isHostIncludedInRequestURI()
                ? RequestTargets.authority(exchange.getRequestURI())
                : hostHeaders.getFirst();
        Optional<String> host = RequestTargets.hostName(authority);
        Optional<ServedSite> found = host.flatMap(sites::find);
        if (found.isEmpty() && forwardedRetired(exchange, host.flatMap(sites::forwarding), sent)) {
            return;
        }
        if (found.isEmpty()) {
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, NO_STORE);
            sendText(
                    exchange,
                    MISDIRECTED_REQUEST,
                    "421 Misdirected Request: this server does not serve that host\n",
                    sent);
            return;
        }
        ServedSite site = found.get();
        exchange.addExchangeCompleteListener(new Accounting(hooks, site.host(), sent));
        https.addHsts(exchange, site);
        if (!admitted(exchange, site, sent)) {
            return;
        }
        if (https.redirected(exchange, site, sent)) {
            return;
        }
        String path = exchange.getRelativePath();
        boolean acceptable = RequestTargets.acceptablePath(path);
        if (acceptable) {
            Optional<DynamicRoute> route = site.route(path);
            if (route.isPresent()) {
                receiveBodyThen(exchange, dispatched -> dynamic.handle(dispatched, site, route.get(), sent), sent);
                return;
            }
        }
        HttpString method = exchange.getRequestMethod();
        boolean head = Methods.HEAD.equals(method);
        if (!head && !Methods.GET.equals(method)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, ALLOWED_METHODS);
            sendText(exchange, 405, "405 Method Not Allowed: only GET and HEAD\n", sent);
            return;
        }
        if (!acceptable) {
            sendText(exchange, 400, "400 Bad Request: malformed path\n", sent);
            return;
        }
        Optional<ManifestFile> file = site.resolve(path);
        if (file.isPresent()) {
            serveFile(exchange, site.host(), site.store(), file.get(), head, sent);
            return;
        }
        if (site.folderRedirect(path).isPresent()) {
            exchange.setStatusCode(301);
            String location = RequestTargets.folderLocation(exchange.getRequestPath(), exchange.getQueryString());
            exchange.getResponseHeaders().put(Headers.LOCATION, location);
            sendInline(exchange, ByteBuffer.allocate(0), sent);
            return;
        }
        sendText(exchange, 404, "404 Not Found\n", sent);
    }

    /**
     * Forwards a request for a site this peer retired but still forwards ({@link RetiredForwarding});
     * false when the site is not forwarded (or names no back-channel), and it gets the 421.
     */
    private boolean forwardedRetired(HttpServerExchange exchange, Optional<ServedSite> retired, Sent sent) {
        if (retired.isEmpty()) {
            return false;
        }
        ServedSite site = retired.get();
        String path = exchange.getRelativePath();
        Optional<DynamicRoute> route = RetiredForwarding.route(site, path);
        if (route.isEmpty()) {
            return false;
        }
        exchange.addExchangeCompleteListener(new Accounting(hooks, site.host(), sent));
        hooks.forwarded(site.host());
        https.addHsts(exchange, site);
        if (!admitted(exchange, site, sent)) {
            return true;
        }
        if (!RequestTargets.acceptablePath(path)) {
            sendText(exchange, 400, "400 Bad Request: malformed path\n", sent);
        } else {
            receiveBodyThen(exchange, dispatched -> dynamic.handle(dispatched, site, route.get(), sent), sent);
        }
        return true;
    }

    /** Whether the site's rate quota admits the request; if not, it is answered 429 here. */
    private boolean admitted(HttpServerExchange exchange, ServedSite site, Sent sent) {
        if (hooks.admit(site.host())) {
            return true;
        }
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1").put(Headers.CACHE_CONTROL, NO_STORE);
        sendText(exchange, TOO_MANY_REQUESTS, "429 Too Many Requests: try again in a second\n", sent);
        return false;
    }

    private void serveFile(
            HttpServerExchange exchange, String site, BlobStore store, ManifestFile file, boolean head, Sent sent) {
        HeaderMap response = exchange.getResponseHeaders();
        boolean gzipStored = file.encoding() == Encoding.GZIP;
        ConditionalRequest wanted = ConditionalRequest.of(exchange.getRequestHeaders(), file, head);
        ByteRange range = wanted.range();
        if (range.kind() == ByteRange.Kind.UNSATISFIABLE) {
            response.put(Headers.CONTENT_RANGE, "bytes */" + file.size())
                    .put(Headers.ACCEPT_RANGES, "bytes")
                    .put(Headers.CACHE_CONTROL, NO_STORE);
            sendText(exchange, 416, "416 Range Not Satisfiable\n", sent);
            return;
        }

        response.put(Headers.CACHE_CONTROL, file.cacheControl())
                .put(Headers.LAST_MODIFIED, LAST_MODIFIED.format(file.lastModified()))
                .put(Headers.ACCEPT_RANGES, "bytes");
        if (gzipStored) {
            response.put(Headers.VARY, "Accept-Encoding");
        }
        Optional<String> notModified = wanted.notModified();
        if (notModified.isPresent()) {
            response.put(Headers.ETAG, notModified.get());
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }

        long stored = storedLength(store, file);
        long offset = 0;
        long length;
        boolean decode;
        if (range.kind() == ByteRange.Kind.SATISFIABLE) {
            exchange.setStatusCode(206);
            response.put(Headers.CONTENT_RANGE, "bytes " + range.start() + "-" + range.end() + "/" + file.size());
            offset = range.start();
            length = range.length();
            decode = gzipStored;
        } else if (wanted.gzip()) {
            response.put(Headers.CONTENT_ENCODING, "gzip");
            length = stored;
            decode = false;
        } else {
            length = file.size();
            decode = gzipStored;
        }
        response.put(Headers.ETAG, wanted.tag())
                .put(Headers.CONTENT_TYPE, file.contentType())
                .put(Headers.CONTENT_LENGTH, length);
        if (head || length == 0) {
            exchange.endExchange();
            return;
        }
        sendBody(exchange, site, new Body(store, file.blob(), stored, decode, offset, length), sent);
    }

    /**
     * Receives a request body of up to {@link #MAX_BUFFERED_BODY_BYTES} on the I/O thread before
     * {@code next} runs, so that a client sending its body slowly never holds a worker thread that
     * would read it in blocking mode; the connection's timeouts bound how long it may take.
     */
    private static void receiveBodyThen(HttpServerExchange exchange, HttpHandler next, Sent sent) {
        try {
            new RequestBufferingHandler(next, MAX_BUFFERED_BODY_BYTES / BUFFER_BYTES).handleRequest(exchange);
        } catch (Exception e) {
            failed(exchange, sent, e);
        }
    }

    /**
     * Sends a body without blocking any thread, paced by the site's share of the bandwidth: a blob
     * held in the cache from memory; anything else from the blob file, inflated on the fly when
     * {@code body.decode}. A blob small enough for the cache is loaded into it first.
     */
    private void sendBody(HttpServerExchange exchange, String site, Body body, Sent sent) {
        BodySource source;
        try {
            source = source(body);
        } catch (IOException | RuntimeException e) {
            failed(exchange, sent, e);
            return;
        }
        PacedBody.start(exchange, source, bandwidth, site, sent);
    }

    private BodySource source(Body body) throws IOException {
        Optional<ByteBuffer> held = cache.ifPresent(body.store, body.key, body.storedSize);
        if (held.isEmpty() && cache.admits(body.storedSize)) {
            held = Optional.of(cache.load(body.store, body.key, body.storedSize));
        }
        if (held.isPresent()) {
            ByteBuffer view = held.get();
            if (body.decode) {
                return BodySource.inflating(
                        new ByteBufferInputStream(view), body.key.toString(), body.offset, body.length);
            }
            view.position((int) body.offset).limit((int) (body.offset + body.length));
            return BodySource.of(view);
        }
        Path path = body.store
                .file(body.key)
                .orElseThrow(() ->
                        new NoSuchFileException("blob " + body.key + " is not in the store " + body.store.root()));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            if (channel.size() != body.storedSize) {
                throw new IOException(
                        "blob " + path + " has " + channel.size() + " bytes, the manifest says " + body.storedSize);
            }
            return body.decode
                    ? BodySource.inflating(BodySource.stream(channel), body.key.toString(), body.offset, body.length)
                    : BodySource.region(channel, body.offset, body.length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Answers 500 when nothing was sent yet, else closes the connection so that the client sees a
     * truncated body as an error. Logs either way; the client never sees the exception.
     */
    static void failed(HttpServerExchange exchange, Sent sent, Exception e) {
        if (exchange.isResponseStarted()) {
            LOG.warn(
                    "{} {} for {} aborted after {} body bytes: {}",
                    exchange.getRequestMethod(),
                    exchange.getRequestPath(),
                    exchange.getHostName(),
                    sent.bytes(),
                    e.toString());
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        LOG.error(
                "{} {} for {} failed",
                exchange.getRequestMethod(),
                exchange.getRequestPath(),
                exchange.getHostName(),
                e);
        try {
            if (exchange.isBlocking() && exchange.getOutputStream() instanceof UndertowOutputStream buffered) {
                buffered.resetBuffer();
            }
            sent.reset();
            exchange.getResponseHeaders().clear();
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, NO_STORE);
            sendText(exchange, 500, "500 Internal Server Error\n", sent);
        } catch (RuntimeException second) {
            LOG.warn("could not answer 500, closing the connection: {}", second.toString());
            IoUtils.safeClose(exchange.getConnection());
        }
    }

    static void sendText(HttpServerExchange exchange, int status, String text, Sent sent) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, TEXT);
        sendInline(exchange, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), sent);
    }

    /**
     * Sends a stored file's identity bytes (a page of the bundle: degrade and thank-you pages) as a
     * file is sent: from the I/O thread without blocking, paced by the site's bandwidth share,
     * decoded one buffer at a time, never whole in memory and never more than the
     * {@link ManifestFile#size() size} the signed manifest declares (a blob that would decode to more
     * fails the response and closes the connection). A request already in blocking mode (a
     * capture's, whose body a worker thread read) gets its page written there instead. The status
     * and headers other than the length are the caller's.
     */
    static void sendIdentity(
            HttpServerExchange exchange, ServedSite site, ManifestFile file, BandwidthLimiter bandwidth, Sent sent) {
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, file.size());
        if (Methods.HEAD.equals(exchange.getRequestMethod()) || file.size() == 0) {
            exchange.endExchange();
            return;
        }
        if (exchange.isBlocking()) { // a capture's page, on the worker thread that took the request's body
            writeBlocking(exchange, site, file, sent);
            return;
        }
        BodySource source;
        try {
            source = BodySource.decoded(site.store().openIdentity(file), file.path(), file.size());
        } catch (IOException | RuntimeException e) {
            failed(exchange, sent, e);
            return;
        }
        PacedBody.start(exchange, source, bandwidth, site.host(), sent);
    }

    /** Writes a page's identity bytes in blocking mode, a buffer at a time, within its signed size. */
    private static void writeBlocking(HttpServerExchange exchange, ServedSite site, ManifestFile file, Sent sent) {
        try (InputStream in = site.store().openIdentity(file)) {
            OutputStream out = new CountingOutputStream(exchange.getOutputStream(), sent);
            byte[] buffer = new byte[BUFFER_BYTES];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
            out.close();
        } catch (IOException | RuntimeException e) {
            failed(exchange, sent, e);
        }
    }

    /** Sends bytes already in memory without blocking (no body for HEAD). */
    static void sendInline(HttpServerExchange exchange, ByteBuffer body, Sent sent) {
        int length = body.remaining();
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, length);
        if (Methods.HEAD.equals(exchange.getRequestMethod()) || length == 0) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(body, new IoCallback() {
            @Override
            public void onComplete(HttpServerExchange done, Sender sender) {
                sent.add(length);
                IoCallback.END_EXCHANGE.onComplete(done, sender);
            }

            @Override
            public void onException(HttpServerExchange failed, Sender sender, IOException e) {
                LOG.debug("sending {} bytes for {} failed: {}", length, failed.getRequestPath(), e.toString());
                IoCallback.END_EXCHANGE.onException(failed, sender, e);
            }
        });
    }

    /** Configures a {@link SiteHandler}. Not thread-safe. */
    public static final class Builder {
        private final SiteLookup sites;
        private ServingHooks hooks = ServingHooks.NONE;
        private BlobCache cache;
        private Captures captures;
        private PeerIdentity identity;
        private int proxyMaxInFlightPerSite = DynamicPaths.DEFAULT_PROXY_MAX_IN_FLIGHT_PER_SITE;
        private TransportSecurity https = TransportSecurity.plainOnly();
        private BandwidthLimiter bandwidth = new BandwidthLimiter(List.of(), System::nanoTime, 0);

        private Builder(SiteLookup sites) {
            this.sites = Objects.requireNonNull(sites, "sites");
        }

        /** Admission and accounting per request; {@link ServingHooks#NONE} by default. */
        public Builder hooks(ServingHooks hooks) {
            this.hooks = Objects.requireNonNull(hooks, "hooks");
            return this;
        }

        /** Paces the bytes of files sent for each site to its share; unlimited by default. */
        public Builder bandwidth(BandwidthLimiter limiter) {
            this.bandwidth = Objects.requireNonNull(limiter, "limiter");
            return this;
        }

        /** The cache of hot blobs, which may be shared; {@link BlobCache#withDefaults()} by default. */
        public Builder blobCache(BlobCache cache) {
            this.cache = Objects.requireNonNull(cache, "cache");
            return this;
        }

        /**
         * Where capture routes journal their requests; without it, a capture route is
         * answered 500. The handler does not close it.
         */
        public Builder captures(Captures captures) {
            this.captures = Objects.requireNonNull(captures, "captures");
            return this;
        }

        /**
         * The peer's identity, which signs every request proxy routes forward to an origin (the
         * origin trusts only requests signed by a peer key it pins); without it, a proxy route is
         * answered 500.
         */
        public Builder identity(PeerIdentity identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /**
         * How many requests of one site proxy routes may forward at once (1 to 10 000), whatever
         * the site's routes ask ({@code max-in-flight}); beyond it a request is answered 503 with
         * {@code Retry-After}, so that a slow origin holds at most this many of the peer's workers
         * and never blocks other sites. {@value DynamicPaths#DEFAULT_PROXY_MAX_IN_FLIGHT_PER_SITE} by default.
         */
        public Builder proxyMaxInFlightPerSite(int requests) {
            if (requests < 1 || requests > 10_000) {
                throw new IllegalArgumentException(
                        "proxyMaxInFlightPerSite must be between 1 and 10000, but was " + requests);
            }
            this.proxyMaxInFlightPerSite = requests;
            return this;
        }

        /**
         * Where plain HTTP requests of sites whose manifest asks for it are redirected: the peer's
         * HTTPS listener on {@code port} (asked on each redirect, so that a port bound after this
         * handler was built can be handed over; 0 or less while there is none), for the sites
         * {@code certified} says the peer holds a certificate for. Without it, or while either says
         * no, such sites are served over plain HTTP and a warning is logged once per site, since a
         * redirect would lead nowhere. Both must be safe for concurrent use and cheap.
         */
        public Builder https(IntSupplier port, Predicate<String> certified) {
            this.https = new TransportSecurity(
                    Objects.requireNonNull(port, "port"), Objects.requireNonNull(certified, "certified"));
            return this;
        }

        /** Builds the handler. */
        public SiteHandler build() {
            if (cache == null) {
                cache = BlobCache.withDefaults();
            }
            return new SiteHandler(this);
        }
    }

    /**
     * The stored blob's real length. An identity blob is the file's own bytes; a gzip blob is one
     * valid gzip of them, but not necessarily the one this manifest's build made: the site's store keeps
     * the first copy of a content the site sent, and another of its builds (another zlib, another
     * level) may have compressed it to other bytes, which decode to the same digest. So its length is read from the
     * store, not taken from the manifest.
     */
    private static long storedLength(BlobStore store, ManifestFile file) {
        if (file.encoding() == Encoding.IDENTITY) {
            return file.size();
        }
        try {
            Path path = store.file(file.blob())
                    .orElseThrow(() ->
                            new NoSuchFileException("blob " + file.blob() + " is not in the store " + store.root()));
            return Files.size(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What to send of a blob. */
    private record Body(BlobStore store, BlobKey key, long storedSize, boolean decode, long offset, long length) {}

    /** The body bytes sent for one exchange; written and read by the threads the exchange passes through in turn. */
    static final class Sent {
        private final AtomicLong bytes = new AtomicLong();

        void add(long count) {
            bytes.addAndGet(count);
        }

        long bytes() {
            return bytes.get();
        }

        void reset() {
            bytes.set(0);
        }
    }

    /** Reports the exchange to the hooks once it completes. */
    private static final class Accounting implements ExchangeCompletionListener {
        private final ServingHooks hooks;
        private final String site;
        private final Sent sent;

        Accounting(ServingHooks hooks, String site, Sent sent) {
            this.hooks = hooks;
            this.site = site;
            this.sent = sent;
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            try {
                hooks.served(site, exchange.getStatusCode(), sent.bytes());
            } catch (RuntimeException e) {
                LOG.warn("ServingHooks.served threw for {}; the request is unaffected", site, e);
            } finally {
                next.proceed();
            }
        }
    }

    /** Reads a buffer's remaining bytes (a view of a cached blob) as a stream. */
    private static final class ByteBufferInputStream extends InputStream {
        private final ByteBuffer buffer;

        ByteBufferInputStream(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) {
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(length, buffer.remaining());
            buffer.get(bytes, offset, n);
            return n;
        }
    }
}
