package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;
import org.xenoservice.overload.RecentCounts;
import org.xenoservice.overload.RequestRecorder;

/**
 * The adapter contract on a fake clock: what {@link RequestTracker} records for a request, whatever
 * adapter begins and ends it.
 */
class RequestTrackerTest {
    private static final long MS = 1_000_000;

    private final AtomicLong now = new AtomicLong(7_000 * MS);
    private final RequestRecorder recorder = RequestRecorder.create(now::get, Duration.ofMillis(100), 64);
    private final RequestTracker tracker =
            RequestTracker.create(recorder, List.of(route("/order"), route("/order/gift/"), route("/api/")));

    @Test
    void aRequestIsInFlightFromBeginToEnd() {
        long ticket = tracker.begin("GET", "/index.html");
        assertEquals(1, recorder.inFlight());
        assertEquals(1, recorder.totalStarted());
        assertEquals(new RecentCounts(1, 0, 0, 0, 0, 0, 0, 0), counts());

        tracker.end(ticket, 200, 512);

        assertEquals(0, recorder.inFlight());
        assertEquals(new RecentCounts(1, 1, 0, 1, 0, 512, 0, 0), counts());
    }

    @Test
    void latencyRunsFromBeginToEndAndQueueDelayFromBeginToHandling() {
        long ticket = tracker.begin("GET", "/index.html");
        advance(3 * MS);
        tracker.handling(ticket);
        advance(47 * MS);
        tracker.end(ticket, 200, 0);

        assertEquals(1, RecentCounts.queueDelays(recorder, Duration.ofMillis(3)));
        assertEquals(1, RecentCounts.latencies(recorder, Duration.ofMillis(50)));
        assertEquals(1, counts().queued());
    }

    @Test
    void aRequestEndedOnAnotherThreadIsRecordedOnce() throws Exception {
        long ticket = tracker.begin("GET", "/order/7");
        CompletableFuture.runAsync(() -> tracker.end(ticket, 200, 9)).get();

        assertEquals(0, recorder.inFlight());
        assertEquals(new RecentCounts(1, 1, 0, 0, 1, 9, 0, 1), counts());
    }

    @Test
    void pathsUnderADynamicRouteAreDynamicUnderTheLongestPrefixsKey() {
        for (String path : new String[] {
            "/order", "/order/1", "/order/gift", "/order/gift/1", "/api/books", "/orders", "/index.html", "/api", "/"
        }) {
            tracker.end(tracker.begin("GET", path), 200, 0);
        }

        RecentCounts counts = counts();
        assertEquals(5, counts.dynamicCompletions()); // /order, /order/1, /order/gift, /order/gift/1, /api/books
        assertEquals(4, counts.staticCompletions());
        assertEquals(3, RecentCounts.route(recorder, 0), "/order covers /order, /order/1 and /order/gift");
        assertEquals(1, RecentCounts.route(recorder, 1), "/order/gift/ covers only what is below it");
        assertEquals(1, RecentCounts.route(recorder, 2));
    }

    @Test
    void xenoServicesOwnPathsAreRecordedAsStaticWithoutARoute() {
        RequestTracker xenoUnderARoute = RequestTracker.create(recorder, List.of(route("/_xeno/")));
        xenoUnderARoute.end(xenoUnderARoute.begin("GET", XenoService.STATUS_PATH), 401, 61);
        xenoUnderARoute.end(xenoUnderARoute.begin("POST", XenoService.INTAKE_PATH), 413, 40);

        assertEquals(new RecentCounts(2, 2, 0, 2, 0, 101, 0, 0), counts());
    }

    @Test
    void routesBeyondTheRecordersKeysAreDynamicWithoutAKey() {
        List<DynamicRoute> routes = new ArrayList<>();
        for (int i = 0; i <= RequestRecorder.MAX_ROUTES; i++) {
            routes.add(route("/r" + i));
        }
        RequestTracker many = RequestTracker.create(recorder, routes);
        many.end(many.begin("GET", "/r" + RequestRecorder.MAX_ROUTES + "/x"), 200, 0);
        many.end(many.begin("GET", "/r0"), 200, 0);

        assertEquals(2, counts().dynamicCompletions());
        assertEquals(1, RecentCounts.route(recorder, 0));
        long keyed = 0;
        for (int key = 0; key < RequestRecorder.MAX_ROUTES; key++) {
            keyed += RecentCounts.route(recorder, key);
        }
        assertEquals(1, keyed);
    }

    @Test
    void fiveHundredsAndNoResponseAreErrorsAndOtherStatusesAreNot() {
        for (int status : new int[] {200, 204, 301, 304, 404, 429, 499}) {
            tracker.end(tracker.begin("GET", "/index.html"), status, 0);
        }
        assertEquals(0, counts().errors());

        for (int status : new int[] {500, 503, 599, 0}) {
            tracker.end(tracker.begin("GET", "/index.html"), status, 0);
        }
        assertEquals(4, counts().errors());
    }

    @Test
    void aFailedRequestIsAnErrorWhateverStatusItHadSet() {
        tracker.endFailed(tracker.begin("GET", "/order/1"), 0);
        tracker.endFailed(tracker.begin("GET", "/index.html"), 13);

        assertEquals(new RecentCounts(2, 2, 2, 1, 1, 13, 0, 1), counts());
        assertEquals(0, recorder.inFlight());
    }

    @Test
    void bytesAreTheBodyBytesSent() {
        tracker.end(tracker.begin("GET", "/big.bin"), 200, 3_000_000_000L);
        tracker.end(tracker.begin("GET", "/index.html"), 200, 1_500);
        tracker.end(tracker.begin("GET", "/unknown"), 200, -1); // a server that cannot tell: nothing

        assertEquals(3_000_001_500L, counts().bytes());
    }

    @Test
    void responsesWithoutABodyCountNoBytesWhateverTheAdapterPasses() {
        tracker.end(tracker.begin("HEAD", "/index.html"), 200, 1_500);
        tracker.endFailed(tracker.begin("HEAD", "/index.html"), 1_500);
        tracker.end(tracker.begin("GET", "/index.html"), 304, 1_500);
        tracker.end(tracker.begin("GET", "/index.html"), 204, 10);
        tracker.end(tracker.begin("GET", "/index.html"), 101, 10);

        assertEquals(0, counts().bytes());
        tracker.end(tracker.begin("GET", "/index.html"), 404, 20);
        assertEquals(20, counts().bytes());
    }

    private RecentCounts counts() {
        return RecentCounts.of(recorder);
    }

    private void advance(long nanos) {
        now.addAndGet(nanos);
    }

    private static DynamicRoute route(String prefix) {
        return new DynamicRoute(prefix, Policy.DEGRADE, Map.of("page", "/sorry.html"));
    }
}
