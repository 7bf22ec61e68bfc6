package org.xenoservice.admission;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * An application behind an {@link AdmissionControl}, on a clock the test moves: it runs up to {@code
 * capacity} requests in parallel at its base latency, and beyond that they queue, so latency grows
 * with the requests in flight ({@code base × inFlight / capacity}). In each step of a load, as many
 * requests as the control admits (up to what is offered) are in flight, the clock moves by the
 * latency divided by their number, and the oldest ends: in the steady state, each request lives one
 * latency. Every step checks that the limit stays within its bounds.
 */
final class SimulatedApp {
    private final ManualNanoClock clock;
    private final AdmissionControl admission;
    private final int minLimit;
    private final int maxLimit;
    private final Deque<long[]> inFlight = new ArrayDeque<>(); // {permit, start}
    private Duration base;
    private int capacity;
    private long lastLatencyNanos;

    SimulatedApp(ManualNanoClock clock, AdmissionControl.Builder builder, int minLimit, int maxLimit) {
        this.clock = clock;
        this.admission = builder.clock(clock)
                .minLimit(minLimit)
                .maxLimit(maxLimit)
                .calmSampling(1)
                .build();
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.base = Duration.ofMillis(10);
        this.capacity = 30;
    }

    AdmissionControl admission() {
        return admission;
    }

    /** Sets how fast the application is from now on. */
    SimulatedApp behaves(Duration base, int capacity) {
        this.base = base;
        this.capacity = capacity;
        return this;
    }

    /** Calm traffic: {@code requests} one after the other, each at the base latency. */
    void calm(int requests) {
        for (int i = 0; i < requests; i++) {
            long permit = admission.tryAcquire(Traffic.PEER);
            clock.advance(base);
            admission.release(permit, Outcome.SUCCEEDED);
        }
    }

    /** A flood: every request the control admits, for {@code steps} requests ended. */
    void flood(int steps, Outcome outcome) {
        load(steps, Integer.MAX_VALUE, outcome);
    }

    /** A load of {@code offered} requests at once at most, for {@code steps} requests ended. */
    void load(int steps, int offered, Outcome outcome) {
        for (int step = 0; step < steps; step++) {
            while (inFlight.size() < offered) {
                long permit = admission.tryAcquire(Traffic.PEER);
                if (permit == AdmissionControl.REJECTED) {
                    break;
                }
                inFlight.add(new long[] {permit, clock.nanoTime()});
            }
            int n = inFlight.size();
            clock.advance(latency(n).dividedBy(n));
            long[] oldest = inFlight.poll();
            lastLatencyNanos = clock.nanoTime() - oldest[1];
            admission.release(oldest[0], outcome);
            int limit = admission.limit();
            assertTrue(limit >= minLimit && limit <= maxLimit, "limit " + limit + " left its bounds");
        }
    }

    /** Ends every request in flight, teaching the limit nothing. */
    void drain() {
        while (!inFlight.isEmpty()) {
            admission.release(inFlight.poll()[0], Outcome.IGNORED);
        }
    }

    /** The latency of the request that ended last. */
    Duration lastLatency() {
        return Duration.ofNanos(lastLatencyNanos);
    }

    private Duration latency(int n) {
        return n <= capacity ? base : base.multipliedBy(n).dividedBy(capacity);
    }
}
