package org.xenoservice;

import java.util.List;
import java.util.Objects;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.overload.RequestKind;
import org.xenoservice.overload.RequestRecorder;

/**
 * The adapter contract: what every adapter ({@code XenoHandler} for Undertow, {@code XenoFilter}
 * for servlet containers, and any later one) does for each request, so that they all feed the
 * overload detector the same things, decided here once. An adapter translates its server's request
 * into three calls and does nothing else with the recorder:
 *
 * <pre>{@code
 * RequestTracker tracker = xeno.tracker();
 * long ticket = tracker.begin(method, path);    // as the request reaches the adapter
 * try {
 *   tracker.handling(ticket);                    // optional: it waited for a worker until now
 *   handle(request);
 * } catch (Throwable t) {
 *   tracker.endFailed(ticket, bytesSentSoFar);   // the app threw: an error, and rethrow t
 *   throw t;
 * }
 * tracker.end(ticket, status, bytesSent);        // when the response is complete, on any thread
 * }</pre>
 *
 * <p>{@link #begin} returns the request's ticket, and every later call for that request takes it:
 * the ticket carries what {@code begin} decided about the request (when it started, and how it is
 * counted), so that the adapter keeps one {@code long} per request and nothing else. Today
 * {@code begin} lets every request through; a decision it may make about a request later (the
 * origin's admission control is planned) would travel in the ticket too, so that adapters go on
 * beginning and ending requests as they do now. The ticket is a primitive so that the common path
 * allocates nothing: an object per request would be allocated on every request once an adapter
 * hands it to a completion callback, and recycling objects would need thread-locals, which leak in
 * servlet containers.
 *
 * <p>What is recorded, whatever the adapter:
 *
 * <ul>
 *   <li><b>Every request, once</b>, XenoService's own paths under {@value XenoService#XENO_PREFIX}
 *       included: a flood aimed at them (scrapes, bad tokens, bodies posted to the intake) takes the
 *       origin's connections, threads and CPU like any other, so the detector must see it; replicas
 *       answer those paths too (with 404, as paths their bundle does not hold). They count as static,
 *       with no route: the application does not run for them.
 *   <li><b>Kind and route</b> from the path: a path that a configured dynamic route covers (the
 *       longest prefix, as replicas decide) is dynamic, counted under that route's key (its index in
 *       the configuration, for the first {@value RequestRecorder#MAX_ROUTES}); any other is static.
 *   <li><b>Latency</b> from {@code begin} to {@code end}, however many threads the request crossed;
 *       an asynchronous request is in flight until its adapter ends it.
 *   <li><b>Errors</b>: a 5xx status; status {@code 0}, a request that ended before any response was
 *       sent (the client went away); and every request ended with {@link #endFailed}, whatever
 *       status it had set: its application threw, or its server gave up on it (an asynchronous
 *       timeout or error).
 *   <li><b>Bytes</b>: the response body's bytes as the server sent them (after any content coding,
 *       without headers or chunk framing). A response that has no body by the rules of HTTP, to a
 *       {@code HEAD} request or with status 1xx, 204 or 304, counts 0 whatever the adapter passes.
 *       Each adapter documents where its figure comes from; an adapter that cannot know the bytes
 *       sent passes its best estimate, or 0.
 * </ul>
 *
 * <p>Every call is a few atomic adds on the calling thread: no lock, no allocation. Safe for
 * concurrent use; a ticket may be ended on another thread than the one that began it (the server's
 * hand-off of the request orders the calls). End each ticket exactly once, with {@link #end} or
 * {@link #endFailed}; a ticket never ended stays in flight. Get it from {@link XenoService#tracker()}.
 */
