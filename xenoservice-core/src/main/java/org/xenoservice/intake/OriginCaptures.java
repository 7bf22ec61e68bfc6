package org.xenoservice.intake;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.dynamic.IdempotencyConflictException;
import org.xenoservice.dynamic.JournalEntry;
import org.xenoservice.dynamic.JournalException;
import org.xenoservice.protocol.CaptureRules;
import org.xenoservice.protocol.CapturedRequest;

/**
 * Orders never refused at the origin: when the application has no room for a request of a
 * {@code capture} route that reached the origin directly, the adapter journals it here instead of
 * turning it away, answers {@code 202} with the route's thank-you page, and this class applies it
 * later, once, through the site's {@link CaptureIntake}, when the application has room again. It is
 * the origin's copy of what a peer does with the same route: the same {@link CaptureJournal}, and
 * the same intake and ledger, so an idempotency key is applied once whether the origin journalled
 * it, a peer delivered it, or both (a client that retried on a peer after the name moved).
 *
 * <pre>{@code
 * try (OriginCaptures captures = OriginCaptures.builder(stateDirectory.resolve("origin-capture"),
 *     intake, () -> detector.state() != OverloadState.OVERLOADED).open()) {
 *   // on a request thread whose request the application has no room for:
 *   try {
 *     captures.capture(request);          // durable when it returns: answer 202 with the page
 *   } catch (OriginCaptureRefusedException e) {
 *     // answer e.status() (400, 404, 422, 503 with Retry-After) and the message
 *   }
 * }
 * }</pre>
 *
 * <h2>Durable, once</h2>
 * {@link #capture} returns only once the request's record is forced to the device (see
 * {@link CaptureJournal}); a client's retry with the same key and request is not journalled again,
 * and neither is a request whose key the intake applied already (a retry after it was applied), while
 * a key that another request owns, in the journal or in the intake's ledger, is refused. The applier
 * thread ({@value #THREAD_NAME}, daemon) takes the pending requests in order and hands each to
 * {@link CaptureIntake#applyCaptured}, but only while {@code appHasRoom} says so (asked again every
 * {@link #DEFAULT_ROOM_POLL} while it says no): it acknowledges a request the intake applied or
 * found applied before ({@code 200}); retries one the handler failed or the intake could not take
 * now ({@code 5xx}, {@code 409}), with backoff from {@link #DEFAULT_INITIAL_BACKOFF} doubling to
 * {@link #DEFAULT_MAX_BACKOFF}, holding up the ones after it so that they are applied in order; and
 * sets aside one the intake refuses for what it is (another {@code 4xx}, e.g. its route was removed
 * from the configuration): logged at ERROR with its key, acknowledged, and counted as
 * {@link Counts#dead() dead}, so that one bad request never holds up the rest. Requests journalled
 * before a crash or a restart are applied after {@link Builder#open()}; if the origin crashed between
 * applying a request and acknowledging it, the intake's ledger answers the second attempt as a
 * duplicate and the handler is not called again (see {@link CaptureHandler} for the one window the
 * ledger itself leaves).
 *
 * <h2>Bounded</h2>
 * A flood of posts must not fill the origin's disk or memory: the journal takes at most
 * {@link #DEFAULT_MAX_PENDING} requests not yet applied and at most {@link #DEFAULT_MAX_JOURNAL_BYTES}
 * on disk (pending requests, the kept keys of applied ones, and what compaction has not yet
 * reclaimed; it is compacted before a request is refused for room). Beyond either bound
 * {@link #capture} throws {@link OriginCaptureRefusedException} with
 * {@link OriginCaptureRefusedException.Reason#FULL FULL}, and the adapter answers {@code 503} with
 * {@code Retry-After} ({@link #FULL_RETRY_AFTER}): the request is turned away whole, and nothing the
 * journal accepted before is dropped. Once every request is applied, a journal of
 * {@value #ROTATE_AFTER_BYTES} bytes or more is started afresh, so the keys of applied requests do
 * not pile up (the intake's ledger keeps them for good).
 *
 * <p>Safe for concurrent use: {@link #capture} is called on request threads, and each waits for its
 * own fsync. {@code appHasRoom} is called on the applier thread only; it must be cheap, and it may
 * throw (the applier logs it and tries again later). Close it before the intake it applies through.
 */
