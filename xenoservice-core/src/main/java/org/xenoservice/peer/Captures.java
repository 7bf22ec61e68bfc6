package org.xenoservice.peer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.SiteName;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.dynamic.CapturePolicy;
import org.xenoservice.dynamic.DynamicSettingException;
import org.xenoservice.dynamic.IdempotencyConflictException;
import org.xenoservice.dynamic.JournalEntry;
import org.xenoservice.protocol.CaptureDelivery;
import org.xenoservice.protocol.CaptureRules;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;
import org.xenoservice.protocol.SiteQuota;

/**
 * The {@code capture} policy of a peer: one {@link CaptureJournal} per site under a directory
 * ({@code <directory>/<site>/}) and one forwarder thread per site ({@code xeno-capture-<site>},
 * daemon) that posts the site's pending requests, in order, to the intake its active manifest
 * names for the request's path, with the {@code Idempotency-Key}, {@code X-Forwarded-Host} (the
 * site), {@code X-Xeno-Path}, {@code X-Xeno-Method} and {@code X-Xeno-Captured-At} headers, the
 * captured headers and the body ({@link CaptureDelivery}: what an
 * {@link org.xenoservice.intake.CaptureIntake} at the origin reads), all signed with the peer's
 * {@link PeerIdentity} ({@link org.xenoservice.protocol.PeerSignature}: the method, the intake's
 * path, those headers and the body's digest), and acknowledges each on a 2xx
 * answer. A request the intake refuses for what it is (a {@code 4xx} but 401, 403, 408, 409, 421,
 * 425 and 429), or that can no longer be encoded, is set aside in the site's dead letters so that
 * the queue always moves; anything else is retried, from the same request, with exponential backoff
 * from {@link #DEFAULT_INITIAL_BACKOFF} to {@link #DEFAULT_MAX_BACKOFF}, so the origin receives
 * the requests in order, and each at least once and, by its idempotency key, applies it once.
 *
 * <p>What it takes is bounded per site: a request must pass {@link CaptureRules} (else
 * {@code 400}, never journalled), its idempotency key must not belong to another request
 * ({@code 422}), the site must be within its {@link CaptureLimits} ({@code 429}), and the site's
 * stored blobs, journal, dead letters and kept keys together within its storage quota
 * ({@code 503}); see {@link CaptureRefusedException}. At most {@link #DEFAULT_MAX_DEAD_LETTERS}
 * dead letters are kept per site; beyond them the oldest is dropped, with an error log.
 *
 * <pre>{@code
 * try (Captures captures = Captures.builder(storeRoot.resolve("capture"), peerSites, identity)
 *     .storedBytes(peerSites::storedBytes).enrollments(peerSites::enrollment).open()) {
 *   captures.capture(request);   // durable when it returns; answer 202 now
 * }
 * }</pre>
 *
 * <p>{@link #open} resumes forwarding for every site that has a journal in the directory, so
 * requests captured before a restart are delivered after it. Safe for concurrent use.
 */
