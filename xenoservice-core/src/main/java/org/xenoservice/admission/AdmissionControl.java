package org.xenoservice.admission;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.xenoservice.overload.NanoClock;

/**
 * Admission control in front of the application: while the origin is overloaded or sheltered
 * ({@link #engage engaged}), at most {@link #limit()} requests run in the application at once, the
 * limit adapts to the latency the application shows (see below), and the peers' back-channel
 * requests keep a share of it that direct traffic cannot take. A request beyond the limit gets a
 * cheap answer from its adapter without the application running: a flood then costs the origin
 * the refusals, not the work, and the customers the peers serve still get their searches and
 * orders through.
 *
 * <p>An adapter calls it around the application, and nothing else:
 *
 * <pre>{@code
 * AdmissionControl admission = AdmissionControl.builder().build();
 * // when the origin becomes OVERLOADED or sheltered, and again when it calms:
 * admission.engage(true);
 *
 * long permit = admission.tryAcquire(verifiedPeer ? Traffic.PEER : Traffic.DIRECT);
 * if (permit == AdmissionControl.REJECTED) {
 *   // 503 with Retry-After, or the route's degrade page; the application does not run
 *   respond(503, "Retry-After", admission.retryAfterSeconds());
 *   return;
 * }
 * try {
 *   handle(request);
 * } catch (Throwable t) {
 *   admission.release(permit, Outcome.FAILED);           // and rethrow t to the server
 *   throw t;
 * }
 * // when the response is complete, on whatever thread completes it (async included);
 * // an asynchronous timeout or error is Outcome.FAILED:
 * admission.release(permit, Outcome.ofStatus(status));  // 0 (client gone) is IGNORED
 * }</pre>
 *
 * <p><b>The peers' share.</b> With {@code reserve = ceil(limit × peerShare)}, kept between 1 and
 * {@code limit − 1}, a direct request is admitted while fewer than {@code limit − reserve} requests
 * (both classes together) are in flight, a peer's while fewer than {@code limit} are. However many
 * direct requests arrive, they hold at most {@code limit − reserve} slots, so at least {@code
 * reserve} are there for the peers; peers may also take free slots beyond it, and direct requests
 * are refused while they hold them: under a flood the peers carry the customers who followed DNS,
 * while the origin's own address is what the attacker hits. No queue: a request is admitted or
 * refused at once.
 *
 * <p><b>The limit</b> is a gradient on measured latency, in the manner of Netflix
 * concurrency-limits' {@code Gradient2Limit}. The latency of requests that end while less than
 * half the limit is in use is averaged into the application's baseline, its latency without a
 * queue. Requests that end with half or more in use move the limit: per round trip (as many
 * requests as the limit), up by about {@code smoothing × √limit} while their latency stays within
 * {@code latencyTolerance} times the baseline, down by up to {@code smoothing / 2} of itself as
 * latency rises beyond; each failure multiplies it by 0.9. Unlike Gradient2's, the baseline does
 * not learn from requests at the limit, so that a lasting flood cannot raise it, and with it the
 * latency the limit allows. The limit stays between {@code minLimit} and {@code maxLimit}.
 *
 * <p><b>Not engaged</b>, every request is admitted at the cost of two striped counter increments
 * (the per-class counts stay exact), and one in {@value #DEFAULT_CALM_SAMPLING} is timed so that
 * the limit goes on learning rather than restarting from its initial value on {@code engage}: calm
 * traffic teaches it the application's baseline latency, and in the second or so it takes the
 * detector to call a flood, the rising latency has already shrunk the limit towards what the
 * application can take. A calm request does not hold one of the limit's slots: requests still in
 * flight when the limit engages are not counted against it, so for as long as they take to end
 * (they were admitted when the origin was calm) the application may run up to that many more than
 * the limit. That is the price of keeping the calm path free of a contended atomic: the adapters
 * call it on every request, and the origin must cost next to nothing while nothing is wrong.
 *
 * <p>Both calls are a few atomic operations and no lock or allocation. Safe for concurrent use; a
 * permit may be released on another thread than the one that acquired it. Release each admitted
 * permit exactly once; a permit never released stays in flight and holds its slot.
 */
