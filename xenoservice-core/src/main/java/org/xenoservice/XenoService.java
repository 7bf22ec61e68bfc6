package org.xenoservice;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.admission.AdmissionControl;
import org.xenoservice.admission.Outcome;
import org.xenoservice.admission.Traffic;
import org.xenoservice.backchannel.BackChannelGuard;
import org.xenoservice.backchannel.PeerVerdict;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.intake.CaptureIntake;
import org.xenoservice.intake.IntakeResponse;
import org.xenoservice.intake.OriginCaptures;
import org.xenoservice.overload.OverloadConfig;
import org.xenoservice.overload.OverloadDetector;
import org.xenoservice.overload.OverloadState;
import org.xenoservice.overload.RequestRecorder;
import org.xenoservice.protocol.PeerSignature;
import org.xenoservice.replicate.BundleListener;
import org.xenoservice.replicate.Replicator;

/**
 * Defends one site: records every request, detects overload, and replicates the site onto its peer
 * pool when a flood comes, adding the peers to the site's DNS name and withdrawing them when it has
 * passed. It is the one object an application adds; the adapters ({@code XenoHandler} for Undertow,
 * {@code XenoFilter} for servlet containers) feed it requests through its {@link RequestTracker} and
 * route its own paths to it.
 *
 * <pre>{@code
 * XenoService xeno = XenoService.start(XenoConfig.load(Path.of("xeno.properties")));
 * // in the adapter, for each request:
 * long ticket = xeno.tracker().begin(method, path);
 * ... handle, or xeno.serveXenoPath(...) if xeno.isXenoPath(path) ...
 * ... while OVERLOADED, xeno.staticFromMemory(...) before the application ...
 * xeno.tracker().end(ticket, status, bytesSent);
 * }</pre>
 *
 * <p>Its own paths, under {@value #XENO_PREFIX}: {@value #STATUS_PATH} (JSON) and
 * {@value #METRICS_PATH} (Prometheus text), both behind the admin bearer token, and
 * {@value #INTAKE_PATH}, where peers deliver captured requests.
 *
 * <p>Under fire, a direct request of a {@code capture} route that the application has no room for
 * is journalled instead of refused ({@link #captureRoute}, {@link #journalCapture}) and applied once,
 * through the same intake, when the application has room.
 *
 * <p>The back-channel: a request that names a peer key ({@link #claimsPeer}) is the site's peer's
 * only if {@link #verifyPeer} says so (signed by a key the configuration pins for a peer, fresh,
 * not replayed, with the body signed); adapters verify before the application sees the request,
 * answer a refused one with its 401, 403 or 413 and publish a verified one's peer name as the
 * request attribute {@value #PEER_ATTRIBUTE}. The intake takes verified deliveries only. Safe for
 * concurrent use; close it to stop its threads.
 */