public final class Captures implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Captures.class);

    /** The first wait after a failed delivery. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    /** The longest wait between delivery attempts. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long one delivery may take. */
    public static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(10);
    /** The folder, under a site's journal, of the requests its intake refused as malformed. */
    public static final String DEAD_LETTERS = "dead-letters";
    /** How many dead letters a site keeps at most; beyond them the oldest is dropped. */
    public static final int DEFAULT_MAX_DEAD_LETTERS = 1000;
    /** What a record costs beyond its body and strings: record header and fixed fields, rounded up. */
    private static final int RECORD_OVERHEAD_BYTES = 128;

    private final Path directory;
    private final SiteLookup sites;
    private final PeerIdentity identity;
    private final ExecutorService clientThreads;
    private final HttpClient client;
    private final Map<String, Forwarder> forwarders = new ConcurrentHashMap<>();
    private final ToLongFunction<String> storedBytes;
    private final Function<String, Optional<Enrollment>> enrollments;
    private final CaptureBudget budget;
    private final int maxDeadLetters;
    private final Map<String, CaptureMeters> meters = new ConcurrentHashMap<>();
    private boolean closed;

    private Captures(Builder builder) {
        this.directory = builder.directory;
        this.sites = builder.sites;
        this.identity = builder.identity;
        this.storedBytes = builder.storedBytes;
        this.enrollments = builder.enrollments;
        this.maxDeadLetters = builder.maxDeadLetters;
        this.budget = new CaptureBudget(
                site -> enrollments.apply(site).map(Enrollment::captureLimits).orElse(CaptureLimits.DEFAULT),
                builder.nanoTime);
        // The client's own pool, so that close() can stop its threads (Java 17's HttpClient has no close).
        this.clientThreads = DaemonThreads.cachedPool("xeno-capture-client");
        this.client = HttpClient.newBuilder()
                .executor(clientThreads)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(DELIVERY_TIMEOUT)
                .build();
    }

    /**
     * Opens the journals already under {@code directory} and starts their forwarders; {@code sites}
     * gives each site's active manifest, whose capture routes name the intakes; {@code identity}
     * signs every delivery, so that the origin applies it only from a peer it pins. Every site gets
     * {@link CaptureLimits#DEFAULT} and the default storage quota; use {@link #builder} to give them.
     *
     * @throws IOException if the directory cannot be created or listed, or a journal opened
     */
    public static Captures open(Path directory, SiteLookup sites, PeerIdentity identity) throws IOException {
        return builder(directory, sites, identity).open();
    }

    /**
     * Starts configuring the captures under {@code directory} of the sites {@code sites} serves,
     * their deliveries signed by {@code identity}.
     */
    public static Builder builder(Path directory, SiteLookup sites, PeerIdentity identity) {
        return new Builder(directory, sites, identity);
    }

    private static Captures open(Builder builder) throws IOException {
        Files.createDirectories(builder.directory);
        Captures captures = new Captures(builder);
        Path directory = builder.directory;
        try (Stream<Path> children = Files.list(directory)) {
            List<Path> journals = children.filter(child -> Files.exists(child.resolve(CaptureJournal.FILE_NAME)))
                    .toList();
            for (Path journal : journals) {
                captures.forwarder(journal.getFileName().toString());
            }
        } catch (IOException | RuntimeException e) {
            captures.close();
            throw e;
        }
        return captures;
    }

    /**
     * Journals {@code request} for its site (durably, once per idempotency key) in the normal form
     * of {@link CaptureRules}, and wakes the site's forwarder. The same request with the same key
     * again gets the first one's sequence number, and nothing is written.
     *
     * @return the request's sequence number in the site's journal
     * @throws CaptureRefusedException if the request is not taken (see its reasons); nothing is
     *     journalled and the client gets the exception's status
     * @throws DynamicSettingException if the site's capture route for the path is misconfigured
     * @throws IOException if the request could not be journalled; it must then not be acknowledged
     */
    public long capture(CapturedRequest request) throws IOException, CaptureRefusedException {
        String site = request.site();
        try {
            CapturedRequest normal;
            try {
                normal = CaptureRules.normalize(request);
            } catch (IllegalArgumentException e) {
                throw refused(CaptureRefusedException.Reason.INVALID, e.getMessage(), Optional.empty());
            }
            if (intake(normal).isEmpty()) {
                throw refused(
                        CaptureRefusedException.Reason.INVALID,
                        "no capture route of " + site + " covers " + normal.path() + " once normalized",
                        Optional.empty());
            }
            Forwarder forwarder = forwarder(site);
            long sequence;
            synchronized (forwarder.quotaLock) {
                if (!forwarder.journal.contains(normal.idempotencyKey())) {
                    budget.take(site, normal.bodyLength());
                    checkQuota(forwarder, normal);
                }
                try {
                    sequence = forwarder.journal.append(normal);
                } catch (IdempotencyConflictException e) {
                    throw refused(CaptureRefusedException.Reason.KEY_REUSED, e.getMessage(), Optional.empty());
                }
            }
            forwarder.wake();
            return sequence;
        } catch (CaptureRefusedException e) {
            meters(site).refused(e.reason());
            throw e;
        }
    }

    /**
     * Bytes the captures of {@code site} take on disk: its journal (pending requests and kept keys)
     * and its dead letters. They count toward the site's storage quota beside its stored blobs.
     */
    public long bytesOnDisk(String site) {
        Forwarder forwarder = forwarders.get(site);
        return forwarder == null ? 0 : forwarder.bytesOnDisk();
    }

    /** Refuses {@code request} if journalling it would put the site over its storage quota. */
    private void checkQuota(Forwarder forwarder, CapturedRequest request) throws IOException, CaptureRefusedException {
        long quota = enrollments
                .apply(forwarder.site)
                .map(enrollment -> enrollment.quota().maxStoredBytes())
                .orElse(SiteQuota.DEFAULT.maxStoredBytes());
        long record = RECORD_OVERHEAD_BYTES
                + request.bodyLength()
                + 2L
                        * (request.idempotencyKey().length()
                                + request.site().length()
                                + request.path().length());
        if (storedBytes.applyAsLong(forwarder.site) + forwarder.bytesOnDisk() + record <= quota) {
            return;
        }
        if (forwarder.compact()
                && storedBytes.applyAsLong(forwarder.site) + forwarder.bytesOnDisk() + record <= quota) {
            return;
        }
        throw refused(
                CaptureRefusedException.Reason.QUOTA,
                "the site's storage on this peer is full (quota " + quota + " bytes, captures "
                        + forwarder.bytesOnDisk() + " of them); retry once the origin has taken the backlog",
                Optional.of(DEFAULT_MAX_BACKOFF.multipliedBy(2)));
    }

    private static CaptureRefusedException refused(
            CaptureRefusedException.Reason reason, String message, Optional<Duration> retryAfter) {
        return new CaptureRefusedException(reason, message, retryAfter);
    }

    private CaptureMeters meters(String site) {
        return meters.computeIfAbsent(site, unused -> new CaptureMeters());
    }

    /**
     * The captures' metrics in the Prometheus text format (0.0.4), per site: requests pending and set
     * aside, bytes on disk, requests refused by reason and dead letters dropped.
     */
    public String prometheus() {
        Set<String> sorted = new TreeSet<>(forwarders.keySet());
        sorted.addAll(meters.keySet());
        StringBuilder out = new StringBuilder();
        CaptureMeters.gauge(out, "xeno_peer_capture_pending", "Captured requests not yet acknowledged by the origin.");
        sorted.forEach(site -> CaptureMeters.line(out, "xeno_peer_capture_pending", site, "", pendingCount(site)));
        CaptureMeters.gauge(
                out, "xeno_peer_capture_dead_letters", "Captured requests set aside: no retry can deliver them.");
        sorted.forEach(
                site -> CaptureMeters.line(out, "xeno_peer_capture_dead_letters", site, "", deadLetterCount(site)));
        CaptureMeters.gauge(
                out,
                "xeno_peer_capture_disk_bytes",
                "Bytes of the capture journal, dead letters and kept keys; they count toward the storage quota.");
        sorted.forEach(site -> CaptureMeters.line(out, "xeno_peer_capture_disk_bytes", site, "", bytesOnDisk(site)));
        CaptureMeters.counters(out, sorted, this::meters);
        return out.toString();
    }

    /** How many requests of {@code site} the origin has not acknowledged yet. */
    public int pendingCount(String site) {
        Forwarder forwarder = forwarders.get(site);
        return forwarder == null ? 0 : forwarder.journal.pendingCount();
    }

    /**
     * How many requests of {@code site} are set aside as dead letters (its intake refused them for
     * what they are, or they could no longer be encoded): they are kept under
     * {@code <directory>/<site>/}{@value #DEAD_LETTERS} rather than retried forever, so that one bad
     * request cannot hold up the requests after it.
     */
    public int deadLetterCount(String site) {
        Forwarder forwarder = forwarders.get(site);
        return forwarder == null ? 0 : forwarder.deadLetterCount();
    }

    private Forwarder forwarder(String site) throws IOException {
        SiteName.of(site); // a journal directory is named after the site: a host name, never a path
        synchronized (forwarders) {
            if (closed) {
                throw new IllegalStateException("the captures are closed");
            }
            Forwarder forwarder = forwarders.get(site);
            if (forwarder == null) {
                forwarder = new Forwarder(site, CaptureJournal.open(directory.resolve(site)));
                Path deadLetters = directory.resolve(site).resolve(DEAD_LETTERS);
                if (Files.exists(deadLetters.resolve(CaptureJournal.FILE_NAME))) {
                    forwarder.deadLetters = CaptureJournal.open(deadLetters);
                }
                forwarders.put(site, forwarder);
                forwarder.thread.start();
            }
            return forwarder;
        }
    }

    /** Configures {@link Captures}: where the sites' quotas and stored bytes come from, the clock. */
    public static final class Builder {
        private final Path directory;
        private final SiteLookup sites;
        private final PeerIdentity identity;
        private ToLongFunction<String> storedBytes = site -> 0;
        private Function<String, Optional<Enrollment>> enrollments = site -> Optional.empty();
        private LongSupplier nanoTime = System::nanoTime;
        private int maxDeadLetters = DEFAULT_MAX_DEAD_LETTERS;

        private Builder(Path directory, SiteLookup sites, PeerIdentity identity) {
            this.directory = Objects.requireNonNull(directory, "directory");
            this.sites = Objects.requireNonNull(sites, "sites");
            this.identity = Objects.requireNonNull(identity, "identity");
        }

        /**
         * The bytes of a site's blobs in the peer's store, which count toward its storage quota
         * beside its captures (by default none). Called on request threads; must be safe for
         * concurrent use and cheap.
         */
        public Builder storedBytes(ToLongFunction<String> storedBytes) {
            this.storedBytes = Objects.requireNonNull(storedBytes, "storedBytes");
            return this;
        }

        /**
         * A site's enrollment, for its storage quota and {@link Enrollment#captureLimits()}; a site
         * without one gets {@link SiteQuota#DEFAULT} and {@link CaptureLimits#DEFAULT}. Must be safe
         * for concurrent use.
         */
        public Builder enrollments(Function<String, Optional<Enrollment>> enrollments) {
            this.enrollments = Objects.requireNonNull(enrollments, "enrollments");
            return this;
        }

        /** The clock of the rate limits, in nanoseconds ({@link System#nanoTime()} by default); for tests. */
        public Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /** How many dead letters a site keeps at most ({@value #DEFAULT_MAX_DEAD_LETTERS}), 1 or more. */
        public Builder maxDeadLetters(int maxDeadLetters) {
            if (maxDeadLetters < 1) {
                throw new IllegalArgumentException("maxDeadLetters must be at least 1, but was " + maxDeadLetters);
            }
            this.maxDeadLetters = maxDeadLetters;
            return this;
        }

        /**
         * Opens the journals already under the directory and starts their forwarders.
         *
         * @throws IOException if the directory cannot be created or listed, or a journal opened
         */
        public Captures open() throws IOException {
            return Captures.open(this);
        }
    }

    /** Stops the forwarders (an in-flight delivery is abandoned and retried later) and closes the journals. */
    @Override
    public void close() {
        List<Forwarder> all;
        synchronized (forwarders) {
            closed = true;
            all = new ArrayList<>(forwarders.values());
            forwarders.clear();
        }
        for (Forwarder forwarder : all) {
            forwarder.stop();
        }
        clientThreads.shutdownNow();
    }

    /** The intake for a journalled request: the capture route that the version that served the site last has for its path. */
    private Optional<URI> intake(CapturedRequest request) {
        String bare = CaptureRules.decodedPath(request.path());
        return sites.lastServed(request.site())
                .flatMap(site -> site.route(bare))
                .filter(route -> route.policy() == DynamicRoute.Policy.CAPTURE)
                .map(route -> CapturePolicy.of(route).intake());
    }

    /** What became of one delivery attempt. */
    private enum Delivery {
        /** The intake acknowledged it (2xx). */
        DELIVERED,
        /** Try again later: the intake is down, busy, misconfigured or failed (anything else). */
        RETRY,
        /**
         * No retry can deliver it: the intake refused the request itself (a 4xx other than those
         * {@link #retryable} names), or it can no longer be encoded as an HTTP request.
         */
        REFUSED
    }

    /**
     * Whether a 4xx from the intake may go away on a later attempt: it is about the peer's standing
     * (401, 403, 421: not yet trusted, misdirected) or timing (408, 409 the key is being applied
     * right now, 425, 429), not about the request.
     */
    static boolean retryable(int status) {
        return status == 401
                || status == 403
                || status == 408
                || status == 409
                || status == 421
                || status == 425
                || status == 429;
    }

    /** One site's journal and the thread that empties it. */
    private final class Forwarder implements Runnable {
        private final String site;
        private final CaptureJournal journal;
        /** Held while a capture checks the quota and appends, so that two cannot both take the last room. */
        private final Object quotaLock = new Object();

        private CaptureJournal deadLetters;
        private final Thread thread;
        private final Object signal = new Object();
        private boolean woken;
        private volatile boolean stopping;
        private volatile CompletableFuture<HttpResponse<Void>> inFlight;

        Forwarder(String site, CaptureJournal journal) {
            this.site = site;
            this.journal = journal;
            this.thread = DaemonThreads.create("xeno-capture-" + site, this);
        }

        void wake() {
            synchronized (signal) {
                woken = true;
                signal.notifyAll();
            }
        }

        @Override
        public void run() {
            long backoffMillis = DEFAULT_INITIAL_BACKOFF.toMillis();
            while (!stopping) {
                try {
                    List<JournalEntry> batch = journal.pending(16);
                    if (batch.isEmpty()) {
                        await(DEFAULT_MAX_BACKOFF.toMillis());
                        continue;
                    }
                    boolean failed = false;
                    for (JournalEntry entry : batch) {
                        Delivery delivery = stopping ? Delivery.RETRY : deliver(entry);
                        if (delivery == Delivery.RETRY) {
                            failed = true;
                            break;
                        }
                        if (delivery == Delivery.REFUSED) {
                            deadLetter(entry);
                        }
                        journal.acknowledge(entry.sequence());
                        backoffMillis = DEFAULT_INITIAL_BACKOFF.toMillis();
                    }
                    if (failed) {
                        await(backoffMillis);
                        backoffMillis = Math.min(backoffMillis * 2, DEFAULT_MAX_BACKOFF.toMillis());
                    }
                } catch (IOException | RuntimeException e) {
                    if (stopping) {
                        return;
                    }
                    LOG.error("capture forwarder of {} failed; retrying in {} ms", site, backoffMillis, e);
                    await(backoffMillis);
                    backoffMillis = Math.min(backoffMillis * 2, DEFAULT_MAX_BACKOFF.toMillis());
                }
            }
        }

        /**
         * Sets a request no retry can deliver aside in the site's dead letters (kept for the operator,
         * at most {@code maxDeadLetters}: the oldest is dropped beyond), so that one bad request cannot
         * hold up every later one.
         */
        private void deadLetter(JournalEntry entry) throws IOException {
            CaptureJournal letters;
            synchronized (this) {
                if (deadLetters == null) {
                    deadLetters = CaptureJournal.open(directory.resolve(site).resolve(DEAD_LETTERS));
                }
                letters = deadLetters;
            }
            while (letters.pendingCount() >= maxDeadLetters) {
                JournalEntry oldest = letters.pending(1).get(0);
                letters.acknowledge(oldest.sequence());
                meters(site).droppedDeadLetter();
                LOG.error(
                        "capture of {}: dropped the oldest dead letter (key {}) to keep at most {}",
                        site,
                        oldest.request().idempotencyKey(),
                        maxDeadLetters);
            }
            try {
                letters.append(entry.request());
            } catch (IdempotencyConflictException e) {
                LOG.warn("capture of {} #{}: already among the dead letters", site, entry.sequence());
            }
            LOG.error(
                    "capture of {} #{} (key {}): no retry can deliver it; set aside in {} for the operator,"
                            + " delivering the next",
                    site,
                    entry.sequence(),
                    entry.request().idempotencyKey(),
                    directory.resolve(site).resolve(DEAD_LETTERS));
        }

        /** The journal's and the dead letters' bytes on disk. */
        synchronized long bytesOnDisk() {
            return journal.sizeBytes() + (deadLetters == null ? 0 : deadLetters.sizeBytes());
        }

        /** Compacts the journal and the dead letters; whether either shrank. */
        boolean compact() throws IOException {
            boolean compacted = journal.compact();
            synchronized (this) {
                return (deadLetters != null && deadLetters.compact()) || compacted;
            }
        }

        synchronized int deadLetterCount() {
            return deadLetters == null ? 0 : deadLetters.pendingCount();
        }

        /** Posts one request to its intake. */
        private Delivery deliver(JournalEntry entry) {
            CapturedRequest request;
            try {
                // Requests journalled before the rules existed: normalize what can be, set aside the rest.
                request = CaptureRules.normalize(entry.request());
            } catch (IllegalArgumentException e) {
                LOG.error("capture of {} #{}: cannot be delivered: {}", site, entry.sequence(), e.getMessage());
                return Delivery.REFUSED;
            }
            Optional<URI> intake;
            try {
                intake = intake(request);
            } catch (DynamicSettingException e) {
                LOG.warn(
                        "capture of {} #{}: the site's capture route is misconfigured ({}); retrying",
                        site,
                        entry.sequence(),
                        e.getMessage());
                return Delivery.RETRY;
            }
            if (intake.isEmpty()) {
                LOG.warn(
                        "capture of {} #{}: no capture route for {} in the active manifest; kept pending",
                        site,
                        entry.sequence(),
                        request.path());
                return Delivery.RETRY;
            }
            HttpRequest post;
            try {
                post = signedPost(intake.get(), request);
            } catch (IllegalArgumentException e) {
                LOG.error("capture of {} #{}: cannot be encoded: {}", site, entry.sequence(), e.getMessage());
                return Delivery.REFUSED;
            }
            CompletableFuture<HttpResponse<Void>> future =
                    client.sendAsync(post, HttpResponse.BodyHandlers.discarding());
            inFlight = future;
            try {
                int status = future.get(DELIVERY_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS)
                        .statusCode();
                if (status / 100 == 2) {
                    return Delivery.DELIVERED;
                }
                if (status / 100 == 4 && !retryable(status)) {
                    LOG.warn(
                            "capture of {} #{}: intake {} refused it with {}",
                            site,
                            entry.sequence(),
                            intake.get(),
                            status);
                    return Delivery.REFUSED;
                }
                LOG.warn(
                        "capture of {} #{}: intake {} answered {}; retrying",
                        site,
                        entry.sequence(),
                        intake.get(),
                        status);
                return Delivery.RETRY;
            } catch (ExecutionException | TimeoutException | CancellationException e) {
                if (!stopping) {
                    LOG.warn(
                            "capture of {} #{}: intake {} failed: {}; retrying",
                            site,
                            entry.sequence(),
                            intake.get(),
                            e.getCause() == null ? e.toString() : e.getCause().toString());
                }
                future.cancel(true);
                return Delivery.RETRY;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopping = true;
                return Delivery.RETRY;
            } finally {
                inFlight = null;
            }
        }

        /**
         * The delivery of {@code request} to {@code intake}, its headers and body signed by the peer's
         * identity; throws IllegalArgumentException if it cannot be encoded.
         */
        private HttpRequest signedPost(URI intake, CapturedRequest request) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            headers.add(Map.entry(CaptureDelivery.IDEMPOTENCY_KEY, request.idempotencyKey()));
            headers.add(Map.entry(CaptureDelivery.FORWARDED_HOST, request.site()));
            headers.add(Map.entry(CaptureDelivery.XENO_PATH, request.path()));
            headers.add(Map.entry(CaptureDelivery.XENO_METHOD, request.method()));
            headers.add(Map.entry(
                    CaptureDelivery.XENO_CAPTURED_AT, request.capturedAt().toString()));
            for (CapturedRequest.Header header : request.headers()) {
                headers.add(Map.entry(header.name(), header.value()));
            }
            String target = PeerSignature.target(intake);
            byte[] body = request.body();
            HttpRequest.Builder post = HttpRequest.newBuilder(intake)
                    .timeout(DELIVERY_TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(header -> post.header(header.getKey(), header.getValue()));
            identity.sign("POST", target, headers, ControlSignature.sha256(body))
                    .forEach(post::header);
            return post.build();
        }

        private void await(long millis) {
            synchronized (signal) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
                while (!woken && !stopping) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        break;
                    }
                    try {
                        signal.wait(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stopping = true;
                    }
                }
                woken = false;
            }
        }

        void stop() {
            stopping = true;
            wake();
            CompletableFuture<HttpResponse<Void>> current = inFlight;
            if (current != null) {
                current.cancel(true);
            }
            try {
                thread.join(DELIVERY_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                journal.close();
                synchronized (this) {
                    if (deadLetters != null) {
                        deadLetters.close();
                    }
                }
            } catch (IOException e) {
                LOG.warn("closing the capture journal of {} failed: {}", site, e.toString());
            }
        }
    }
}