public final class AdmissionControl {
    /** What {@link #tryAcquire} returns for a refused request; never an admitted permit. */
    public static final long REJECTED = 0L;
    /** The default limit before any latency was measured: 20 requests, as Netflix's. */
    public static final int DEFAULT_INITIAL_LIMIT = 20;
    /** The default floor of the limit: 4 requests, two for the peers and two for direct traffic. */
    public static final int DEFAULT_MIN_LIMIT = 4;
    /** The default ceiling of the limit: 200 requests, more than a small site's worker pool. */
    public static final int DEFAULT_MAX_LIMIT = 200;
    /**
     * The default share of the limit kept for the peers: half, because under a flood the peers
     * carry the customers, and direct requests are mostly the attacker's.
     */
    public static final double DEFAULT_PEER_SHARE = 0.5;
    /** The default latency tolerance: latency may reach 1.5 times its baseline before the limit shrinks. */
    public static final double DEFAULT_LATENCY_TOLERANCE = 1.5;
    /** The default smoothing: each round trip moves the limit about half of the way towards its target. */
    public static final double DEFAULT_SMOOTHING = 0.5;
    /** The default {@code Retry-After} of a refusal: 2 s. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(2);
    /** The largest {@code maxLimit} accepted. */
    public static final int MAX_LIMIT_CAP = 100_000;

    /**
     * While not engaged, one request in this many is timed for the limit to learn from; the others
     * cost two counter increments and nothing else.
     */
    static final int DEFAULT_CALM_SAMPLING = 16;

    /*
     * A permit is the clock's time at admission with its low three bits replaced: bit 1 always set
     * (so no permit is REJECTED, 0), bit 0 set for a peer's request, bit 2 set when it is counted in
     * inFlight (admitted while engaged). The start is up to 7 ns early; 0 for an untimed calm permit.
     */
    private static final long ADMITTED = 0b010;
    private static final long PEER = 0b001;
    private static final long COUNTED = 0b100;
    private static final long FLAGS = 0b111;

    private final NanoClock clock;
    private final GradientLimit limit;
    private final double peerShare;
    private final int retryAfterSeconds;
    private final AtomicLong inFlight = new AtomicLong();
    private final LongAdder peerAdmitted = new LongAdder();
    private final LongAdder directAdmitted = new LongAdder();
    private final LongAdder peerReleased = new LongAdder();
    private final LongAdder directReleased = new LongAdder();
    private final LongAdder peerShed = new LongAdder();
    private final LongAdder directShed = new LongAdder();
    private final int calmSampling;
    private volatile boolean engaged;

    private AdmissionControl(Builder b) {
        this.clock = b.clock;
        this.limit = new GradientLimit(b.initialLimit, b.minLimit, b.maxLimit, b.latencyTolerance, b.smoothing);
        this.peerShare = b.peerShare;
        this.retryAfterSeconds = (int) Math.max(1, (b.retryAfter.toMillis() + 999) / 1000);
        this.calmSampling = b.calmSampling;
    }

    /** Starts from the defaults ({@code DEFAULT_*}). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Admits a request or refuses it. Not engaged, it always admits. Allocation-free and lock-free.
     *
     * @param traffic {@link Traffic#PEER} only for a peer's request whose proof was verified
     * @return the request's permit, for {@link #release}, or {@link #REJECTED}: then answer it
     *     cheaply and do not run the application, and do not release it
     */
    public long tryAcquire(Traffic traffic) {
        boolean peer = Objects.requireNonNull(traffic, "traffic") == Traffic.PEER;
        if (!engaged) {
            (peer ? peerAdmitted : directAdmitted).increment();
            boolean timed = calmSampling == 1 || ThreadLocalRandom.current().nextInt(calmSampling) == 0;
            return (timed ? clock.nanoTime() & ~FLAGS : 0L) | ADMITTED | (peer ? PEER : 0L);
        }
        int current = limit.limit();
        long bound = peer ? current : current - reserve(current);
        while (true) {
            long n = inFlight.get();
            if (n >= bound) {
                (peer ? peerShed : directShed).increment();
                return REJECTED;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                break;
            }
        }
        (peer ? peerAdmitted : directAdmitted).increment();
        return (clock.nanoTime() & ~FLAGS) | ADMITTED | COUNTED | (peer ? PEER : 0L);
    }