public final class XenoService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(XenoService.class);

    /** The prefix of XenoService's own paths on the origin. */
    public static final String XENO_PREFIX = "/_xeno/";
    /** The status page: JSON, behind the admin token. */
    public static final String STATUS_PATH = "/_xeno/status";
    /** The metrics page: Prometheus text, behind the admin token. */
    public static final String METRICS_PATH = "/_xeno/metrics";
    /** Where peers post captured requests. */
    public static final String INTAKE_PATH = "/_xeno/intake";
    /**
     * Where adapters publish the name of the peer that signed a verified request (a {@code String}:
     * the servlet request attribute; {@code XenoHandler.PEER} in Undertow). Absent on every other request.
     */
    public static final String PEER_ATTRIBUTE = "org.xenoservice.peer";

    private final XenoConfig config;
    private final RequestRecorder recorder;
    private final RequestTracker tracker;
    private final OverloadDetector detector;
    private final Replicator replicator;
    private final Optional<byte[]> adminToken;
    private final Optional<CaptureIntake> intake;
    private final Optional<DirectCaptures> directCaptures;
    private final BackChannelGuard backChannel;
    private final StaticPages staticPages;
    private final ShelterSignal shelter;
    private final LinkBudget linkBudget;
    private final Cache<String, Long> connectionsSeen;
    private final AdmissionControl admission = AdmissionControl.builder().build();

    private XenoService(XenoConfig config) throws IOException {
        this.config = config;
        this.adminToken = config.adminToken().map(token -> ("Bearer " + token).getBytes(StandardCharsets.US_ASCII));
        Files.createDirectories(config.stateDirectory());
        this.recorder = RequestRecorder.create();
        this.tracker = RequestTracker.create(recorder, config.dynamicRoutes());
        this.intake = openIntake(config);
        this.staticPages = StaticPages.start(config);
        Optional<DirectCaptures> captures = Optional.empty();
        try {
            OverloadDetector overload = OverloadDetector.builder(recorder)
                    .config(config.overload())
                    .routeNames(config.dynamicRoutes().stream()
                            .limit(RequestRecorder.MAX_ROUTES)
                            .map(DynamicRoute::prefix)
                            .toList())
                    .build();
            // The app has room for a journalled order when the admission control would admit a direct
            // request now (always while calm); the applier thread may ask before the constructor ends.
            captures = DirectCaptures.open(config, intake, this::roomForJournalled);
            this.directCaptures = captures;
            this.detector = overload;
            this.replicator = replicator(config, overload, staticPages);
        } catch (IOException | RuntimeException e) {
            staticPages.close();
            closeQuietly(captures, intake);
            throw e;
        }
        Map<String, PublicKey> pinned = new LinkedHashMap<>();
        config.peers().forEach(peer -> pinned.put(peer.name(), peer.publicKey()));
        this.backChannel = BackChannelGuard.create(pinned, Clock.systemUTC());
        this.shelter = new ShelterSignal(replicator::status);
        this.linkBudget = new LinkBudget(config.shelteredDirectBytesPerSecond(), System::nanoTime);
        this.connectionsSeen = Caffeine.newBuilder()
                .maximumSize(65_536)
                .expireAfterAccess(Duration.ofMinutes(10))
                .build();
    }

    /**
     * The replicator, built after the detector: its withdrawal rule reads the detector, and the
     * detector tells it of state changes once both exist (no event can come before start()). It
     * tells {@code pages} of every bundle it builds.
     */
    private static Replicator replicator(XenoConfig config, OverloadDetector overload, BundleListener pages)
            throws IOException {
        Replicator.Builder replication = Replicator.builder(config.site(), config.siteKey(), config.staticSource())
                .routes(config.dynamicRoutes())
                .https(config.https())
                .peers(config.peers())
                .bundleDirectory(config.stateDirectory().resolve("bundles"))
                .config(config.replication())
                .withdrawalRateLimit(() -> calmRequestsPerSecond(overload, config.overload()))
                .bundleListener(pages);
        config.dns().ifPresent(replication::dns);
        config.dnsUpdater().ifPresent(replication::dnsUpdater);
        config.acme().ifPresent(replication::acme);
        if (config.httpOnly()) {
            replication.httpOnly();
        }
        Replicator replicator = replication.build();
        overload.addListener(replicator);
        return replicator;
    }

    /** Closes what the constructor opened before it failed. */
    private static void closeQuietly(Optional<DirectCaptures> captures, Optional<CaptureIntake> intake) {
        for (Optional<? extends AutoCloseable> open : List.of(captures, intake)) {
            try {
                if (open.isPresent()) {
                    open.get().close();
                }
            } catch (Exception e) {
                LOG.warn("cannot close {} after a failed start: {}", open.get(), e.toString());
            }
        }
    }

    /**
     * Starts defending the site: the detector's and the replicator's threads start, and the first
     * bundle is built and staged on the peers in the background.
     *
     * @throws IOException if the state directory cannot be created
     */
    public static XenoService start(XenoConfig config) throws IOException {
        XenoService service = new XenoService(Objects.requireNonNull(config, "config"));
        service.replicator.start();
        service.detector.start();
        LOG.info("XenoService defends {}: {}", config.site(), config);
        return service;
    }

    /** The configuration it runs with. */
    public XenoConfig config() {
        return config;
    }

    /** The recorder behind the {@link #tracker()}, which the detector reads; adapters use the tracker. */
    public RequestRecorder recorder() {
        return recorder;
    }

    /** What adapters tell about every request: begin, handling, end (lock-free, allocation-free). */
    public RequestTracker tracker() {
        return tracker;
    }

    /** The overload detector, e.g. to force "under attack" mode by hand. */
    public OverloadDetector detector() {
        return detector;
    }

    /** The replicator, for its status and to restage after a deploy. */
    public Replicator replicator() {
        return replicator;
    }

    /**
     * How long a direct client's connection is used while the site is sheltered before it is closed
     * after an answer ({@link #closeDirectConnection}): long enough that a flood aimed at the origin's
     * address does not make a full TLS handshake of every request, short enough that a browser whose
     * cached answer has run out moves to the peers within 2 s.
     */
    public static final Duration CLIENT_MOVE_AFTER = Duration.ofSeconds(2);

    private static final long CLIENT_MOVE_AFTER_NANOS = CLIENT_MOVE_AFTER.toNanos();

    /**
     * Whether the adapter should close a direct client's kept-alive connection after the response it
     * is about to handle (HTTP/1.1 {@code Connection: close}, HTTP/2 GOAWAY): true while the site is
     * sheltered (some peer in its DNS name) for a connection whose first request came
     * {@link #CLIENT_MOVE_AFTER} ago or more ({@code firstSeenNanos}, a {@link System#nanoTime()}
     * value: the adapter keeps it with the connection, or asks {@link #connectionFirstSeen}). A browser
     * keeps a connection as long as the server allows, whatever the name's TTL, so without this a
     * customer who reached the origin before the flood stays on it; with it, the customer's next
     * request resolves the name again and may find a peer. Asked only for direct requests, never for a
     * peer's (its back channel must stay open), and only while {@link #sheltered()}. Each {@code true}
     * is counted ({@code connectionsClosed} in {@code /_xeno/status}).
     */
    public boolean closeDirectConnection(long firstSeenNanos) {
        return System.nanoTime() - firstSeenNanos >= CLIENT_MOVE_AFTER_NANOS && shelter.closeDirectConnection();
    }

    /**
     * When the connection named {@code connection} (e.g. the client's address and port) made its first
     * request, as far as this service has seen, for an adapter that has no connection object to keep
     * it on (the Servlet API): a bounded table (65,536 connections, forgotten 10 min after their last
     * request). Ask only while {@link #sheltered()}.
     */
    public long connectionFirstSeen(String connection) {
        return connectionsSeen.get(connection, unused -> System.nanoTime());
    }

    /** Whether the site is sheltered: some peer is in its DNS name. A volatile read or two. */
    public boolean sheltered() {
        return shelter.sheltered();
    }

    /**
     * The whole answer to a request {@link #journalCapture} decided: for a journalled request,
     * {@code 202} with the route's page from memory ({@link #staticFromMemory}) and the answer's
     * headers; otherwise (or when the page is not held in memory) the answer as text.
     */
    public XenoResponse responseFor(CaptureAnswer answer) {
        if (!answer.journaled()) {
            return answer.text();
        }
        // the order's own page: never held back by the link budget
        Optional<XenoResponse> page = staticPages.answer("GET", answer.page().orElseThrow(), name -> Optional.empty());
        if (page.isEmpty() || page.get().status() != 200) {
            return answer.text();
        }
        Map<String, String> headers = new LinkedHashMap<>(page.get().headers());
        headers.remove("ETag");
        headers.remove("Last-Modified");
        headers.remove(XenoResponse.CONTENT_LENGTH);
        headers.putAll(answer.headers());
        return new XenoResponse(202, page.get().contentType(), page.get().body(), headers);
    }

    /**
     * The {@code capture} route that decides a direct request's path, when the origin journals that
     * route's requests itself (it has a capture handler): the adapter asks when the application has
     * no room for a request, and if a route comes back it reads the body and calls
     * {@link #journalCapture} instead of refusing the request. Empty for any other path, and for every
     * path when the origin has no capture handler. The longest matching prefix decides, as on a
     * replica.
     *
     * @param path the request's path, decoded and without the query, as the adapter gives it to the
     *     {@link #tracker()}
     */
    public Optional<DynamicRoute> captureRoute(String path) {
        Objects.requireNonNull(path, "path");
        return directCaptures.flatMap(captures -> captures.route(path));
    }

    /**
     * Journals a direct request of a {@code capture} route that the application has no room for now,
     * so that it is applied once, through the {@link org.xenoservice.intake.CaptureHandler}, when the
     * application has room ({@link OriginCaptures}): the origin takes an order under fire as its
     * peers do, instead of refusing it. Durable when it returns {@code 202}. Built as a peer builds
     * it: the {@code Idempotency-Key} header (or a random UUID), the {@code Content-Type}, the target
     * in the normal form of {@link org.xenoservice.protocol.CaptureRules}, the body; a key applied
     * before through a peer is not applied again. The journal is bounded
     * ({@link OriginCaptures#DEFAULT_MAX_PENDING} requests, {@link OriginCaptures#DEFAULT_MAX_JOURNAL_BYTES}
     * on disk): beyond, the answer is {@code 503} with {@code Retry-After}, so a flood of posts cannot
     * fill the disk. Blocking (one fsync): adapters call it off their I/O threads. The journal is
     * applied while the admission control ({@link #admit}) would admit a direct request: always in
     * calm times, and under fire whenever the application's direct slots are not all taken.
     *
     * <pre>{@code
     * // in the adapter, for a direct request the application has no room for:
     * if (xeno.admit(Traffic.DIRECT) == AdmissionControl.REJECTED) {
     *   Optional<CaptureAnswer> answer = Optional.empty();
     *   if (xeno.captureRoute(path).isPresent()) {
     *     byte[] body = in.readNBytes(CapturedRequest.MAX_BODY_BYTES + 1);  // 413 first if Content-Length is over
     *     answer = xeno.journalCapture(method, rawTarget, headers::first, body);
     *   }
     *   if (answer.isPresent() && answer.get().journaled()) {
     *     // serve the static file answer.get().page().get() with status 202 and answer.get().headers()
     *   } else {
     *     // write answer.get().text() (400, 413, 422 or 503), or else xeno.refusedByAdmission()
     *   }
     * }
     * }</pre>
     *
     * @param method the request's method
     * @param target the request target as received: the raw (percent-encoded) path and the query
     * @param header a request header's first value by name, looked up case-insensitively; empty when absent
     * @param body the request body, of which the adapter reads at most
     *     {@link org.xenoservice.protocol.CapturedRequest#MAX_BODY_BYTES} + 1 bytes, so that an oversize body is seen
     * @return what to answer; empty when the target, once normalized, is not under a capture route or
     *     the origin has no capture handler (the adapter then treats the request as any other)
     */
    public Optional<CaptureAnswer> journalCapture(
            String method, String target, Function<String, Optional<String>> header, byte[] body) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
        return directCaptures.flatMap(captures -> captures.journal(method, target, header, body));
    }

    /**
     * Admits a request to the application, or refuses it ({@link AdmissionControl#REJECTED}): the
     * {@link AdmissionControl} in front of the app, engaged while the detector says OVERLOADED or
     * the site is sheltered, with {@link Traffic#PEER} for a request {@link #verifyPeer} verified
     * and {@link Traffic#DIRECT} for any other. A refused request gets {@link #refusedByAdmission}
     * and the application does not run; an admitted one is {@link #release}d once when its response
     * is complete. Lock-free and allocation-free: two volatile reads decide whether the limit
     * applies.
     */
    public long admit(Traffic traffic) {
        engageAdmission();
        return admission.tryAcquire(traffic);
    }

    /**
     * Whether the application has room for an order the origin journalled: the admission control
     * would admit a direct request now. False until the service is fully built (the applier thread
     * starts in the constructor).
     */
    private boolean roomForJournalled() {
        if (detector == null || shelter == null) {
            return false;
        }
        engageAdmission();
        return admission.hasRoom(Traffic.DIRECT);
    }

    /** Engages the admission control while OVERLOADED or sheltered, lifts it otherwise. */
    private void engageAdmission() {
        boolean engage = underFire();
        if (engage != admission.engaged()) {
            admission.engage(engage);
        }
    }

    /**
     * Whether the detector says {@link OverloadState#OVERLOADED} now: when adapters answer static
     * files from memory ({@link #staticFromMemory}). A volatile read, for the request thread (unlike
     * {@link OverloadDetector#state()}, which takes the detector's lock).
     */
    public boolean overloaded() {
        return detector.snapshot().state() == OverloadState.OVERLOADED;
    }

    /**
     * Whether the origin is under fire: the detector says OVERLOADED, or the site is sheltered (a
     * peer in its name: the flood may have eased at the origin only because the peers carry it, and
     * the customers still pinned to the origin's address are the ones to serve cheaply). Adapters
     * answer static files from memory ({@link #staticFromMemory}) while this holds, and the admission
     * control applies. Two volatile reads.
     */
    public boolean underFire() {
        return overloaded() || shelter.sheltered();
    }

    /** Ends a request {@link #admit} admitted: {@link Outcome#ofStatus} of its status, or {@link Outcome#FAILED}. */
    public void release(long permit, Outcome outcome) {
        admission.release(permit, outcome);
    }

    /** The cheap answer to a request {@link #admit} refused: 503 with {@code Retry-After}. */
    public XenoResponse refusedByAdmission() {
        return XenoResponse.text(
                503,
                "503 Service Unavailable: the site is very busy; please retry in a moment\n",
                Map.of("Retry-After", Integer.toString(admission.retryAfterSeconds()), "Cache-Control", "no-store"));
    }

    /** Whether a request path is one of XenoService's own, which adapters hand to {@link #serveXenoPath}. */
    public boolean isXenoPath(String path) {
        return path.startsWith(XENO_PREFIX);
    }

    /**
     * Whether a request claims to come from one of the site's peers (it names a peer key): the
     * adapter must then {@link #verifyPeer} it before the application sees it, and answer a
     * refusal. Cheap: one header lookup.
     */
    public boolean claimsPeer(Function<String, Optional<String>> header) {
        return BackChannelGuard.claimsPeer(header);
    }

    /**
     * Verifies a request that claims to come from a peer; see {@link BackChannelGuard#verify}.
     *
     * @param method the request method
     * @param target the request target as received: the raw path (with the context path, if any) and the query
     * @param headers every value of a header by lower-case name, in the order received
     * @param body the body, of which the adapter reads at most {@link #MAX_XENO_BODY_BYTES} + 1 bytes
     * @return verified with the peer's name, or refused with the status and message to answer
     */
    public PeerVerdict verifyPeer(String method, String target, PeerSignature.HeaderValues headers, byte[] body) {
        return backChannel.verify(method, target, headers, body);
    }

    /** The answer to a request {@link #verifyPeer} refused: its status and a line that says why. */
    public static XenoResponse refusal(PeerVerdict verdict) {
        String reason = verdict.refusal().map(PeerVerdict.Refusal::id).orElse("verified");
        return XenoResponse.text(
                verdict.status(),
                verdict.status() + " " + reason + ": " + verdict.message() + "\n",
                verdict.status() == 401 ? Map.of("WWW-Authenticate", "XenoPeer") : Map.of());
    }

    /**
     * Answers one of XenoService's own paths. Blocking: adapters call it off their I/O threads.
     *
     * @param method the request method
     * @param path the request path (without the query), as the adapter routes it
     * @param target the request target as received (raw path and query), which a peer's signature covers
     * @param headers every value of a request header by lower-case name
     * @param body the request body; at most {@link #MAX_XENO_BODY_BYTES} of it is read
     * @throws IOException if the body cannot be read
     */
    public XenoResponse serveXenoPath(
            String method, String path, String target, PeerSignature.HeaderValues headers, InputStream body)
            throws IOException {
        Function<String, Optional<String>> header = name -> {
            List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        };
        switch (path) {
            case STATUS_PATH, METRICS_PATH -> {
                Optional<XenoResponse> refused = checkAdmin(header);
                if (refused.isPresent()) {
                    return refused.get();
                }
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    return XenoResponse.text(405, "405 Method Not Allowed: use GET\n", Map.of("Allow", "GET, HEAD"));
                }
                return path.equals(STATUS_PATH)
                        ? new XenoResponse(
                                200,
                                "application/json",
                                StatusDocuments.json(status()),
                                Map.of("Cache-Control", "no-store"))
                        : new XenoResponse(
                                200,
                                "text/plain; version=0.0.4; charset=utf-8",
                                StatusDocuments.prometheus(status()),
                                Map.of("Cache-Control", "no-store"));
            }
            case INTAKE_PATH -> {
                return intake(method, target, headers, body);
            }
            default -> {
                return XenoResponse.text(
                        404,
                        "404 Not Found: XenoService's paths are " + STATUS_PATH + ", " + METRICS_PATH + " and "
                                + INTAKE_PATH + "\n",
                        Map.of());
            }
        }
    }

    /**
     * Answers a {@code GET} or {@code HEAD} of one of the site's static files from memory, without
     * the application: from the bundle the replicator built last, exactly as a peer answers it.
     * {@code ETag} is the file's SHA-256 (with {@code -gz} for the gzip representation),
     * {@code If-None-Match} gets a 304, a gzip-stored file goes out gzip-compressed when
     * {@code Accept-Encoding} allows (with {@code Vary: Accept-Encoding}), {@code Cache-Control} and
     * {@code Last-Modified} come from the manifest, and {@code /} and {@code /dir/} are answered with
     * their {@code index.html}. A {@code HEAD} answer has an empty body and the {@code GET}'s length in
     * {@link XenoResponse#contentLength()}.
     *
     * <p>Empty, so that the adapter hands the request to the application as usual, for any other
     * method and for any path no file is held for: not in the bundle (the application's 404 stays its
     * own), not normalised ({@code /a/../b}, {@code //b}, still percent-encoded), with a query, left
     * out for the memory limits ({@link XenoConfig#staticMemoryBytes()}), or before the first bundle
     * is in memory. It never waits for a bundle to load.
     *
     * <p>It does not decide when to answer from memory: adapters call it only while the detector says
     * {@link OverloadState#OVERLOADED} or the site is sheltered ({@link #underFire()}), so that in calm times the application serves every request as
     * it always has, with files changed since the last bundle. Counted in {@link #status()}
     * ({@code fromMemory.served}). Lock-free and allocation-free (beyond what {@code header} does),
     * for the request thread:
     *
     * <pre>{@code
     * // in an adapter, before the application, for a request that is not one of XenoService's own:
     * if (xeno.underFire()) {
     *   Optional<XenoResponse> page = xeno.staticFromMemory(
     *       exchange.getRequestMethod().toString(),
     *       exchange.getRelativePath(),
     *       name -> Optional.ofNullable(exchange.getRequestHeaders().getFirst(name)));
     *   if (page.isPresent()) {
     *     XenoResponse answer = page.get();
     *     HeaderMap headers = exchange.getResponseHeaders();
     *     exchange.setStatusCode(answer.status());
     *     answer.headers().forEach((name, value) -> headers.put(HttpString.tryFromString(name), value));
     *     headers.put(Headers.CONTENT_TYPE, answer.contentType());
     *     headers.put(Headers.CONTENT_LENGTH, answer.contentLength());
     *     exchange.getResponseSender().send(ByteBuffer.wrap(answer.body())); // empty for HEAD and 304
     *     return;
     *   }
     * }
     * app.handleRequest(exchange);
     * }</pre>
     *
     * @param method the request method, as received (methods are case-sensitive)
     * @param path the request path, percent-decoded, without the query, relative to the static
     *     source's root (without a servlet context path), as the adapter routes it
     * @param header a request header's value by name (case-insensitive), like {@link #claimsPeer}'s;
     *     empty when absent
     */
    public Optional<XenoResponse> staticFromMemory(
            String method, String path, Function<String, Optional<String>> header) {
        Optional<XenoResponse> answer = staticPages.answer(method, path, header);
        if (answer.isPresent()
                && shelter.sheltered()
                && !linkBudget.take(answer.get().body().length)) {
            return Optional.of(LinkBudget.OVER_BUDGET);
        }
        return answer;
    }

    /** The largest body {@link #serveXenoPath} reads: a captured request's body and some headroom. */
    public static final int MAX_XENO_BODY_BYTES = org.xenoservice.protocol.CapturedRequest.MAX_BODY_BYTES;

    /** Verifies the delivery first: nothing an unverified request holds reaches the intake. */
    private XenoResponse intake(String method, String target, PeerSignature.HeaderValues headers, InputStream body)
            throws IOException {
        byte[] bytes = body.readNBytes(MAX_XENO_BODY_BYTES + 1);
        PeerVerdict verdict = backChannel.verify(method, target, headers, bytes);
        if (!verdict.isVerified()) {
            LOG.debug("intake of {}: refused an unverified delivery: {}", config.site(), verdict);
            return refusal(verdict);
        }
        if (intake.isEmpty()) {
            boolean captures = config.dynamicRoutes().stream().anyMatch(r -> r.policy() == DynamicRoute.Policy.CAPTURE);
            return captures
                    ? XenoResponse.text(
                            503,
                            "503 Service Unavailable: this origin has no capture handler yet; keep the"
                                    + " request and retry\n",
                            Map.of("Retry-After", "60"))
                    : XenoResponse.text(404, "404 Not Found: this site has no capture routes\n", Map.of());
        }
        IntakeResponse answer = intake.get().accept(verdict, method, bytes);
        return new XenoResponse(answer.status(), answer.contentType(), answer.body(), Map.of());
    }

    private static Optional<CaptureIntake> openIntake(XenoConfig config) throws IOException {
        boolean captures = config.dynamicRoutes().stream().anyMatch(r -> r.policy() == DynamicRoute.Policy.CAPTURE);
        if (config.captureHandler().isEmpty()) {
            if (captures) {
                LOG.warn(
                        "{} has capture routes but no capture handler: the intake answers 503 and peers keep what they"
                                + " capture until a handler is configured (XenoConfig.Builder.captureHandler)",
                        config.site());
            }
            return Optional.empty();
        }
        if (!captures) {
            LOG.warn("{} has a capture handler but no capture route; it will never be called", config.site());
            return Optional.empty();
        }
        return Optional.of(CaptureIntake.open(
                config.stateDirectory().resolve("intake"),
                config.site(),
                config.dynamicRoutes(),
                config.captureHandler().get()));
    }

    /** A 404 when no admin token is configured, 401 without the right bearer token, nothing when it is right. */
    private Optional<XenoResponse> checkAdmin(Function<String, Optional<String>> header) {
        if (adminToken.isEmpty()) {
            return Optional.of(XenoResponse.text(
                    404,
                    "404 Not Found: the admin endpoints are off; configure an admin"
                            + " token (admin-token-file) to turn them on\n",
                    Map.of()));
        }
        byte[] given = header.apply("Authorization").orElse("").getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(given, adminToken.get())) {
            return Optional.of(XenoResponse.text(
                    401,
                    "401 Unauthorized: send Authorization: Bearer <admin token>\n",
                    Map.of("WWW-Authenticate", "Bearer realm=\"xenoservice\"")));
        }
        return Optional.empty();
    }

    /**
     * The request rate the origin takes calmly: below the detector's exit level (its surge threshold
     * times the exit factor). The replicator keeps peers in DNS while they together serve more.
     */
    static double calmRequestsPerSecond(OverloadDetector detector, OverloadConfig settings) {
        double threshold = detector.snapshot().surgeThresholdPerSecond();
        return Math.max(threshold, settings.minSurgeRatePerSecond()) * settings.surgeExitFactor();
    }

    /** What the service sees and does now. */
    public XenoStatus status() {
        engageAdmission();
        return new XenoStatus(
                config.site(),
                recorder.totalStarted(),
                recorder.inFlight(),
                detector.snapshot(),
                replicator.status(),
                intake.map(i ->
                        new XenoStatus.Intake(i.appliedCount(), i.duplicateCount(), i.refusedCount(), i.failedCount())),
                backChannelStatus(),
                staticPages.status(),
                originDefence());
    }

    private XenoStatus.OriginDefence originDefence() {
        OriginCaptures.Counts journal =
                directCaptures.map(DirectCaptures::counts).orElse(new OriginCaptures.Counts(0, 0, 0, 0));
        return new XenoStatus.OriginDefence(
                shelter.connectionsClosed(),
                admission.counts(),
                journal.journaled(),
                journal.applied(),
                journal.pending(),
                journal.dead(),
                linkBudget.refused());
    }

    private XenoStatus.BackChannel backChannelStatus() {
        Map<String, Long> refused = new LinkedHashMap<>();
        backChannel.refusedCounts().forEach((reason, count) -> refused.put(reason.id(), count));
        return new XenoStatus.BackChannel(backChannel.verifiedCount(), refused);
    }

    /**
     * Stops the detector, the replicator (peers in DNS stay there; see {@link Replicator#close()}) and
     * the origin's capture journal (what it holds is applied after the next start).
     */
    @Override
    public void close() {
        detector.close();
        replicator.close();
        staticPages.close();
        directCaptures.ifPresent(open -> {
            try {
                open.close();
            } catch (IOException e) {
                LOG.warn("cannot close the origin's capture journal of {}: {}", config.site(), e.toString());
            }
        });
        intake.ifPresent(open -> {
            try {
                open.close();
            } catch (IOException e) {
                LOG.warn("cannot close the intake ledger of {}: {}", config.site(), e.toString());
            }
        });
        LOG.info("XenoService for {} stopped", config.site());
    }
}
