package org.xenoservice.overload;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts requests on the request path, cheaply enough to run on every request: no lock, no
 * {@code synchronized}, no allocation, no retry loop. Each call adds to a few counters with one
 * atomic add each (a single {@code LOCK XADD} on x86), in a cell chosen by the calling thread so
 * that threads on different cores rarely touch the same cache line.
 *
 * <p>Counts go into a ring of time buckets ({@value #DEFAULT_BUCKETS} × 100 ms by default), each
 * with fixed log-linear histograms of latency and queue delay. One sampler thread (the
 * {@link OverloadDetector}'s) reads each bucket once it has closed and clears buckets long before
 * they come round again.
 *
 * <pre>{@code
 * long started = recorder.start();          // as the request arrives, or start(arrivalNanos)
 * try {
 *   recorder.handling(started);             // optional: a worker picked it up (queue delay)
 *   handle(request);
 * } finally {
 *   recorder.end(started, status, bytesSent, RequestKind.DYNAMIC);
 * }
 * }</pre>
 *
 * <p>Safe for concurrent use by any number of request threads.
 */
public final class RequestRecorder {
    /** Buckets in the ring. */
    public static final int DEFAULT_BUCKETS = 64;
    /** Width of one bucket: the detector's evaluation period. */
    public static final Duration DEFAULT_BUCKET_WIDTH = Duration.ofMillis(100);

    static final int ARRIVALS = 0;
    static final int COMPLETIONS = 1;
    static final int ERRORS = 2;
    static final int STATIC = 3;
    static final int DYNAMIC = 4;
    static final int BYTES = 5;
    static final int QUEUED = 6;
    static final int LATENCY = 8;
    static final int QUEUE_DELAY = LATENCY + LatencyHistogram.BINS;
    static final int ROUTES = QUEUE_DELAY + LatencyHistogram.BINS;
    /** Route keys the recorder counts requests for, {@code 0} to {@code MAX_ROUTES - 1}. */
    public static final int MAX_ROUTES = 32;
    /** Longs per thread cell: the fields above, padded to a multiple of a cache line. */
    static final int STRIDE = ((ROUTES + MAX_ROUTES) + 15) & ~15;
    /** Longs per cell of the running totals: started and ended, padded to two cache lines. */
    private static final int TOTAL_STRIDE = 16;

    private final NanoClock clock;
    private final long widthNanos;
    private final int buckets;
    private final int stripes;
    private final int stripeShift;
    private final AtomicLongArray[] ring;
    private final AtomicLongArray totals;
    private final long originNanos;

    private RequestRecorder(NanoClock clock, Duration bucketWidth, int buckets) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.widthNanos = bucketWidth.toNanos();
        if (widthNanos < 1_000_000) {
            throw new IllegalArgumentException("bucketWidth must be at least 1 ms, but was " + bucketWidth);
        }
        if (buckets < 8 || Integer.bitCount(buckets) != 1) {
            throw new IllegalArgumentException("buckets must be a power of two of at least 8, but was " + buckets);
        }
        this.buckets = buckets;
        // twice the next power of two of the cores, at most 16: few threads share a cell
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        this.stripes = Math.min(16, Integer.highestOneBit(cores * 2 - 1) * 2);
        this.stripeShift = 64 - Integer.numberOfTrailingZeros(stripes);
        this.ring = new AtomicLongArray[buckets];
        for (int i = 0; i < buckets; i++) {
            ring[i] = new AtomicLongArray(stripes * STRIDE);
        }
        this.totals = new AtomicLongArray(stripes * TOTAL_STRIDE);
        this.originNanos = clock.nanoTime();
    }

    /** A recorder on the system clock with {@value #DEFAULT_BUCKETS} buckets of 100 ms. */
    public static RequestRecorder create() {
        return create(NanoClock.SYSTEM, DEFAULT_BUCKET_WIDTH, DEFAULT_BUCKETS);
    }

    /**
     * A recorder with its own clock and ring, e.g. for tests that replay traffic.
     *
     * @param buckets a power of two, at least 8
     */
    public static RequestRecorder create(NanoClock clock, Duration bucketWidth, int buckets) {
        return new RequestRecorder(clock, Objects.requireNonNull(bucketWidth, "bucketWidth"), buckets);
    }

    /** The clock this recorder reads. */
    public NanoClock clock() {
        return clock;
    }

    /**
     * Records that a request started now.
     *
     * @return the start time, to pass to {@link #end}
     */
    public long start() {
        long now = clock.nanoTime();
        int cell = cell();
        ring[slot(now)].getAndIncrement(cell + ARRIVALS);
        totals.getAndIncrement(totalCell());
        return now;
    }

    /**
     * Records a request that arrived at {@code arrivedNanos} (e.g. when the server accepted it) and
     * reaches the application only now: the difference is its queue delay, and its latency will be
     * counted from its arrival.
     *
     * @return {@code arrivedNanos}, to pass to {@link #end}
     */
    public long start(long arrivedNanos) {
        long now = clock.nanoTime();
        AtomicLongArray bucket = ring[slot(now)];
        int cell = cell();
        bucket.getAndIncrement(cell + ARRIVALS);
        bucket.getAndIncrement(cell + QUEUED);
        bucket.getAndIncrement(cell + QUEUE_DELAY + LatencyHistogram.binOf(now - arrivedNanos));
        totals.getAndIncrement(totalCell());
        return arrivedNanos;
    }

    /**
     * Records that a request {@link #start() started} at {@code startNanos} waited in a queue (e.g. for
     * a worker thread) until now, for adapters that see a request arrive before it is handled.
     */
    public void handling(long startNanos) {
        long now = clock.nanoTime();
        AtomicLongArray bucket = ring[slot(now)];
        int cell = cell();
        bucket.getAndIncrement(cell + QUEUED);
        bucket.getAndIncrement(cell + QUEUE_DELAY + LatencyHistogram.binOf(now - startNanos));
    }

    /**
     * Records that the request started at {@code startNanos} ended now.
     *
     * @param status the HTTP status; 5xx counts as an error, and so does 0 (use it for a request
     *     that timed out or was aborted before a status was sent)
     * @param bytes the body bytes sent
     */
    public void end(long startNanos, int status, long bytes, RequestKind kind) {
        end(startNanos, status, bytes, kind, -1);
    }

    /**
     * Records that the request started at {@code startNanos} ended now, and which route it took, so
     * that the detector can name the hot paths of a flood.
     *
     * @param route the route's key, {@code 0} to {@link #MAX_ROUTES}{@code - 1} (e.g. the index of
     *     the dynamic route in the site's configuration, whose names the detector is given with
     *     {@link OverloadDetector.Builder#routeNames}); any other value counts no route
     */
    public void end(long startNanos, int status, long bytes, RequestKind kind, int route) {
        long now = clock.nanoTime();
        AtomicLongArray bucket = ring[slot(now)];
        int cell = cell();
        bucket.getAndIncrement(cell + COMPLETIONS);
        bucket.getAndIncrement(cell + LATENCY + LatencyHistogram.binOf(now - startNanos));
        bucket.getAndIncrement(cell + (kind == RequestKind.STATIC ? STATIC : DYNAMIC));
        if (status >= 500 || status <= 0) {
            bucket.getAndIncrement(cell + ERRORS);
        }
        if (bytes > 0) {
            bucket.getAndAdd(cell + BYTES, bytes);
        }
        if (route >= 0 && route < MAX_ROUTES) {
            bucket.getAndIncrement(cell + ROUTES + route);
        }
        totals.getAndIncrement(totalCell() + 1);
    }

    /** Requests started and not yet ended. */
    public long inFlight() {
        long started = 0;
        long ended = 0;
        for (int s = 0; s < stripes; s++) {
            started += totals.get(s * TOTAL_STRIDE);
            ended += totals.get(s * TOTAL_STRIDE + 1);
        }
        return Math.max(0, started - ended);
    }

    /** Requests started since the recorder was made. */
    public long totalStarted() {
        long started = 0;
        for (int s = 0; s < stripes; s++) {
            started += totals.get(s * TOTAL_STRIDE);
        }
        return started;
    }

    /** The number of the bucket interval that {@code nanos} falls in (0 = the recorder's first). */
    long intervalAt(long nanos) {
        return Math.floorDiv(nanos - originNanos, widthNanos);
    }

    /** When interval {@code interval} ends, in the clock's nanoseconds. */
    long intervalEndNanos(long interval) {
        return originNanos + (interval + 1) * widthNanos;
    }

    long widthNanos() {
        return widthNanos;
    }

    int buckets() {
        return buckets;
    }

    /** Sums the cells of one interval's bucket. Called by the sampler thread only. */
    IntervalCounts read(long interval) {
        AtomicLongArray bucket = ring[(int) (interval & (buckets - 1))];
        long[] sum = new long[STRIDE];
        for (int s = 0; s < stripes; s++) {
            int base = s * STRIDE;
            for (int f = 0; f < STRIDE; f++) {
                sum[f] += bucket.get(base + f);
            }
        }
        return new IntervalCounts(interval, sum);
    }

    /** Zeroes one interval's bucket before the ring comes round to it. Called by the sampler only. */
    void clear(long interval) {
        AtomicLongArray bucket = ring[(int) (interval & (buckets - 1))];
        for (int i = 0; i < bucket.length(); i++) {
            bucket.set(i, 0);
        }
    }

    private int slot(long nanos) {
        return (int) (Math.floorDiv(nanos - originNanos, widthNanos) & (buckets - 1));
    }

    /** This thread's cell: its id spread by a multiplicative hash over the stripes. */
    private int cell() {
        return stripeOfThread() * STRIDE;
    }

    private int totalCell() {
        return stripeOfThread() * TOTAL_STRIDE;
    }

    /** The top bits of the id times the golden ratio: consecutive thread ids land on different stripes. */
    private int stripeOfThread() {
        return (int) ((Thread.currentThread().getId() * 0x9E3779B97F4A7C15L) >>> stripeShift);
    }
}
