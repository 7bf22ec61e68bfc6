package org.xenoservice.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.backchannel.BackChannelGuard;
import org.xenoservice.backchannel.PeerVerdict;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.SiteName;
import org.xenoservice.dynamic.JournalException;
import org.xenoservice.protocol.CaptureDelivery;
import org.xenoservice.protocol.CaptureRules;
import org.xenoservice.protocol.CapturedRequest;

/**
 * The origin's end of the {@code capture} policy: the intake that peers forward captured requests
 * to (the {@code intake} URL of a capture route, see {@link org.xenoservice.dynamic.CapturePolicy}),
 * which applies each idempotency key once. Peers deliver every captured request at least once, retrying anything but
 * a {@code 2xx}; this class turns that into once by keeping the keys it has applied in a durable
 * ledger, so a redelivery, after a peer crashed before it noted the answer, is answered
 * {@code 200 duplicate} without applying the request again.
 *
 * <pre>{@code
 * try (CaptureIntake intake = CaptureIntake.open(Path.of("/var/lib/shop/intake"), "shop.example",
 *     manifestRoutes, request -> orders.place(request))) {
 *   // in the web framework's handler for POST /intake, on a thread that may block:
 *   byte[] body = in.readNBytes(CapturedRequest.MAX_BODY_BYTES + 1);
 *   PeerVerdict verdict = guard.verify(method, rawTarget, name -> headers.get(name), body);
 *   IntakeResponse answer = intake.accept(verdict, method, body);
 *   // write answer.status(), answer.contentType() and answer.body()
 * }
 * }</pre>
 *
 * <h2>What it accepts</h2>
 * A forwarded request as a peer's {@link org.xenoservice.peer.Captures} sends it
 * ({@link CaptureDelivery}): {@code POST} with the headers {@code Idempotency-Key},
 * {@code X-Forwarded-Host} (the site), {@code X-Xeno-Path} (the original path as received and the
 * query), {@code X-Xeno-Method} and {@code X-Xeno-Captured-At} (ISO-8601), the captured
 * {@code Content-Type}, and the body. The last two Xeno headers are
 * optional, for peers that predate them: the method is then {@code POST} and the capture time the
 * time of arrival. The answers, each with a small JSON body ({@link IntakeResponse}):
 * <ul>
 *   <li>{@code 200 {"status":"applied"}}: the handler applied the request and its key is on disk;
 *   <li>{@code 200 {"status":"duplicate"}}: the key was applied before for the same request (same
 *       {@link CapturedRequest#fingerprint() fingerprint}); the handler is not called (even if the
 *       path is no longer captured, so that a redelivery is always acknowledged);
 *   <li>{@code 422 {"error":"key-reused"}}: the key was applied before for another request (another
 *       method, path, {@code Content-Type} or body): whoever sent the key first owns it;
 *   <li>{@code 405} not {@code POST}; {@code 400} an idempotency key, site or path header missing or
 *       invalid, or a target or {@code Content-Type} that {@link CaptureRules} refuses (the target
 *       is taken in its normal form: {@code /%6frder} is {@code /order}, {@code /order;x=1} is
 *       refused), the rule a peer applies before it journals; {@code 421 Misdirected Request} the request is for another
 *       site than this intake's; {@code 404} the path is not under a capture route of the site
 *       (the longest matching prefix decides, as on a replica); {@code 413} a body over
 *       {@link CapturedRequest#MAX_BODY_BYTES};
 *   <li>{@code 409}: the same key is being applied right now; the peer retries it later;
 *   <li>{@code 500}: the handler threw (its message is in the body) or the key could not be
 *       recorded; the key is not recorded, so the redelivery applies it;
 *   <li>{@code 503}: the intake is closed, or its ledger failed an earlier write and must be
 *       reopened; nothing was applied.
 * </ul>
 * The intake takes only deliveries a {@link BackChannelGuard} verified as signed by one of the
 * site's pinned peers ({@link #accept(PeerVerdict, String, byte[])}), and reads only the headers
 * the peer signed; a refused verdict is answered with its 401 or 403 and nothing is applied.
 * {@link org.xenoservice.XenoService} verifies every delivery to its {@code /_xeno/intake} so.
 *
 * <p>Requests the origin captured itself, because its application had no room for them, come in
 * from its {@link OriginCaptures} journal through {@code applyCaptured}, past the same ledger: an
 * idempotency key is applied once whether a peer delivered it, the origin journalled it, or both.
 *
 * <h2>Durability</h2>
 * The ledger ({@code intake.ledger} in the ledger directory) is append-only, each record
 * checksummed and forced to the device before the intake answers {@code 200}. After a crash, a
 * torn last record is dropped (it was never answered); corruption in the middle makes
 * {@link #open} fail with a {@link JournalException} that names the file and the offset. Keys are
 * kept for ever and the file is not compacted (about 42 bytes per UUID key).
 * {@link CaptureHandler} states the one window in which a request may be applied twice.
 *
 * <p>Safe for concurrent use; {@link #accept} blocks while the handler runs and for one fsync.
 */
