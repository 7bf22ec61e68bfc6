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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.SiteName;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.dynamic.CapturePolicy;
import org.xenoservice.dynamic.DynamicSettingException;
import org.xenoservice.dynamic.JournalEntry;
import org.xenoservice.protocol.CaptureDelivery;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;

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
 * answer. Anything else is retried, from the same request, with exponential backoff
 * from {@link #DEFAULT_INITIAL_BACKOFF} to {@link #DEFAULT_MAX_BACKOFF}, so the origin receives
 * the requests in order, and each at least once and, by its idempotency key, applies it once.
 *
 * <pre>{@code
 * try (Captures captures = Captures.open(storeRoot.resolve("capture"), peerSites, identity)) {
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

    private final Path directory;
    private final SiteLookup sites;
    private final PeerIdentity identity;
    private final ExecutorService clientThreads;
    private final HttpClient client;
    private final Map<String, Forwarder> forwarders = new ConcurrentHashMap<>();
    private boolean closed;

    private Captures(Path directory, SiteLookup sites, PeerIdentity identity) {
        this.directory = directory;
        this.sites = sites;
        this.identity = identity;
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
     * signs every delivery, so that the origin applies it only from a peer it pins.
     *
     * @throws IOException if the directory cannot be created or listed, or a journal opened
     */
    public static Captures open(Path directory, SiteLookup sites, PeerIdentity identity) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(sites, "sites");
        Objects.requireNonNull(identity, "identity");
        Files.createDirectories(directory);
        Captures captures = new Captures(directory, sites, identity);
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
     * Journals {@code request} for its site (durably, once per idempotency key) and wakes the site's
     * forwarder.
     *
     * @return the request's sequence number in the site's journal
     * @throws IOException if the request could not be journalled; it must then not be acknowledged
     */
    public long capture(CapturedRequest request) throws IOException {
        Forwarder forwarder = forwarder(request.site());
        long sequence = forwarder.journal.append(request);
        forwarder.wake();
        return sequence;
    }

    /** How many requests of {@code site} the origin has not acknowledged yet. */
    public int pendingCount(String site) {
        Forwarder forwarder = forwarders.get(site);
        return forwarder == null ? 0 : forwarder.journal.pendingCount();
    }

    /**
     * How many requests of {@code site} its intake refused as malformed (400) or too large (413): they
     * are set aside under {@code <directory>/<site>/}{@value #DEAD_LETTERS} rather than retried
     * forever, so that one bad request cannot hold up the requests after it.
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
        String path = request.path();
        int query = path.indexOf('?');
        String bare = query < 0 ? path : path.substring(0, query);
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
        /** The intake refused the request itself as malformed (400) or too large (413): retrying cannot help. */
        REFUSED
    }

    /** One site's journal and the thread that empties it. */
    private final class Forwarder implements Runnable {
        private final String site;
        private final CaptureJournal journal;
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
         * Sets a request the intake refused as malformed aside in the site's dead letters (kept for the
         * operator), so that one bad request cannot hold up every later one.
         */
        private void deadLetter(JournalEntry entry) throws IOException {
            synchronized (this) {
                if (deadLetters == null) {
                    deadLetters = CaptureJournal.open(directory.resolve(site).resolve(DEAD_LETTERS));
                }
            }
            deadLetters.append(entry.request());
            LOG.error(
                    "capture of {} #{} (key {}): the intake refused it as malformed; set aside in {} for the operator,"
                            + " delivering the next",
                    site,
                    entry.sequence(),
                    entry.request().idempotencyKey(),
                    directory.resolve(site).resolve(DEAD_LETTERS));
        }

        synchronized int deadLetterCount() {
            return deadLetters == null ? 0 : deadLetters.pendingCount();
        }

        /** Posts one request to its intake. */
        private Delivery deliver(JournalEntry entry) {
            CapturedRequest request = entry.request();
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
            HttpRequest post = signedPost(intake.get(), request);
            CompletableFuture<HttpResponse<Void>> future =
                    client.sendAsync(post, HttpResponse.BodyHandlers.discarding());
            inFlight = future;
            try {
                int status = future.get(DELIVERY_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS)
                        .statusCode();
                if (status / 100 == 2) {
                    return Delivery.DELIVERED;
                }
                if (status == 400 || status == 413) {
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

        /** The delivery of {@code request} to {@code intake}, its headers and body signed by the peer's identity. */
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
