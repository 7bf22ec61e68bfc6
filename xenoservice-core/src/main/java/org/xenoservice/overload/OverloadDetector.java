package org.xenoservice.overload;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.overload.SignalReader.Bucket;

/**
 * Decides, every bucket (100 ms), whether the site is NORMAL, SURGING, OVERLOADED or RECOVERING,
 * from what its {@link RequestRecorder} counted and from the process's CPU, GC and stalls.
 *
 * <pre>{@code
 * RequestRecorder recorder = RequestRecorder.create();
 * OverloadDetector detector = OverloadDetector.builder(recorder)
 *     .listener(event -> log.info("{} -> {} because {}", event.previous(), event.current(), event.reasons()))
 *     .build();
 * detector.start();     // the "xeno-detector" and "xeno-overload-events" threads
 * ...
 * detector.close();
 * }</pre>
 *
 * <p>Each bucket it reads the arrival and completion rates, in-flight requests, latency and
 * queue-delay percentiles over the last few buckets, error rate, CPU, GC time and how late its own
 * thread woke. While NORMAL it learns baselines of these (see {@link OverloadConfig}); in any other
 * state the baselines are frozen, so a flood cannot teach the detector that the flood is normal.
 *
 * <ul>
 *   <li>NORMAL → SURGING: arrivals averaging over the surge threshold (3× the baseline rate, or 2×
 *       the usual one-second peak, whichever is higher) for 300 ms: replication can start before
 *       the site slows down. A surge the site takes without strain teaches the detector that such
 *       peaks are usual, so the same burst does not raise the alarm twice.
 *   <li>→ OVERLOADED: 3 of the last 5 buckets showed 2 signs of saturation (standing queue,
 *       latency, requests in flight, CPU, stalls not caused by GC).
 *   <li>OVERLOADED → RECOVERING: no saturated bucket for a second, after at least 5 s overloaded.
 *   <li>SURGING → NORMAL, RECOVERING → NORMAL: arrivals under two thirds of the surge threshold,
 *       after 2 s surging or 30 s recovering; RECOVERING → OVERLOADED when saturation returns.
 * </ul>
 *
 * <p>Nothing changes automatically before the warm-up ends, and at most a few changes happen per
 * minute. {@link #forceOverloaded()} ("under attack" mode) overrides all of this until
 * {@link #release()}.
 *
 * <p>Listeners run on a dedicated thread: a slow or throwing listener never stalls detection. All
 * public methods are safe for concurrent use.
 */