    /**
     * Ends an admitted request: it leaves the in-flight count, and the limit learns from {@code
     * outcome}. Call it once per permit when the response is complete (or the request failed), on
     * any thread. Allocation-free and lock-free.
     *
     * @throws IllegalArgumentException if {@code permit} is {@link #REJECTED} or not a permit
     * @throws IllegalStateException if more permits were released than admitted (a permit released
     *     twice is caught when nothing else is in flight)
     */
    public void release(long permit, Outcome outcome) {
        Objects.requireNonNull(outcome, "outcome");
        if ((permit & ADMITTED) == 0) {
            throw new IllegalArgumentException("release takes a permit that tryAcquire admitted, but got " + permit
                    + (permit == REJECTED ? " (REJECTED): a refused request has nothing to release" : ""));
        }
        if ((permit & COUNTED) == 0) {
            releaseCalm(permit, outcome);
            return;
        }
        long now = clock.nanoTime();
        long before = inFlight.getAndDecrement();
        if (before <= 0) {
            inFlight.incrementAndGet();
            throw new IllegalStateException("more permits were released than admitted: release each permit"
                    + " exactly once, on the AdmissionControl that admitted it");
        }
        ((permit & PEER) != 0 ? peerReleased : directReleased).increment();
        if (outcome == Outcome.SUCCEEDED) {
            limit.onSuccess(now - (permit & ~FLAGS), before);
        } else if (outcome == Outcome.FAILED) {
            limit.onFailure(before);
        }
    }

    /**
     * Ends a permit admitted while not engaged: counted out of its class; if it was timed, the limit
     * learns its latency, with the requests in flight read from the per-class counters (sums of
     * striped adders: dearer than the engaged path's one atomic, but only for the sampled requests).
     */
    private void releaseCalm(long permit, Outcome outcome) {
        ((permit & PEER) != 0 ? peerReleased : directReleased).increment();
        long start = permit & ~FLAGS;
        if (start == 0 || outcome != Outcome.SUCCEEDED) {
            return;
        }
        long released = peerReleased.sum() + directReleased.sum(); // first, as in counts()
        long inFlightNow = peerAdmitted.sum() + directAdmitted.sum() - released + 1;
        limit.onSuccess(clock.nanoTime() - start, Math.max(1, inFlightNow));
    }

    /**
     * Applies the limit ({@code true}: the origin is overloaded or sheltered) or lifts it. Requests
     * in flight stay counted either way; the limit keeps what it learned. Safe to call from any
     * thread, e.g. the detector's listener.
     */
    public void engage(boolean engaged) {
        this.engaged = engaged;
    }

    /**
     * Whether a request of {@code traffic} would be admitted now, without admitting it: for work the
     * origin schedules itself (applying the orders it journalled while the application had no room),
     * which should wait while the application's slots are full. Not engaged: always.
     */
    public boolean hasRoom(Traffic traffic) {
        if (!engaged) {
            return true;
        }
        int current = limit.limit();
        long bound = Objects.requireNonNull(traffic, "traffic") == Traffic.PEER ? current : current - reserve(current);
        return inFlight.get() < bound;
    }

    /** Whether the limit applies. */
    public boolean engaged() {
        return engaged;
    }

    /** The concurrency limit as it stands, between {@code minLimit} and {@code maxLimit}. */
    public int limit() {
        return limit.limit();
    }

    /** The {@code Retry-After} a refusal should carry, in whole seconds (at least 1). */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** A snapshot of the limit and the counts per class, for status pages and metrics. */
    public AdmissionCounts counts() {
        int current = limit.limit();
        return new AdmissionCounts(
                engaged,
                current,
                reserve(current),
                snapshot(peerReleased, peerAdmitted, peerShed),
                snapshot(directReleased, directAdmitted, directShed));
    }

    /** The slots of {@code limit} that direct requests cannot take: ceil(limit × share), 1 to limit − 1. */
    private int reserve(int limit) {
        int reserve = (int) Math.ceil(limit * peerShare);
        return Math.max(1, Math.min(limit - 1, reserve));
    }

    private static AdmissionCounts.TrafficCounts snapshot(LongAdder released, LongAdder admitted, LongAdder shed) {
        long out = released.sum(); // first: read later, admitted is at least every release read here
        long in = admitted.sum();
        return new AdmissionCounts.TrafficCounts(in - out, in, shed.sum());
    }

    @Override
    public String toString() {
        return "AdmissionControl{engaged=" + engaged + ", limit=" + limit.limit() + ", inFlight=" + inFlight.get()
                + "}";
    }

    /**
     * Configures {@link AdmissionControl}; each setter checks its value, {@link #build()} checks them
     * together. Not thread-safe.
     */
    public static final class Builder {
        private int initialLimit = DEFAULT_INITIAL_LIMIT;
        private int minLimit = DEFAULT_MIN_LIMIT;
        private int maxLimit = DEFAULT_MAX_LIMIT;
        private double peerShare = DEFAULT_PEER_SHARE;
        private double latencyTolerance = DEFAULT_LATENCY_TOLERANCE;
        private double smoothing = DEFAULT_SMOOTHING;
        private Duration retryAfter = DEFAULT_RETRY_AFTER;
        private NanoClock clock = NanoClock.SYSTEM;
        private int calmSampling = DEFAULT_CALM_SAMPLING;

