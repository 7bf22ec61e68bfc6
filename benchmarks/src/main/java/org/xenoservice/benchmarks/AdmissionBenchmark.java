package org.xenoservice.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.xenoservice.RequestTracker;
import org.xenoservice.admission.AdmissionControl;
import org.xenoservice.admission.Outcome;
import org.xenoservice.admission.Traffic;

/**
 * The cost of the origin's admission check on the request thread: one {@link
 * AdmissionControl#tryAcquire} and one {@link AdmissionControl#release}, as an adapter calls them
 * around the application, on one control shared by all the benchmark's threads (as one server
 * shares it), against the adapter contract's own pair in the same run.
 *
 * <ul>
 *   <li>{@code notEngaged*}: the calm case, every request admitted; the limit still learns (each
 *       release moves the baseline latency, a compare-and-set).
 *   <li>{@code engaged*}: the limit applies; a request or two in flight, far under it, so each
 *       release teaches the baseline as above.
 *   <li>{@code engagedAtLimit}: the limit applies and is half used ({@value #HELD} peers' requests
 *       held in flight under a fixed limit of {@value #FIXED_LIMIT}), so each release computes the
 *       gradient and the limit's new value (which the fixed bounds leave where it is, so no
 *       compare-and-set).
 *   <li>{@code shed}: a direct request refused, the direct slots all held: what a flood costs per
 *       request beyond the limit (no clock read).
 *   <li>{@code trackerBaseline*}: the baseline, {@link RequestTracker#begin} and {@link
 *       RequestTracker#end} on a started service, what every adapter already does per request
 *       ({@link RequestRecorderBenchmark.Service}).
 *   <li>{@code nanoTimeTwice}: two {@code System.nanoTime()} calls, the floor under any pair that
 *       times a request.
 * </ul>
 *
 * <p>One in four requests is a peer's. The goal from issue 16: no allocation ({@code -prof gc}:
 * {@code gc.alloc.rate.norm} 0 B/op).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AdmissionBenchmark -f 1 -wi 2 -i 3 -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class AdmissionBenchmark {
    static final int FIXED_LIMIT = 64;
    static final int HELD = 40;

    private final AdmissionControl calm = AdmissionControl.builder().build();
    private final AdmissionControl engaged = AdmissionControl.builder().build();
    private final AdmissionControl atLimit = AdmissionControl.builder()
            .minLimit(FIXED_LIMIT)
            .initialLimit(FIXED_LIMIT)
            .maxLimit(FIXED_LIMIT)
            .build();
    private final AdmissionControl full = AdmissionControl.builder().build();
    private final List<Long> held = new ArrayList<>();

    /** Per-thread inputs: a counter that picks the traffic class, so that no call is constant. */
    @State(Scope.Thread)
    public static class Inputs {
        private int calls;

        Traffic next() {
            return (calls++ & 3) == 0 ? Traffic.PEER : Traffic.DIRECT;
        }
    }

    /** Engages the controls and holds the requests in flight that {@code engagedAtLimit} and {@code shed} need. */
    @Setup
    public void engage() {
        engaged.engage(true);
        atLimit.engage(true);
        full.engage(true);
        for (int i = 0; i < HELD; i++) {
            held.add(atLimit.tryAcquire(Traffic.PEER));
        }
        long permit;
        while ((permit = full.tryAcquire(Traffic.DIRECT)) != AdmissionControl.REJECTED) {
            held.add(permit);
        }
    }

    /** Releases the held requests. */
    @TearDown
    public void release() {
        for (int i = 0; i < held.size(); i++) {
            (i < HELD ? atLimit : full).release(held.get(i), Outcome.IGNORED);
        }
        held.clear();
    }

    /** Not engaged, 1 thread. */
    @Benchmark
    public long notEngaged(Inputs inputs) {
        return pair(calm, inputs.next());
    }

    /** Not engaged, 2 threads. */
    @Benchmark
    @Threads(2)
    public long notEngaged2Threads(Inputs inputs) {
        return pair(calm, inputs.next());
    }

    /** Engaged, far under the limit, 1 thread. */
    @Benchmark
    public long engaged(Inputs inputs) {
        return pair(engaged, inputs.next());
    }

    /** Engaged, far under the limit, 2 threads. */
    @Benchmark
    @Threads(2)
    public long engaged2Threads(Inputs inputs) {
        return pair(engaged, inputs.next());
    }

    /** Engaged and half used: each release moves the limit, 1 thread (peers' requests, which fit). */
    @Benchmark
    public long engagedAtLimit() {
        return pair(atLimit, Traffic.PEER);
    }

    /** A direct request refused, 1 thread. */
    @Benchmark
    public long shed() {
        return full.tryAcquire(Traffic.DIRECT);
    }

    /** The baseline: the adapter contract's begin/end on a started service, 1 thread. */
    @Benchmark
    public long trackerBaseline(RequestRecorderBenchmark.Service service) {
        return trackerPair(service.tracker);
    }

    /** The same at 2 threads. */
    @Benchmark
    @Threads(2)
    public long trackerBaseline2Threads(RequestRecorderBenchmark.Service service) {
        return trackerPair(service.tracker);
    }

    /** Two {@code System.nanoTime()} calls: what any timed pair pays for the clock. */
    @Benchmark
    public long nanoTimeTwice() {
        long start = System.nanoTime();
        return System.nanoTime() - start;
    }

    private static long pair(AdmissionControl admission, Traffic traffic) {
        long permit = admission.tryAcquire(traffic);
        if (permit != AdmissionControl.REJECTED) {
            admission.release(permit, Outcome.SUCCEEDED);
        }
        return permit;
    }

    private static long trackerPair(RequestTracker tracker) {
        long ticket = tracker.begin("GET", "/order/42");
        tracker.end(ticket, 200, 1_024);
        return ticket;
    }
}