public final class OverloadDetector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OverloadDetector.class);
    /** The sampler reads a bucket this long after it closed, so that late writers have finished. */
    private static final long READ_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(3);

    private static final int EVENT_QUEUE = 1024;
    private static final int HISTORY = 100;

    private final RequestRecorder recorder;
    private final OverloadConfig config;
    private final SystemSignals system;
    private final Clock wallClock;
    private final NanoClock clock;
    private final List<OverloadListener> listeners = new CopyOnWriteArrayList<>();
    private final BlockingQueue<OverloadEvent> outbox = new ArrayBlockingQueue<>(EVENT_QUEUE);
    private final Deque<OverloadEvent> history = new ArrayDeque<>();
    private final AtomicLong droppedEvents = new AtomicLong();
    private final Object lock = new Object();

    // detector-thread state, guarded by lock (ticks may also come from tests)
    private final long widthNanos;
    private final long startNanos;
    private long lastInterval;
    private long lastTickNanos;
    private long lastCpuNanos;
    private long lastGcNanos;
    private final Deque<Double> dwellRates = new ArrayDeque<>();
    private final Deque<Boolean> saturationHistory = new ArrayDeque<>();
    private final Deque<Long> transitionTimes = new ArrayDeque<>();
    private final Baselines baselines;
    private final SignalReader signals;
    private OverloadState state = OverloadState.NORMAL;
    private long stateSinceNanos;
    private boolean forced;
    private long surgeStreak;
    private long surgeStartNanos;
    /** The highest one-second arrival rate of the current surge. */
    private double surgePeakRate;
    /** Whether the current surge has shown any sign of saturation. */
    private boolean surgeSawSaturation;

    private long saturationStartNanos = -1;
    private long calmSinceNanos = -1;
    private long sequence;
    private volatile OverloadSnapshot snapshot;

    private volatile boolean running;
    private Thread sampler;
    private Thread dispatcher;

    private OverloadDetector(Builder builder) {
        this.recorder = builder.recorder;
        this.config = builder.config;
        this.system = builder.system;
        this.wallClock = builder.wallClock;
        this.clock = recorder.clock();
        this.listeners.addAll(builder.listeners);
        this.widthNanos = recorder.widthNanos();
        this.baselines = new Baselines(config, widthNanos);
        this.signals = new SignalReader(recorder, config, baselines, builder.routeNames);
        this.startNanos = clock.nanoTime();
        this.lastInterval = recorder.intervalAt(startNanos) - 1;
        this.lastTickNanos = startNanos;
        this.stateSinceNanos = startNanos;
        this.lastCpuNanos = system.processCpuNanos();
        this.lastGcNanos = system.gcNanos();
        this.snapshot = new OverloadSnapshot(OverloadState.NORMAL, Duration.ZERO, false, false, Map.of(), 0, 0, 0);
    }

    /** Starts configuring a detector over {@code recorder}'s counts. */
    public static Builder builder(RequestRecorder recorder) {
        return new Builder(recorder);
    }

    /** Configures an {@link OverloadDetector}. */
    public static final class Builder {
        private final RequestRecorder recorder;
        private OverloadConfig config = OverloadConfig.DEFAULTS;
        private SystemSignals system = new JvmSystemSignals();
        private Clock wallClock = Clock.systemUTC();
        private List<String> routeNames = List.of();
        private final List<OverloadListener> listeners = new ArrayList<>();

        private Builder(RequestRecorder recorder) {
            this.recorder = Objects.requireNonNull(recorder, "recorder");
        }

        /** The thresholds; {@link OverloadConfig#DEFAULTS} by default. */
        public Builder config(OverloadConfig value) {
            this.config = Objects.requireNonNull(value, "config");
            return this;
        }

        /** Adds a listener for state changes. */
        public Builder listener(OverloadListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Names for the route keys that {@link RequestRecorder#end(long, int, long, RequestKind, int)}
         * counts (name {@code i} for key {@code i}), so that events can name the hot paths.
         */
        public Builder routeNames(List<String> names) {
            if (names.size() > RequestRecorder.MAX_ROUTES) {
                throw new IllegalArgumentException(
                        "at most " + RequestRecorder.MAX_ROUTES + " route names, but got " + names.size());
            }
            this.routeNames = List.copyOf(names);
            return this;
        }

        /** The wall clock that stamps events; the system clock by default. */
        public Builder wallClock(Clock value) {
            this.wallClock = Objects.requireNonNull(value, "wallClock");
            return this;
        }

        Builder systemSignals(SystemSignals value) {
            this.system = Objects.requireNonNull(value, "system");
            return this;
        }

        /** Builds a detector; call {@link OverloadDetector#start()} to run it. */
        public OverloadDetector build() {
            return new OverloadDetector(this);
        }
    }

    /** Adds a listener; it receives the events after this call. */
    public void addListener(OverloadListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Starts the sampler thread ({@code xeno-detector}) and the event thread ({@code xeno-overload-events}). */
    public synchronized void start() {
        if (running) {
            return;
        }
        startDispatcher();
        sampler = DaemonThreads.start("xeno-detector", this::sampleLoop);
    }

    /** Starts only the event thread: for tests that tick the detector themselves on a fake clock. */
    synchronized void startEventsOnly() {
        if (!running) {
            startDispatcher();
        }
    }

    private void startDispatcher() {
        running = true;
        dispatcher = DaemonThreads.start("xeno-overload-events", this::dispatchLoop);
    }

    /** Stops both threads; events not yet delivered are dropped. */
    @Override
    public synchronized void close() {
        running = false;
        for (Thread thread : new Thread[] {sampler, dispatcher}) {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The current state. */
    public OverloadState state() {
        synchronized (lock) {
            return state;
        }
    }

    /** All signals and the state as of the last bucket. */
    public OverloadSnapshot snapshot() {
        return snapshot;
    }

    /** The last (up to {@value #HISTORY}) events, oldest first. */
    public List<OverloadEvent> recentEvents() {
        synchronized (history) {
            return List.copyOf(history);
        }
    }

    /**
     * "Under attack" mode: goes OVERLOADED now, whatever the signals say, and stays there until
     * {@link #release()}. For an operator who sees an attack coming, or a test.
     */
    public void forceOverloaded() {
        synchronized (lock) {
            forced = true;
            if (state != OverloadState.OVERLOADED) {
                transition(
                        OverloadState.OVERLOADED,
                        EnumSet.of(OverloadReason.MANUAL),
                        clock.nanoTime(),
                        clock.nanoTime());
            }
        }
    }

    /** Ends "under attack" mode: RECOVERING, then NORMAL once the signals are calm for the recovery time. */
    public void release() {
        synchronized (lock) {
            if (!forced) {
                return;
            }
            forced = false;
            long now = clock.nanoTime();
            calmSinceNanos = now;
            transition(OverloadState.RECOVERING, EnumSet.of(OverloadReason.MANUAL), now, now);
        }
    }

    /**
     * Reads every bucket that closed since the last call and evaluates it. The sampler thread calls
     * this every bucket; tests on a fake clock call it directly.
     */
    void tick() {
        synchronized (lock) {
            long now = clock.nanoTime();
            long hiccupNanos = Math.max(0, now - lastTickNanos - widthNanos);
            lastTickNanos = now;
            long closed = recorder.intervalAt(now) - 1;
            if (closed - lastInterval > recorder.buckets() / 2) {
                lastInterval = closed - recorder.buckets() / 2; // stalled for seconds: older buckets are gone
            }
            long cpu = system.processCpuNanos();
            long gc = system.gcNanos();
            long cpuDelta = Math.max(0, cpu - lastCpuNanos);
            long gcDelta = Math.max(0, gc - lastGcNanos);
            long elapsed = Math.max(1, (closed - lastInterval) * widthNanos);
            lastCpuNanos = cpu;
            lastGcNanos = gc;
            double cpuShare = Math.min(1.0, cpuDelta / (elapsed * system.availableCpus()));
            for (long interval = lastInterval + 1; interval <= closed; interval++) {
                boolean newest = interval == closed;
                IntervalCounts counts = recorder.read(interval);
                recorder.clear(interval + recorder.buckets() / 2);
                evaluate(
                        counts,
                        recorder.intervalEndNanos(interval),
                        cpuShare,
                        newest ? gcDelta : 0,
                        newest ? hiccupNanos : 0);
            }
            lastInterval = Math.max(lastInterval, closed);
        }
    }

    /**
     * What the detector made of one bucket: the signs of saturation it showed (and ERRORS, which is
     * reported but never counts as saturation), and where the surge and calm counters stand.
     */
    private record Signs(
            Set<OverloadReason> reasons,
            boolean saturated,
            long saturatedCount,
            double threshold,
            boolean surging,
            boolean calm) {}

    /**
     * Evaluates one closed bucket: reads its signals (step 1, {@link SignalReader#read}), finds the
     * signs in them, learns, then decides.
     */
    private void evaluate(IntervalCounts counts, long endNanos, double cpu, long gcNanos, long hiccupNanos) {
        Bucket bucket = signals.read(counts, endNanos, cpu, gcNanos, hiccupNanos);
        boolean warm = warmedUp(endNanos);
        Signs signs = findSigns(bucket, warm);
        learnBaselines(bucket, warm, signs, elapsedIntervals(endNanos));
        if (warm && !forced) {
            decide(endNanos, signs.surging(), signs.saturatedCount(), signs.calm(), signs.reasons());
        }
        snapshot = new OverloadSnapshot(
                state,
                Duration.ofNanos(Math.max(0, endNanos - stateSinceNanos)),
                forced,
                warm,
                bucket.readings(),
                baselines.capacity,
                signs.threshold(),
                sequence);
    }

    /**
     * Step 2: the signs in the bucket. Saturation signs against the baselines (a bucket with enough
     * of them is saturated), the saturation window, the surge counters against the surge threshold,
     * and whether the site is calm.
     */
    private Signs findSigns(Bucket bucket, boolean warm) {
        Set<OverloadReason> reasons = saturationSigns(bucket);
        boolean saturated = reasons.size() >= config.saturationSigns();
        if (state == OverloadState.SURGING && !reasons.isEmpty()) {
            surgeSawSaturation = true;
        }
        SignalReader.push(saturationHistory, saturated, config.saturationWindowBuckets());
        long saturatedCount =
                saturationHistory.stream().filter(Boolean::booleanValue).count();
        if (saturated && saturationStartNanos < 0) {
            saturationStartNanos = bucket.startNanos();
        } else if (!saturated && saturatedCount == 0) {
            saturationStartNanos = -1;
        }
        double threshold = Math.max(
                config.minSurgeRatePerSecond(),
                baselines.rate * Math.max(config.surgeFactor(), config.surgePeakMargin() * baselines.peakRatio));
        boolean surging = trackSurge(bucket, warm, threshold);
        boolean calm = bucket.oneSecondRate() < config.surgeExitFactor() * threshold && saturatedCount == 0;
        if (calm && calmSinceNanos < 0) {
            calmSinceNanos = bucket.startNanos();
        } else if (!calm) {
            calmSinceNanos = -1;
        }
        if (bucket.errorRate() >= 0.5 && bucket.counts().completions() > 0) {
            reasons.add(OverloadReason.ERRORS);
        }
        return new Signs(reasons, saturated, saturatedCount, threshold, surging, calm);
    }

    /**
     * The signs of saturation the bucket shows: latency, a standing queue, requests in flight, CPU,
     * stalls not caused by GC.
     */
    private Set<OverloadReason> saturationSigns(Bucket bucket) {
        Set<OverloadReason> signs = EnumSet.noneOf(OverloadReason.class);
        if (baselines.knownLatency
                && bucket.p90() > config.latencyFloor().toNanos() / 1e6
                && bucket.p90() > config.latencyFactor() * baselines.p90Ms) {
            signs.add(OverloadReason.LATENCY);
        }
        if (bucket.hasQueue()
                && bucket.queueDelay() > config.queueDelayFloor().toNanos() / 1e6
                && bucket.queueDelay() > config.queueDelayFactor() * baselines.queueDelayMs) {
            signs.add(OverloadReason.QUEUE_DELAY);
        }
        if (baselines.known
                && bucket.inFlight() > config.inFlightFloor()
                && bucket.inFlight() > config.inFlightFactor() * baselines.inFlight) {
            signs.add(OverloadReason.IN_FLIGHT);
        }
        if (bucket.cpu() >= config.cpuThreshold()) {
            signs.add(OverloadReason.CPU);
        }
        if (bucket.hiccupNanos() >= config.hiccupThreshold().toNanos() && bucket.gcNanos() < bucket.hiccupNanos() / 2) {
            signs.add(OverloadReason.HICCUP);
        }
        return signs;
    }

    /**
     * Counts the buckets of a surge building and says whether it is one: over the dwell, arrivals
     * average at least the threshold and no bucket falls under the exit level; averaging keeps
     * Poisson noise in small buckets from passing for a surge.
     */
    private boolean trackSurge(Bucket bucket, boolean warm, double threshold) {
        int dwellBuckets = (int) Math.max(1, Math.round(config.surgeDwell().toNanos() / (double) widthNanos));
        SignalReader.push(dwellRates, bucket.rate(), dwellBuckets);
        if (warm && baselines.known && bucket.rate() >= config.surgeExitFactor() * threshold) {
            if (surgeStreak == 0) {
                surgeStartNanos = bucket.startNanos();
            }
            surgeStreak++;
            baselines.pendingPeaks.clear();
        } else {
            surgeStreak = 0;
        }
        double dwellAverage =
                dwellRates.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        boolean surging = surgeStreak >= dwellBuckets && dwellAverage >= threshold;
        if (surgeStreak > 0 || state == OverloadState.SURGING) {
            surgePeakRate = Math.max(surgePeakRate, bucket.oneSecondRate());
        }
        return surging;
    }

    /**
     * Step 3: learns the baselines, only from buckets that are plainly normal: NORMAL and not forced,
     * some traffic, no surge building, no saturation. A flood never teaches the detector it is normal.
     */
    private void learnBaselines(Bucket bucket, boolean warm, Signs signs, long intervalsSoFar) {
        IntervalCounts counts = bucket.counts();
        if (state == OverloadState.NORMAL
                && !forced
                && counts.arrivals() + counts.completions() > 0
                && (!warm || bucket.rate() < signs.threshold())
                && !signs.surging()
                && !signs.saturated()
                && signs.saturatedCount() == 0) {
            // a one-second peak is learned as usual only while the last second stayed under the exit level:
            // load that climbs towards the threshold must not lift the threshold out of its reach
            boolean peakIsUsual = !warm || bucket.oneSecondRate() < config.surgeExitFactor() * signs.threshold();
            baselines.learn(
                    bucket.rate(),
                    peakIsUsual ? bucket.oneSecondRate() : 0,
                    bucket.completionRate(),
                    bucket.hasLatency(),
                    bucket.p50(),
                    bucket.p90(),
                    bucket.hasQueue(),
                    bucket.queueDelay(),
                    bucket.inFlight(),
                    intervalsSoFar);
        }
    }

    private void decide(long now, boolean surging, long saturatedCount, boolean calm, Set<OverloadReason> signs) {
        boolean overloaded = saturatedCount >= config.saturatedBuckets();
        long inState = now - stateSinceNanos;
        switch (state) {
            case NORMAL -> {
                if (surging) {
                    surgeSawSaturation = false;
                    transition(OverloadState.SURGING, EnumSet.of(OverloadReason.RATE_SURGE), now, surgeStartNanos);
                }
                if (overloaded) {
                    transition(OverloadState.OVERLOADED, reasons(signs), now, saturationStartNanos);
                }
            }
            case SURGING -> {
                if (overloaded) {
                    transition(OverloadState.OVERLOADED, reasons(signs), now, saturationStartNanos);
                } else if (calm
                        && inState >= config.surgeMinDwell().toNanos()
                        && now - calmSinceNanos >= config.surgeMinDwell().toNanos()) {
                    if (!surgeSawSaturation) {
                        // a surge the site took without a sign of strain: bursts this high are part of normal
                        baselines.acceptPeak(surgePeakRate);
                    }
                    transition(OverloadState.NORMAL, EnumSet.of(OverloadReason.CALM), now, calmSinceNanos);
                }
            }
            case OVERLOADED -> {
                if (saturatedCount == 0 && inState >= config.overloadMinDwell().toNanos()) {
                    transition(OverloadState.RECOVERING, EnumSet.of(OverloadReason.CALM), now, now);
                }
            }
            case RECOVERING -> {
                if (overloaded) {
                    transition(OverloadState.OVERLOADED, reasons(signs), now, saturationStartNanos);
                } else if (calm
                        && calmSinceNanos >= 0
                        && now - calmSinceNanos >= config.recoveryTime().toNanos()
                        && inState >= config.recoveryTime().toNanos()) {
                    transition(OverloadState.NORMAL, EnumSet.of(OverloadReason.CALM), now, calmSinceNanos);
                }
            }
            default -> throw new IllegalStateException("unknown state " + state);
        }
    }

    private static Set<OverloadReason> reasons(Set<OverloadReason> signs) {
        return signs.isEmpty() ? EnumSet.of(OverloadReason.LATENCY) : signs;
    }

    /** Changes state and queues the event; automatic changes respect the per-minute cap. */
    private void transition(OverloadState next, Set<OverloadReason> reasons, long now, long evidenceSinceNanos) {
        boolean manual = reasons.contains(OverloadReason.MANUAL);
        long minute = TimeUnit.MINUTES.toNanos(1);
        while (!transitionTimes.isEmpty() && now - transitionTimes.peekFirst() >= minute) {
            transitionTimes.removeFirst();
        }
        if (!manual && transitionTimes.size() >= config.maxTransitionsPerMinute()) {
            LOG.debug(
                    "overload: holding {} instead of {}: {} changes in the last minute",
                    state,
                    next,
                    transitionTimes.size());
            return;
        }
        transitionTimes.addLast(now);
        OverloadState previous = state;
        state = next;
        stateSinceNanos = now;
        if (next == OverloadState.NORMAL) {
            surgeStreak = 0;
            surgePeakRate = 0;
        }
        long latency = evidenceSinceNanos < 0 ? 0 : Math.max(0, now - evidenceSinceNanos);
        OverloadEvent event = new OverloadEvent(
                ++sequence,
                previous,
                next,
                wallClock.instant(),
                now,
                Duration.ofNanos(latency),
                reasons,
                signals.readings(),
                baselines.capacity,
                signals.hotPaths(),
                warmedUp(now));
        LOG.info("overload: {} -> {} ({}), detected in {} ms", previous, next, reasons, latency / 1_000_000);
        synchronized (history) {
            history.addLast(event);
            while (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
        if (!outbox.offer(event)) {
            droppedEvents.incrementAndGet();
            LOG.warn(
                    "overload: event queue full, dropped event {} ({} -> {}); a listener is blocking",
                    event.sequence(),
                    previous,
                    next);
        }
    }

    private boolean warmedUp(long now) {
        return now - startNanos >= config.warmupTime().toNanos() && recorder.totalStarted() >= config.warmupRequests();
    }

    private long elapsedIntervals(long now) {
        return Math.max(1, (now - startNanos) / widthNanos);
    }

    private void sampleLoop() {
        long next = recorder.intervalEndNanos(recorder.intervalAt(clock.nanoTime())) + READ_GRACE_NANOS;
        while (running) {
            long wait = next - clock.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            }
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.error("overload: evaluation failed; detection continues with the next bucket", e);
            }
            next += widthNanos;
            long now = clock.nanoTime();
            if (next < now) {
                next = recorder.intervalEndNanos(recorder.intervalAt(now)) + READ_GRACE_NANOS;
            }
        }
    }

    private void dispatchLoop() {
        while (running) {
            OverloadEvent event;
            try {
                event = outbox.take();
            } catch (InterruptedException e) {
                return;
            }
            for (OverloadListener listener : listeners) {
                try {
                    listener.onEvent(event);
                } catch (RuntimeException e) {
                    LOG.warn("overload: listener {} failed on event {}; it is skipped", listener, event.sequence(), e);
                }
            }
        }
    }
}
