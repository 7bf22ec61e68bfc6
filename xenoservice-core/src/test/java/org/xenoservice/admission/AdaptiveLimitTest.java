package org.xenoservice.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * How the limit adapts, against a {@link SimulatedApp} that runs 30 requests in parallel at 10 ms
 * and queues the rest, on a clock the test moves. Each test starts with calm traffic, from which the
 * limit learns the application's latency without a queue, as it would before a flood.
 */
class AdaptiveLimitTest {
    private static final Duration BASE = Duration.ofMillis(10);

    private final ManualNanoClock clock = new ManualNanoClock();

    @Test
    void limitGrowsWhileLatencyHolds() {
        SimulatedApp app = engaged(AdmissionControl.builder(), 4, 200).behaves(BASE, 1_000);

        app.flood(500, Outcome.SUCCEEDED);

        int limit = app.admission().limit();
        assertTrue(limit > AdmissionControl.DEFAULT_INITIAL_LIMIT, "limit " + limit);
    }

    @Test
    void limitStopsAtItsMaximum() {
        SimulatedApp app = engaged(AdmissionControl.builder(), 4, 60).behaves(BASE, 1_000);

        app.flood(20_000, Outcome.SUCCEEDED);

        assertEquals(60, app.admission().limit());
    }

    @Test
    void limitSettlesWhereRequestsStartToQueueAndStaysThereUnderALastingFlood() {
        SimulatedApp app = engaged(AdmissionControl.builder(), 4, 200);

        app.flood(20_000, Outcome.SUCCEEDED);
        int settled = app.admission().limit();
        app.flood(200_000, Outcome.SUCCEEDED); // ~30 minutes of flood at the settled rate

        int later = app.admission().limit();
        assertTrue(settled >= 30 && settled <= 90, "settled at " + settled + " for a capacity of 30");
        assertTrue(Math.abs(later - settled) <= 5, "moved from " + settled + " to " + later);
        assertTrue(app.lastLatency().compareTo(BASE.multipliedBy(2)) < 0, "latency " + app.lastLatency());
    }

    @Test
    void limitShrinksWhenLatencyRises() {
        SimulatedApp app = engaged(AdmissionControl.builder(), 4, 200).behaves(BASE, 1_000);
        app.flood(20_000, Outcome.SUCCEEDED);
        assertEquals(200, app.admission().limit());

        app.behaves(BASE, 20).flood(2_000, Outcome.SUCCEEDED); // now 200 in flight take 10 times as long

        int limit = app.admission().limit();
        assertTrue(limit < 100, "limit " + limit + " after latency rose tenfold");
    }

    @Test
    void limitStaysAtItsMinimumWhileTheApplicationIsSlowAtAnyLoad() {
        SimulatedApp app = engaged(AdmissionControl.builder(), 6, 200);

        app.behaves(BASE.multipliedBy(5), 30).flood(20_000, Outcome.SUCCEEDED);

        assertEquals(6, app.admission().limit());
    }

    @Test
    void limitShrinksOnFailuresDownToItsMinimum() {
        SimulatedApp app = engaged(AdmissionControl.builder().initialLimit(100), 4, 200);

        app.flood(10, Outcome.FAILED);
        int afterTen = app.admission().limit();
        app.flood(1_000, Outcome.FAILED);

        assertTrue(afterTen < 50, "limit " + afterTen + " after ten failures from 100");
        assertEquals(4, app.admission().limit());
    }

    @Test
    void limitRecoversWhenTheApplicationSucceedsAgain() {
        SimulatedApp app = engaged(AdmissionControl.builder(), 4, 200);
        app.flood(1_000, Outcome.FAILED);

        app.flood(20_000, Outcome.SUCCEEDED);

        assertTrue(app.admission().limit() >= 30, "limit " + app.admission().limit());
    }

    @Test
    void ignoredOutcomesDoNotMoveTheLimit() {
        SimulatedApp app = engaged(AdmissionControl.builder(), 4, 200).behaves(BASE.multipliedBy(10), 1);

        app.flood(5_000, Outcome.IGNORED);

        assertEquals(AdmissionControl.DEFAULT_INITIAL_LIMIT, app.admission().limit());
    }

    @Test
    void limitDoesNotMoveWhileLessThanHalfOfItIsInUse() {
        SimulatedApp app = engaged(AdmissionControl.builder(), 4, 200).behaves(BASE.multipliedBy(10), 1);

        app.load(5_000, 9, Outcome.SUCCEEDED); // 9 at once, each ten times slower than in the calm
        app.load(5_000, 9, Outcome.FAILED);

        assertEquals(AdmissionControl.DEFAULT_INITIAL_LIMIT, app.admission().limit());
    }

    @Test
    void limitLearnsWhileNotEngaged() {
        SimulatedApp app = new SimulatedApp(clock, AdmissionControl.builder(), 4, 200);
        app.calm(100);
        app.load(2_000, 25, Outcome.SUCCEEDED); // busy but fast: 25 at once, within the capacity of 30
        int busy = app.admission().limit();
        assertTrue(busy > AdmissionControl.DEFAULT_INITIAL_LIMIT, "limit " + busy + " after busy, fast traffic");

        app.load(2_000, 500, Outcome.SUCCEEDED); // a flood, all admitted, before the detector calls it

        assertTrue(app.admission().limit() < busy, "limit " + app.admission().limit() + ", was " + busy);
        app.drain();
        assertEquals(0, app.admission().counts().inFlight());
    }

    private SimulatedApp engaged(AdmissionControl.Builder builder, int minLimit, int maxLimit) {
        SimulatedApp app = new SimulatedApp(clock, builder, minLimit, maxLimit);
        app.calm(100);
        app.admission().engage(true);
        return app;
    }
}