        private Builder() {}

        /**
         * The limit before any latency was measured ({@value #DEFAULT_INITIAL_LIMIT}); between
         * {@code minLimit} and {@code maxLimit}.
         */
        public Builder initialLimit(int value) {
            initialLimit = count("initialLimit", value);
            return this;
        }

        /**
         * The floor of the limit ({@value #DEFAULT_MIN_LIMIT}); at least 2, so that the peers and
         * direct traffic each keep a slot.
         */
        public Builder minLimit(int value) {
            minLimit = count("minLimit", value);
            return this;
        }

        /** The ceiling of the limit ({@value #DEFAULT_MAX_LIMIT}); 2 to {@value #MAX_LIMIT_CAP}. */
        public Builder maxLimit(int value) {
            maxLimit = count("maxLimit", value);
            return this;
        }

        /**
         * The share of the limit that direct requests cannot take ({@value #DEFAULT_PEER_SHARE});
         * greater than 0 and less than 1. Rounded up, and kept between one slot and the limit less
         * one, so that each class always has at least one.
         */
        public Builder peerShare(double value) {
            if (!(value > 0 && value < 1)) {
                throw new IllegalArgumentException(
                        "peerShare must be greater than 0 and less than 1, but was " + value);
            }
            peerShare = value;
            return this;
        }

        /**
         * How many times its baseline the latency may reach before the limit shrinks ({@value
         * #DEFAULT_LATENCY_TOLERANCE}); 1 to 10. Higher lets requests queue longer before shedding.
         */
        public Builder latencyTolerance(double value) {
            if (!(value >= 1 && value <= 10)) {
                throw new IllegalArgumentException("latencyTolerance must be between 1 and 10, but was " + value);
            }
            latencyTolerance = value;
            return this;
        }

        /**
         * The part of the way to its target the limit moves per round trip, i.e. per as many requests
         * as the limit ({@value #DEFAULT_SMOOTHING}); greater than 0, at most 1. Lower is steadier
         * and slower.
         */
        public Builder smoothing(double value) {
            if (!(value > 0 && value <= 1)) {
                throw new IllegalArgumentException("smoothing must be greater than 0 and at most 1, but was " + value);
            }
            smoothing = value;
            return this;
        }

        /**
         * The {@code Retry-After} a refusal suggests ({@link #DEFAULT_RETRY_AFTER}); 1 s to 1 hour,
         * rounded up to whole seconds.
         */
        public Builder retryAfter(Duration value) {
            Objects.requireNonNull(value, "retryAfter");
            if (value.compareTo(Duration.ofSeconds(1)) < 0 || value.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(
                        "retryAfter must be between 1 s and 1 hour, but was " + value.toMillis() + " ms");
            }
            retryAfter = value;
            return this;
        }

        /** Times one calm request in {@code everyNth} ({@value #DEFAULT_CALM_SAMPLING}); 1 times them all (tests). */
        Builder calmSampling(int everyNth) {
            if (everyNth < 1) {
                throw new IllegalArgumentException("calmSampling must be at least 1, but was " + everyNth);
            }
            this.calmSampling = everyNth;
            return this;
        }

        /** The time source ({@link NanoClock#SYSTEM}); tests pass a clock they move by hand. */
        public Builder clock(NanoClock value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Builds it, not engaged.
         *
         * @throws IllegalArgumentException if {@code minLimit} exceeds {@code maxLimit}, or {@code
         *     initialLimit} is outside them
         */
        public AdmissionControl build() {
            if (minLimit > maxLimit) {
                throw new IllegalArgumentException("minLimit must not exceed maxLimit, but minLimit was " + minLimit
                        + " and maxLimit " + maxLimit + ": lower minLimit or raise maxLimit");
            }
            if (initialLimit < minLimit || initialLimit > maxLimit) {
                throw new IllegalArgumentException("initialLimit must be between minLimit (" + minLimit
                        + ") and maxLimit (" + maxLimit + "), but was " + initialLimit);
            }
            return new AdmissionControl(this);
        }

        private static int count(String name, int value) {
            if (value < 2 || value > MAX_LIMIT_CAP) {
                throw new IllegalArgumentException(
                        name + " must be between 2 and " + MAX_LIMIT_CAP + " requests, but was " + value);
            }
            return value;
        }
    }
}