public final class OriginCaptures implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OriginCaptures.class);

    /** Most requests journalled and not yet applied: 10 000 orders of a busy afternoon. */
    public static final int DEFAULT_MAX_PENDING = 10_000;
    /** Most bytes the journal takes on disk: 64 MiB. */
    public static final long DEFAULT_MAX_JOURNAL_BYTES = 64L << 20;
    /** The least {@link Builder#maxJournalBytes}: room for two requests of the largest size. */
    public static final long MIN_JOURNAL_BYTES = 2L * CapturedRequest.MAX_BODY_BYTES + (256L << 10);
    /** How often the applier asks whether the application has room while it has none. */
    public static final Duration DEFAULT_ROOM_POLL = Duration.ofMillis(50);
    /** The first wait after the intake failed to apply a request. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    /** The longest wait between attempts to apply a request. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    /** What a client turned away because the journal is full is asked to wait. */
    public static final Duration FULL_RETRY_AFTER = Duration.ofSeconds(30);
    /** The name of the applier thread. */
    public static final String THREAD_NAME = "xeno-origin-capture";
    /** The size from which a drained journal is started afresh. */
    static final long ROTATE_AFTER_BYTES = 1L << 20;
    /** What a journal record costs beyond its body and strings (in UTF-16 units): header and fixed fields. */
    private static final int RECORD_OVERHEAD_BYTES = 128;
    /** The longest the applier sleeps with nothing to do; a capture wakes it at once. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long {@link #close} waits for a request being applied. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final Path directory;
    private final CaptureIntake intake;
    private final BooleanSupplier appHasRoom;
    private final int maxPending;
    private final long maxJournalBytes;
    private final long roomPollNanos;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;
    private final LongSupplier nanoTime;
    /** Held to check the bounds and append as one step, and to replace the journal. */
    private final Object lock = new Object();
    /** Replaced (under {@link #lock}) when it is rotated or reopened after a failed write. */
    private volatile CaptureJournal journal;
    /** Whether {@link #journal} is closed because reopening it failed; {@link #usable()} tries again. */
    private volatile boolean broken;

    private final LongAdder journaled = new LongAdder();
    private final LongAdder applied = new LongAdder();
    private final LongAdder dead = new LongAdder();
    private final Optional<Thread> applier;
    private volatile boolean closed;
    /** Failed attempts in a row at the first pending request; confined to the applier. */
    private int failuresInRow;
    /** When the next attempt may be made after a failure, on {@link #nanoTime}; confined to the applier. */
    private long retryAtNanos;

    /**
     * What the origin's journal did, counted since it was opened ({@link Counts#pending()} is now).
     *
     * @param journaled requests journalled because the application had no room (a client's retry of
     *     one journalled or applied before is not counted again)
     * @param applied journalled requests acknowledged as applied: by the handler now, or found
     *     applied before (a peer delivered the same key, or a crash came between apply and acknowledge)
     * @param pending journalled requests not yet applied, those from before a restart included
     * @param dead journalled requests the intake refused for what they are, logged and set aside
     */
    public record Counts(long journaled, long applied, long pending, long dead) {}

    private OriginCaptures(Builder builder, CaptureJournal journal) {
        this.directory = builder.directory;
        this.intake = builder.intake;
        this.appHasRoom = builder.appHasRoom;
        this.maxPending = builder.maxPending;
        this.maxJournalBytes = builder.maxJournalBytes;
        this.roomPollNanos = builder.roomPoll.toNanos();
        this.initialBackoffNanos = builder.initialBackoff.toNanos();
        this.maxBackoffNanos = builder.maxBackoff.toNanos();
        this.nanoTime = builder.nanoTime;
        this.journal = journal;
        this.applier =
                builder.startApplier ? Optional.of(DaemonThreads.create(THREAD_NAME, this::run)) : Optional.empty();
    }

    /**
     * Starts configuring the journal in {@code directory} (created when absent; one
     * {@code OriginCaptures} per directory), whose requests are applied through {@code intake}
     * while {@code appHasRoom} says the application has room for them.
     */
    public static Builder builder(Path directory, CaptureIntake intake, BooleanSupplier appHasRoom) {
        return new Builder(directory, intake, appHasRoom);
    }

    /**
     * Journals {@code request} durably, in the normal form of {@link CaptureRules}, and wakes the
     * applier. The same request with the same key again (a client's retry), while it is pending or
     * after it was applied, is not journalled a second time.
     *
     * @param request a request of a capture route of the intake's site, as the origin received it
     * @return true if it was journalled now, false if it was journalled or applied before; the
     *     client gets {@code 202} and the route's page either way
     * @throws OriginCaptureRefusedException if it is not journalled (see its reasons); nothing of it
     *     is kept and the client gets the exception's status
     * @throws IOException if the journal could not write it; nothing of it is kept (answer
     *     {@code 503}); the journal is reopened for the next request
     */
    public boolean capture(CapturedRequest request) throws OriginCaptureRefusedException, IOException {
        CapturedRequest normal = checked(request);
        CaptureIntake.Known known = intake.known(normal);
        if (known == CaptureIntake.Known.APPLIED) {
            return false;
        }
        if (known == CaptureIntake.Known.REUSED) {
            throw keyReused(normal.idempotencyKey());
        }
        boolean added;
        synchronized (lock) {
            if (closed) {
                throw new OriginCaptureRefusedException(
                        OriginCaptureRefusedException.Reason.UNAVAILABLE,
                        "the origin's capture journal is closed; retry on another server or later",
                        Optional.of(FULL_RETRY_AFTER));
            }
            CaptureJournal current = usable();
            added = !current.contains(normal.idempotencyKey());
            if (added) {
                checkRoom(current, normal);
            }
            try {
                current.append(normal);
            } catch (IdempotencyConflictException e) {
                throw keyReused(normal.idempotencyKey());
            } catch (JournalException e) {
                if (e.reason() == JournalException.Reason.FAILED) {
                    try {
                        reopen(current, false);
                    } catch (IOException reopening) {
                        e.addSuppressed(reopening);
                    }
                }
                throw e;
            }
        }
        if (added) {
            journaled.increment();
            applier.ifPresent(LockSupport::unpark);
        }
        return added;
    }

    /** The request in normal form, if its site, target and headers may be captured here. */
    private CapturedRequest checked(CapturedRequest request) throws OriginCaptureRefusedException {
        Objects.requireNonNull(request, "request");
        if (!request.site().equalsIgnoreCase(intake.site())) {
            throw new OriginCaptureRefusedException(
                    OriginCaptureRefusedException.Reason.INVALID,
                    "this origin journals requests for " + intake.site() + ", not for " + request.site(),
                    Optional.empty());
        }
        CapturedRequest normal;
        String path;
        try {
            normal = CaptureRules.normalize(request);
            path = CaptureRules.decodedPath(normal.path());
        } catch (IllegalArgumentException e) {
            throw new OriginCaptureRefusedException(
                    OriginCaptureRefusedException.Reason.INVALID, e.getMessage(), Optional.empty());
        }
        if (!intake.captures(path)) {
            throw new OriginCaptureRefusedException(
                    OriginCaptureRefusedException.Reason.NOT_CAPTURED,
                    "no capture route of " + intake.site() + " covers " + path + " once normalized",
                    Optional.empty());
        }
        return normal;
    }

    /** Refuses {@code request} if journalling it would put the journal over a bound. */
    private void checkRoom(CaptureJournal current, CapturedRequest request)
            throws IOException, OriginCaptureRefusedException {
        int pending = current.pendingCount();
        if (pending >= maxPending) {
            throw full("it holds " + pending + " requests not yet applied, its limit (maxPending)");
        }
        long record = RECORD_OVERHEAD_BYTES + request.bodyLength() + 2L * characters(request);
        if (current.sizeBytes() + record <= maxJournalBytes
                || (current.compact() && current.sizeBytes() + record <= maxJournalBytes)) {
            return;
        }
        throw full("it takes " + current.sizeBytes() + " bytes on disk and this request " + record
                + " more, over its limit of " + maxJournalBytes + " bytes (maxJournalBytes)");
    }

    private static long characters(CapturedRequest request) {
        long chars = (long) request.idempotencyKey().length()
                + request.site().length()
                + request.method().length()
                + request.path().length();
        for (CapturedRequest.Header header : request.headers()) {
            chars += header.name().length() + header.value().length();
        }
        return chars;
    }

    private static OriginCaptureRefusedException full(String why) {
        return new OriginCaptureRefusedException(
                OriginCaptureRefusedException.Reason.FULL,
                "the origin's capture journal is full: " + why
                        + "; retry once the origin has applied the requests it holds",
                Optional.of(FULL_RETRY_AFTER));
    }

    private OriginCaptureRefusedException keyReused(String key) {
        return new OriginCaptureRefusedException(
                OriginCaptureRefusedException.Reason.KEY_REUSED,
                "Idempotency-Key " + key + " of " + intake.site()
                        + " was used for another request (another method, path, Content-Type or body);"
                        + " the first request owns it, send this one with a new key",
                Optional.empty());
    }

    /** What the journal did since it was opened, and how many requests wait now. */
    public Counts counts() {
        return new Counts(journaled.sum(), applied.sum(), journal.pendingCount(), dead.sum());
    }

    /**
     * One pass of the applier: applies pending requests in order while the application has room, and
     * answers how long to wait, in nanoseconds, before the next pass (a capture cuts an idle wait
     * short, not a backoff). Runs on the applier thread, or on a test's thread when there is none.
     *
     * @throws IOException if the journal could not be read or an acknowledgement written
     */
    long drain() throws IOException {
        while (!closed) {
            CaptureJournal current = journal;
            if (broken) {
                synchronized (lock) {
                    current = usable();
                }
            }
            if (current.pendingCount() == 0) {
                rotateIfDrained(current);
                return IDLE_NANOS;
            }
            long now = nanoTime.getAsLong();
            if (failuresInRow > 0 && retryAtNanos - now > 0) {
                return retryAtNanos - now;
            }
            if (!appHasRoom.getAsBoolean()) {
                return roomPollNanos;
            }
            List<JournalEntry> next = current.pending(1);
            if (next.isEmpty()) {
                return IDLE_NANOS;
            }
            JournalEntry entry = next.get(0);
            IntakeResponse answer = intake.applyCaptured(entry.request());
            int status = answer.status();
            if (status / 100 == 2) {
                current.acknowledge(entry.sequence());
                applied.increment();
                failuresInRow = 0;
            } else if (status / 100 == 4 && status != 409) {
                LOG.error(
                        "origin capture of {} #{} ({}): the intake refused it with {} {}; set aside, not applied",
                        intake.site(),
                        entry.sequence(),
                        entry.request(),
                        status,
                        answer.bodyText());
                current.acknowledge(entry.sequence());
                dead.increment();
                failuresInRow = 0;
            } else {
                long wait = failed();
                LOG.warn(
                        "origin capture of {} #{} (key {}): the intake answered {} {}; retrying in {} ms",
                        intake.site(),
                        entry.sequence(),
                        entry.request().idempotencyKey(),
                        status,
                        answer.bodyText(),
                        TimeUnit.NANOSECONDS.toMillis(wait));
                return wait;
            }
        }
        return IDLE_NANOS;
    }

    /** Counts a failed attempt and answers the backoff before the next. */
    private long failed() {
        failuresInRow++;
        long wait = initialBackoffNanos << Math.min(failuresInRow - 1, 30);
        wait = wait <= 0 ? maxBackoffNanos : Math.min(wait, maxBackoffNanos);
        retryAtNanos = nanoTime.getAsLong() + wait;
        return wait;
    }

    private void run() {
        while (!closed) {
            long wait;
            CaptureJournal current = journal;
            try {
                wait = drain();
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                wait = failed();
                LOG.error(
                        "origin capture journal of {}: applying failed; retrying in {} ms",
                        intake.site(),
                        TimeUnit.NANOSECONDS.toMillis(wait),
                        e);
                recover(current, e);
            }
            if (!closed) {
                LockSupport.parkNanos(this, wait);
                // Nobody but close() stops this thread; an interrupt would only make every park return at once.
                Thread.interrupted();
            }
        }
    }

    /** Starts a drained journal afresh once it is large: the ledger keeps the applied keys. */
    private void rotateIfDrained(CaptureJournal current) throws IOException {
        if (current.sizeBytes() < ROTATE_AFTER_BYTES) {
            return;
        }
        synchronized (lock) {
            if (closed || journal != current || current.pendingCount() > 0) {
                return;
            }
            reopen(current, true);
            LOG.info("origin capture journal of {}: every request applied; started afresh", intake.site());
        }
    }

    /**
     * Replaces {@code failed} (held under {@link #lock}) with the journal reopened from its file,
     * which drops a partial record; or with a new, empty journal when {@code fresh} (nothing pending).
     * If that fails, the journal is {@link #broken} until {@link #usable()} reopens it.
     */
    private void reopen(CaptureJournal failed, boolean fresh) throws IOException {
        if (journal != failed) {
            return;
        }
        broken = true;
        failed.close();
        if (fresh) {
            Files.deleteIfExists(directory.resolve(CaptureJournal.FILE_NAME));
        }
        journal = CaptureJournal.open(directory);
        broken = false;
    }

    /** The journal, reopened first if an earlier reopening failed; held under {@link #lock}. */
    private CaptureJournal usable() throws IOException {
        if (broken) {
            journal = CaptureJournal.open(directory);
            broken = false;
        }
        return journal;
    }

    /** After a failed pass: reopens a journal whose write failed, or one an earlier reopening left closed. */
    private void recover(CaptureJournal current, Exception failure) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                if (failure instanceof JournalException e && e.reason() == JournalException.Reason.FAILED) {
                    reopen(current, false);
                } else {
                    usable();
                }
            } catch (IOException e) {
                LOG.error(
                        "origin capture journal of {}: reopening {} failed; will try again",
                        intake.site(),
                        directory,
                        e);
            }
        }
    }

    /**
     * Stops the applier (waiting up to 10 s for a request being applied; one still running then is
     * applied or retried after the next start) and closes the journal. Every request journalled stays
     * on disk. Idempotent.
     */
    @Override
    public void close() throws IOException {
        closed = true;
        if (applier.isPresent()) {
            LockSupport.unpark(applier.get());
            try {
                applier.get().join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            journal.close();
        }
    }

    @Override
    public String toString() {
        return "OriginCaptures[" + intake.site() + ", " + journal + "]";
    }

    /** Configures {@link OriginCaptures}: its bounds and its timing. */
    public static final class Builder {
        private final Path directory;
        private final CaptureIntake intake;
        private final BooleanSupplier appHasRoom;
        private int maxPending = DEFAULT_MAX_PENDING;
        private long maxJournalBytes = DEFAULT_MAX_JOURNAL_BYTES;
        private Duration roomPoll = DEFAULT_ROOM_POLL;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private LongSupplier nanoTime = System::nanoTime;
        private boolean startApplier = true;

        private Builder(Path directory, CaptureIntake intake, BooleanSupplier appHasRoom) {
            this.directory = Objects.requireNonNull(directory, "directory");
            this.intake = Objects.requireNonNull(intake, "intake");
            this.appHasRoom = Objects.requireNonNull(appHasRoom, "appHasRoom");
        }

        /** Most requests journalled and not yet applied ({@value #DEFAULT_MAX_PENDING}), 1 or more. */
        public Builder maxPending(int maxPending) {
            if (maxPending < 1) {
                throw new IllegalArgumentException("maxPending must be at least 1, but was " + maxPending);
            }
            this.maxPending = maxPending;
            return this;
        }

        /**
         * Most bytes the journal takes on disk ({@link #DEFAULT_MAX_JOURNAL_BYTES}), at least
         * {@link #MIN_JOURNAL_BYTES}.
         */
        public Builder maxJournalBytes(long maxJournalBytes) {
            if (maxJournalBytes < MIN_JOURNAL_BYTES) {
                throw new IllegalArgumentException("maxJournalBytes must be at least " + MIN_JOURNAL_BYTES
                        + " (two requests of the largest size), but was " + maxJournalBytes);
            }
            this.maxJournalBytes = maxJournalBytes;
            return this;
        }

        /** How often the applier asks whether the application has room ({@link #DEFAULT_ROOM_POLL}), 1 ms or more. */
        public Builder roomPoll(Duration roomPoll) {
            this.roomPoll = atLeastOneMilli("roomPoll", roomPoll);
            return this;
        }

        /**
         * The wait after a failed attempt, doubling with each failure in a row from {@code initial}
         * ({@link #DEFAULT_INITIAL_BACKOFF}) to {@code max} ({@link #DEFAULT_MAX_BACKOFF}).
         */
        public Builder backoff(Duration initial, Duration max) {
            atLeastOneMilli("initial backoff", initial);
            atLeastOneMilli("max backoff", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException(
                        "max backoff must be at least the initial backoff " + initial + ", but was " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** The clock of the backoff, in nanoseconds ({@link System#nanoTime()} by default); for tests. */
        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /** Starts no applier thread: the test calls {@link OriginCaptures#drain()} when it wants a pass. */
        Builder withoutApplier() {
            this.startApplier = false;
            return this;
        }

        /**
         * Opens the journal (requests pending in it since before a restart are applied first) and
         * starts the applier.
         *
         * @throws JournalException if the journal is corrupt in the middle or open elsewhere; the
         *     message says what to do
         * @throws IOException if the directory or the journal cannot be created or read
         */
        public OriginCaptures open() throws IOException {
            OriginCaptures captures = new OriginCaptures(this, CaptureJournal.open(directory));
            int pending = captures.journal.pendingCount();
            if (pending > 0) {
                LOG.info("origin capture journal of {}: {} requests from before to apply", intake.site(), pending);
            }
            captures.applier.ifPresent(Thread::start);
            return captures;
        }

        private static Duration atLeastOneMilli(String name, Duration value) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException(name + " must be at least 1 ms, but was " + value);
            }
            return value;
        }
    }
}