public final class RequestTracker {
    /*
     * A ticket is the recorder's start time with its low 8 bits replaced by the request's class
     * (a start up to 255 ns early, far below the latency histogram's first bin of 2 µs):
     * bits 0-5 the count class (STATIC, or a route key + 1, or DYNAMIC_WITHOUT_KEY), bit 6 HEAD.
     * Bit 7 is free.
     */
    private static final long CLASS_BITS = 0xFF;
    private static final int COUNT_CLASS = 0x3F;
    private static final int STATIC = 0;
    private static final int DYNAMIC_WITHOUT_KEY = RequestRecorder.MAX_ROUTES + 1;
    private static final int HEAD = 0x40;
    private static final int STATUS_ERROR = 500;

    private final RequestRecorder recorder;
    private final String[] prefixes;

    private RequestTracker(RequestRecorder recorder, String[] prefixes) {
        this.recorder = recorder;
        this.prefixes = prefixes;
    }

    /**
     * A tracker that counts into {@code recorder}, classifying paths by {@code routes} (their order
     * gives the route keys, as the detector is told with {@code OverloadDetector.Builder.routeNames}).
     */
    static RequestTracker create(RequestRecorder recorder, List<DynamicRoute> routes) {
        Objects.requireNonNull(recorder, "recorder");
        return new RequestTracker(
                recorder, routes.stream().map(DynamicRoute::prefix).toArray(String[]::new));
    }

    /**
     * Begins a request: it counts as arrived and in flight from now.
     *
     * @param method the request method, e.g. {@code GET}
     * @param path the request's path, without the query (relative to the app's context path in a
     *     servlet container), as the adapter routes it
     * @return the request's ticket, for the other calls
     */
    public long begin(String method, String path) {
        int countClass = classify(path) | ("HEAD".equals(method) ? HEAD : 0);
        return (recorder.start() & ~CLASS_BITS) | countClass;
    }

    /**
     * Records that the request waited until now for a worker, e.g. after its adapter dispatched it
     * from an I/O thread; the wait counts as queue delay. Optional, at most once per ticket.
     */
    public void handling(long ticket) {
        recorder.handling(ticket & ~CLASS_BITS);
    }

    /**
     * Ends a request whose response is complete, or that ended before one was sent.
     *
     * @param status the status sent, or {@code 0} if none was sent (counts as an error, as a 5xx does)
     * @param bytesSent the response body's bytes as sent; see the class comment
     */
    public void end(long ticket, int status, long bytesSent) {
        boolean bodyless = (status >= 100 && status < 200) || status == 204 || status == 304;
        record(ticket, status, bodyless ? 0 : bytesSent);
    }

    /**
     * Ends a request that failed: its application threw, or its server gave up on it (an asynchronous
     * request that timed out or hit an error). It counts as an error whatever status was set. The
     * adapter still rethrows the application's exception to its server.
     *
     * @param bytesSent the response body's bytes sent before it failed
     */
    public void endFailed(long ticket, long bytesSent) {
        record(ticket, STATUS_ERROR, bytesSent);
    }

    private void record(long ticket, int status, long bytesSent) {
        int countClass = (int) (ticket & COUNT_CLASS);
        long bytes = (ticket & HEAD) != 0 || bytesSent < 0 ? 0 : bytesSent;
        // route key = class - 1: -1 for static, MAX_ROUTES (no key) for DYNAMIC_WITHOUT_KEY
        RequestKind kind = countClass == STATIC ? RequestKind.STATIC : RequestKind.DYNAMIC;
        recorder.end(ticket & ~CLASS_BITS, status, bytes, kind, countClass - 1);
    }

    /** The count class of a path: static, or dynamic under a route key. Allocation-free. */
    private int classify(String path) {
        if (path.startsWith(XenoService.XENO_PREFIX)) {
            return STATIC;
        }
        int best = -1;
        for (int i = 0; i < prefixes.length; i++) {
            if (DynamicRoute.covers(prefixes[i], path)
                    && (best < 0 || prefixes[i].length() > prefixes[best].length())) {
                best = i;
            }
        }
        if (best < 0) {
            return STATIC;
        }
        return best < RequestRecorder.MAX_ROUTES ? best + 1 : DYNAMIC_WITHOUT_KEY;
    }
}