public final class CaptureIntake implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureIntake.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_REASON_CHARS = 300;
    private static final String POST = "POST";

    private final String site;
    private final List<DynamicRoute> routes;
    private final CaptureHandler handler;
    private final IntakeLedger ledger;
    private final Set<String> inProgress = ConcurrentHashMap.newKeySet();
    private final ReadWriteLock gate = new ReentrantReadWriteLock();
    private final LongAdder applied = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private volatile boolean closed;

    private CaptureIntake(String site, List<DynamicRoute> routes, CaptureHandler handler, IntakeLedger ledger) {
        this.site = site;
        this.routes = routes;
        this.handler = handler;
        this.ledger = ledger;
    }

    /**
     * Opens the intake of {@code site}, loading the keys applied before from the ledger in
     * {@code ledgerDirectory} (created when absent).
     *
     * @param ledgerDirectory where the ledger of applied keys is kept; one intake per directory
     * @param site the site's host name, as peers send it in {@code X-Forwarded-Host}
     * @param routes the site's dynamic routes, as its bundles list them; requests are accepted only
     *     for paths a {@code capture} route decides
     * @param handler applies each new request; see {@link CaptureHandler} for its contract
     * @throws IllegalArgumentException if the site is not a host name or no route is a capture route
     * @throws JournalException if the ledger is not one, of another version, corrupt in the middle,
     *     or open in another intake; the message says what to do
     * @throws IOException if the ledger cannot be created, read or written
     */
    public static CaptureIntake open(
            Path ledgerDirectory, String site, List<DynamicRoute> routes, CaptureHandler handler) throws IOException {
        Objects.requireNonNull(ledgerDirectory, "ledgerDirectory");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(handler, "handler");
        List<DynamicRoute> copied = List.copyOf(routes);
        site = SiteName.of(site).value();
        if (copied.stream().noneMatch(route -> route.policy() == DynamicRoute.Policy.CAPTURE)) {
            throw new IllegalArgumentException("routes must hold at least one capture route, but have "
                    + copied.stream()
                            .map(route -> route.prefix() + "=" + route.policy().token())
                            .toList()
                    + "; pass the dynamic routes of the site's bundle");
        }
        return new CaptureIntake(site, copied, handler, IntakeLedger.open(ledgerDirectory));
    }

    /**
     * Decides one delivery that {@code verdict} says a pinned peer signed, reading only the headers
     * the peer signed; a refused verdict is answered with its status (401, 403 or 413) and nothing
     * is applied. See the class comment for the other answers. Never throws for anything the
     * request holds.
     *
     * @param verdict what {@link BackChannelGuard#verify} decided about the request
     * @param method the request's HTTP method
     * @param body the body the verdict was decided on
     * @return the answer to write
     */
    public IntakeResponse accept(PeerVerdict verdict, String method, byte[] body) {
        Objects.requireNonNull(verdict, "verdict");
        if (!verdict.isVerified()) {
            refused.increment();
            return answer(
                    verdict.status(), error(verdict.refusal().orElseThrow().id(), verdict.message(), null));
        }
        return accept(method, verdict::signedHeader, body);
    }

    /**
     * Decides one forwarded request whose sender is already verified, applying it through the
     * handler if its key is new; see the class comment for the answers. Never throws for anything
     * the request holds.
     *
     * @param method the request's HTTP method
     * @param header the request's header by name, looked up case-insensitively; empty when absent
     * @param body the request body, of which the adapter reads at most
     *     {@link CapturedRequest#MAX_BODY_BYTES} + 1 bytes so that an oversize body is seen
     * @return the answer to write
     */
    IntakeResponse accept(String method, Function<String, Optional<String>> header, byte[] body) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
        return whileOpen(() -> decide(method, header, body));
    }

    /**
     * Applies a request that the origin captured itself ({@link OriginCaptures}), with the same
     * ledger, in-progress and route checks as a peer's delivery, so that a key is applied once
     * whichever way it came: a key a peer delivered first is answered {@code 200 duplicate} here,
     * and a peer's later delivery of a key applied here is a duplicate too. The answers are those of
     * the class comment; the request's target is taken in the normal form of {@link CaptureRules}
     * ({@code 400} if the rules refuse it), and a request for another site is answered {@code 421}.
     * Never throws for anything the request holds.
     */
    IntakeResponse applyCaptured(CapturedRequest request) {
        Objects.requireNonNull(request, "request");
        return whileOpen(() -> decideCaptured(request));
    }

    /** What the ledger knows of a request's key: {@link #applyCaptured} answers accordingly. */
    enum Known {
        /** The key was never applied. */
        NEW,
        /** The key was applied for this request (or recorded without a fingerprint): a duplicate. */
        APPLIED,
        /** The key was applied for another request: refused with {@code 422 key-reused}. */
        REUSED
    }

    /**
     * What the ledger knows of {@code request}'s key, without applying or counting anything: lets
     * {@link OriginCaptures} answer a client's retry of an applied request, or refuse a reused key,
     * before it journals anything. The request must be in normal form, as {@link #applyCaptured} takes it.
     */
    Known known(CapturedRequest request) {
        String key = request.idempotencyKey();
        if (!ledger.contains(key)) {
            return Known.NEW;
        }
        Optional<byte[]> owner = ledger.fingerprint(key);
        return owner.isPresent() && !MessageDigest.isEqual(owner.get(), request.fingerprint())
                ? Known.REUSED
                : Known.APPLIED;
    }

    /**
     * Whether a capture route of the site decides {@code path} (decoded, without the query): the
     * longest matching prefix, as on a replica.
     */
    boolean captures(String path) {
        return DynamicRoute.decide(routes, path)
                .filter(route -> route.policy() == DynamicRoute.Policy.CAPTURE)
                .isPresent();
    }

    /** Runs {@code decision} unless the intake is closed or closing, which is answered {@code 503}. */
    private IntakeResponse whileOpen(Supplier<IntakeResponse> decision) {
        if (!gate.readLock().tryLock()) {
            return closedAnswer();
        }
        try {
            if (closed) {
                return closedAnswer();
            }
            return decision.get();
        } finally {
            gate.readLock().unlock();
        }
    }

    private IntakeResponse decideCaptured(CapturedRequest request) {
        if (!request.site().equalsIgnoreCase(site)) {
            return refuse(
                    421,
                    "wrong-site",
                    "this intake takes requests for " + site + ", not for " + printable(request.site()));
        }
        CapturedRequest normal;
        String path;
        try {
            normal = CaptureRules.normalize(request);
            path = CaptureRules.decodedPath(normal.path());
        } catch (IllegalArgumentException e) {
            return refuse(
                    400, "bad-path", "target " + printable(request.path()) + " cannot be captured: " + e.getMessage());
        }
        return settle(normal, path);
    }

    private IntakeResponse decide(String method, Function<String, Optional<String>> header, byte[] body) {
        if (!POST.equals(method)) {
            return refuse(405, "method-not-allowed", "the intake takes POST only, but was " + printable(method));
        }
        if (body.length > CapturedRequest.MAX_BODY_BYTES) {
            return refuse(413, "too-large", "the body must be at most " + CapturedRequest.MAX_BODY_BYTES + " bytes");
        }
        Optional<String> key = header.apply(CaptureDelivery.IDEMPOTENCY_KEY);
        if (key.isEmpty()) {
            return refuse(400, "missing-key", "the " + CaptureDelivery.IDEMPOTENCY_KEY + " header is missing");
        }
        if (!CapturedRequest.isIdempotencyKey(key.get())) {
            return refuse(
                    400,
                    "bad-key",
                    CaptureDelivery.IDEMPOTENCY_KEY + " must be 1 to " + CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS
                            + " printable ASCII characters without spaces");
        }
        Optional<String> forwardedHost = header.apply(CaptureDelivery.FORWARDED_HOST);
        if (forwardedHost.isEmpty()) {
            return refuse(400, "missing-header", "the " + CaptureDelivery.FORWARDED_HOST + " header is missing");
        }
        if (!forwardedHost.get().equalsIgnoreCase(site)) {
            return refuse(
                    421,
                    "wrong-site",
                    "this intake takes requests for " + site + ", not for " + printable(forwardedHost.get()));
        }
        Optional<String> target = header.apply(CaptureDelivery.XENO_PATH);
        if (target.isEmpty()) {
            return refuse(400, "missing-header", "the " + CaptureDelivery.XENO_PATH + " header is missing");
        }
        String normal;
        String path;
        try {
            normal = CaptureRules.normalizeTarget(target.get());
            path = CaptureRules.decodedPath(normal);
        } catch (IllegalArgumentException e) {
            return refuse(
                    400,
                    "bad-path",
                    CaptureDelivery.XENO_PATH + " " + printable(target.get()) + " cannot be captured: "
                            + e.getMessage());
        }
        CapturedRequest request;
        try {
            request = request(key.get(), normal, header, body);
        } catch (IllegalArgumentException e) {
            return refuse(400, "bad-request", e.getMessage());
        }
        return settle(request, path);
    }

    /**
     * Decides a well-formed request for this site whose target is in normal form and whose decoded
     * path is {@code path}: a duplicate or reused key, a path no capture route covers, a key in
     * progress, or else applies it. Every way in ({@link #accept}, {@link #applyCaptured}) ends here.
     */
    private IntakeResponse settle(CapturedRequest request, String path) {
        if (ledger.contains(request.idempotencyKey())) {
            return duplicateOrReused(request);
        }
        if (!captures(path)) {
            return refuse(404, "not-captured", "no capture route of " + site + " covers " + printable(path));
        }
        if (!inProgress.add(request.idempotencyKey())) {
            return refuse(409, "in-progress", "this key is being applied right now; retry later");
        }
        try {
            return apply(request);
        } finally {
            inProgress.remove(request.idempotencyKey());
        }
    }

    private CapturedRequest request(String key, String target, Function<String, Optional<String>> header, byte[] body) {
        String method = header.apply(CaptureDelivery.XENO_METHOD).orElse(POST);
        Instant capturedAt = Instant.now();
        Optional<String> at = header.apply(CaptureDelivery.XENO_CAPTURED_AT);
        if (at.isPresent()) {
            try {
                capturedAt = Instant.parse(at.get());
            } catch (DateTimeException e) {
                throw new IllegalArgumentException(
                        CaptureDelivery.XENO_CAPTURED_AT + " must be an ISO-8601 instant, e.g. "
                                + "2030-01-01T12:00:00Z, but was " + printable(at.get()),
                        e);
            }
        }
        List<CapturedRequest.Header> headers = new ArrayList<>(1);
        Optional<String> type = header.apply("Content-Type");
        if (type.isPresent()) {
            headers.add(
                    new CapturedRequest.Header("Content-Type", CaptureRules.headerValue("Content-Type", type.get())));
        }
        return new CapturedRequest(key, site, method, target, headers, body, capturedAt);
    }

    private IntakeResponse apply(CapturedRequest request) {
        String key = request.idempotencyKey();
        if (ledger.contains(key)) {
            return duplicateOrReused(request);
        }
        try {
            ledger.checkUsable();
        } catch (JournalException e) {
            failed.increment();
            LOG.error("intake of {}: not applying {}: {}", site, key, e.getMessage());
            return answer(
                    503, error("ledger-failed", "the intake's ledger failed and must be reopened; retry later", key));
        }
        try {
            handler.apply(request);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            failed.increment();
            LOG.warn("intake of {}: the handler failed to apply {}; the peer will deliver it again", site, request, e);
            return answer(500, error("apply-failed", String.valueOf(e.getMessage()), key));
        }
        try {
            ledger.record(key, request.fingerprint());
        } catch (IOException e) {
            failed.increment();
            LOG.error(
                    "intake of {}: applied {} but could not record its key; this process will not apply it again,"
                            + " but after a restart a redelivery would",
                    site,
                    key,
                    e);
            return answer(500, error("ledger-failed", "applied, but the key could not be recorded; retry later", key));
        }
        applied.increment();
        LOG.debug("intake of {}: applied {}", site, request);
        return answer(200, status("applied", key));
    }

    /** How many requests the handler applied. */
    public long appliedCount() {
        return applied.sum();
    }

    /** How many requests were answered {@code 200 duplicate}: their key was applied before. */
    public long duplicateCount() {
        return duplicates.sum();
    }

    /** How many requests were refused with a {@code 4xx}, {@code 409} (same key in progress) included. */
    public long refusedCount() {
        return refused.sum();
    }

    /** How many requests were answered with a {@code 5xx}: the handler or the ledger failed, or the intake was closed. */
    public long failedCount() {
        return failed.sum();
    }

    /** How many keys the ledger holds: applied by this intake, before or since it was opened. */
    public int keyCount() {
        return ledger.size();
    }

    /** The site this intake takes requests for. */
    public String site() {
        return site;
    }

    /**
     * Waits for the requests being applied, then closes the ledger; later requests are answered
     * {@code 503}. Idempotent.
     */
    @Override
    public void close() throws IOException {
        closed = true;
        gate.writeLock().lock();
        try {
            ledger.close();
        } finally {
            gate.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "CaptureIntake[" + site + ", " + ledger.size() + " keys, " + ledger.file() + "]";
    }

    /**
     * The path of a request target (before any query) in the normal form of {@link CaptureRules},
     * percent-decoded as UTF-8, if the rules take it.
     */
    static Optional<String> decodedPath(String target) {
        try {
            return Optional.of(CaptureRules.decodedPath(CaptureRules.normalizeTarget(target)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private IntakeResponse closedAnswer() {
        failed.increment();
        return answer(503, error("closed", "the intake is closed; retry later", null));
    }

    /**
     * The answer for a request whose key was applied before: {@code 200 duplicate} if it is the
     * same request (or the key was recorded without a fingerprint), else {@code 422 key-reused}.
     */
    private IntakeResponse duplicateOrReused(CapturedRequest request) {
        String key = request.idempotencyKey();
        if (known(request) == Known.REUSED) {
            refused.increment();
            LOG.warn("intake of {}: key {} was applied for another request; refused {}", site, key, request);
            return answer(
                    422,
                    error(
                            "key-reused",
                            "this Idempotency-Key was applied for another request (another method, path,"
                                    + " Content-Type or body); the first request owns it, send a new one with a new key",
                            key));
        }
        return duplicate(key);
    }

    private IntakeResponse duplicate(String key) {
        duplicates.increment();
        LOG.debug("intake of {}: {} was applied before", site, key);
        return answer(200, status("duplicate", key));
    }

    private IntakeResponse refuse(int status, String error, String reason) {
        refused.increment();
        LOG.debug("intake of {}: refused with {} {}: {}", site, status, error, reason);
        return answer(status, error(error, reason, null));
    }

    private static Map<String, String> status(String status, String key) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("status", status);
        fields.put("key", key);
        return fields;
    }

    private static Map<String, String> error(String error, String reason, String key) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("error", error);
        String line = reason.replaceAll("[\\r\\n]+", " ");
        fields.put("reason", line.length() > MAX_REASON_CHARS ? line.substring(0, MAX_REASON_CHARS) + "..." : line);
        if (key != null) {
            fields.put("key", key);
        }
        return fields;
    }

    private static IntakeResponse answer(int status, Map<String, String> fields) {
        try {
            return new IntakeResponse(status, IntakeResponse.JSON, JSON.writeValueAsBytes(fields));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("writing a map of strings as JSON cannot fail", e);
        }
    }

    /** The value shortened and with control characters escaped, fit for a refusal's reason. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        int limit = Math.min(value.length(), 64);
        for (int i = 0; i < limit; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (value.length() > limit) {
            out.append("... (").append(value.length()).append(" chars)");
        }
        return out.toString();
    }
}
