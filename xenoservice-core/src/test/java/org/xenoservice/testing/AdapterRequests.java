package org.xenoservice.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.xenoservice.XenoService;
import org.xenoservice.overload.RecentCounts;

/**
 * The same requests for every adapter, and what the adapter contract records for them, so that the
 * adapters' ITs hold each adapter to one record: an IT serves an app that answers the paths below as
 * described, under a service configured with {@link #DYNAMIC_PREFIX}, runs {@link #send} against
 * it, and asserts that the recorder's {@link RecentCounts} (without the queue delay, which depends on
 * the server's threads) equal what {@code send} returns.
 *
 * <p>The requests: {@code GET} and {@code HEAD} of {@link #HELLO}, {@code GET} of {@link #STREAM},
 * {@link #ORDER} and {@link #FAIL}, and {@code GET /_xeno/status} without the admin token (401,
 * answered by the service, not the app).
 */
public final class AdapterRequests {
    /** The dynamic route's prefix: configure the service with {@code dynamicRoute(DYNAMIC_PREFIX, DYNAMIC_POLICY)}. */
    public static final String DYNAMIC_PREFIX = "/order";
    /** The dynamic route's policy. */
    public static final String DYNAMIC_POLICY = "degrade,page=/index.html";
    /** The app answers 200 with {@link #HELLO_BODY} and its {@code Content-Length}. */
    public static final String HELLO = "/hello";
    /** The body of {@link #HELLO}. */
    public static final String HELLO_BODY = "hello\n";
    /** The app answers 200 with {@link #STREAM_BODY}, streamed without a {@code Content-Length}. */
    public static final String STREAM = "/stream";
    /** The body of {@link #STREAM}. */
    public static final String STREAM_BODY = "a streamed body, its length declared nowhere\n";
    /** The app answers 200 with {@link #ORDER_BODY}; a path under the dynamic route. */
    public static final String ORDER = "/order/1";
    /** The body of {@link #ORDER}. */
    public static final String ORDER_BODY = "ordered\n";
    /** The app throws. */
    public static final String FAIL = "/fail";
    /**
     * The body bytes an app that writes {@link #STREAM} in two halves, flushing after the first, and
     * {@link #ORDER} in one write, both without declaring a length, still holds in its server's buffer
     * when its handler returns: the second half of {@link #STREAM_BODY} and all of {@link #ORDER_BODY}.
     */
    public static final int UNDECLARED_BUFFERED_BYTES =
            STREAM_BODY.length() - STREAM_BODY.length() / 2 + ORDER_BODY.length();

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private AdapterRequests() {}

    /**
     * Sends the requests, one after the other, checking each answer, and returns what the recorder
     * must have counted for them: every request (XenoService's path too), the failed one as an error,
     * the one under the dynamic route as dynamic on route key 0, and as bytes the bodies the client
     * received (none for {@code HEAD}, none for the failure, whose error page, if any, the container
     * writes after the app threw).
     *
     * @param appRoot the app's root: the server and its context path, without a trailing slash
     */
    public static RecentCounts send(URI appRoot) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
        long bytes = 0;
        bytes += expect(http, appRoot, "GET", HELLO, 200, HELLO_BODY);
        bytes += expect(http, appRoot, "HEAD", HELLO, 200, "");
        bytes += expect(http, appRoot, "GET", STREAM, 200, STREAM_BODY);
        bytes += expect(http, appRoot, "GET", ORDER, 200, ORDER_BODY);
        HttpResponse<byte[]> xeno = exchange(http, appRoot, "GET", XenoService.STATUS_PATH);
        assertEquals(401, xeno.statusCode(), XenoService.STATUS_PATH + " without the admin token");
        bytes += xeno.body().length;
        HttpResponse<byte[]> failed = exchange(http, appRoot, "GET", FAIL);
        assertEquals(500, failed.statusCode(), FAIL);
        return new RecentCounts(6, 6, 1, 5, 1, bytes, 0, 1);
    }

    private static long expect(HttpClient http, URI appRoot, String method, String path, int status, String body)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response = exchange(http, appRoot, method, path);
        assertEquals(status, response.statusCode(), method + " " + path);
        assertEquals(body, new String(response.body(), StandardCharsets.UTF_8), method + " " + path);
        return response.body().length;
    }

    private static HttpResponse<byte[]> exchange(HttpClient http, URI appRoot, String method, String path)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(appRoot + path))
                .timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
}
