package org.xenoservice.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.admission.AdmissionCounts;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.key.SiteKeys;

/**
 * {@link XenoFilter} with the origin under fire, written once and run in every container
 * ({@link TomcatFilterUnderFireIT}, {@link UndertowFilterUnderFireIT}), as the Undertow adapter's
 * {@code XenoHandlerUnderFireIT}: while OVERLOADED the web app's static files come from memory
 * without the app, direct requests beyond the admission limit get a cheap 503 without the app, and
 * an order the app has no room for is journalled, answered with its page and applied once later.
 * The app lives at {@value #CONTEXT} unless a test says otherwise.
 */
abstract class FilterUnderFireScenarios {
    private static final String SITE = "books.example";
    private static final String CONTEXT = "/shop";
    private static final String PAGE = "<h1>Antiquarian books</h1>";
    private static final String THANKS = "<p>Thank you for your order</p>";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** Requests that reached the app: past the XenoFilter, to a servlet or the container's static files. */
    private final AtomicInteger appCalls = new AtomicInteger();
    /** The idempotency keys the capture handler applied, in order. */
    private final List<String> applied = new CopyOnWriteArrayList<>();
    /** Holds every {@code /search} request in the app until counted down. */
    private final CountDownLatch releaseApp = new CountDownLatch(1);

    private Path docBase;
    private XenoService xeno;
    private ContainerFixture container;
    private URI server;
    private String contextPath = CONTEXT;

    /** A fresh, unstarted container of the kind under test. */
    abstract ContainerFixture container();

    @BeforeEach
    void service() throws IOException {
        docBase = Files.createDirectories(tmp.resolve("webapp"));
        Files.writeString(docBase.resolve("index.html"), PAGE);
        Files.writeString(docBase.resolve("thanks.html"), THANKS);
        xeno = XenoService.start(XenoConfig.builder()
                .site(SITE)
                .siteKey(SiteKeys.generate().getPrivate())
                .staticSource(DirectorySource.of(docBase))
                .httpOnly(true) // its peers serve plain HTTP only
                .stateDirectory(tmp.resolve("state"))
                .dynamicRoute("/search", "proxy,origin=http://127.0.0.1:9")
                .dynamicRoute("/order", "capture,page=/thanks.html,intake=http://127.0.0.1:9/_xeno/intake")
                .captureHandler(request -> applied.add(request.idempotencyKey()))
                .build());
    }

    @AfterEach
    void stop() throws Exception {
        releaseApp.countDown();
        try {
            if (container != null) {
                container.stop();
            }
        } finally {
            if (xeno != null) {
                xeno.close();
            }
        }
    }

    @Test
    void inCalmTimesTheAppAnswersEverything() throws Exception {
        deploy(CONTEXT);

        HttpResponse<String> page = get("/index.html");

        assertEquals(200, page.statusCode());
        assertEquals(PAGE, page.body());
        assertEquals(1, appCalls.get(), "calm: the app serves its own files");
        assertEquals(0, xeno.status().fromMemory().served());
        assertFalse(xeno.status().originDefence().admission().engaged());
    }

    @Test
    void whileOverloadedStaticFilesComeFromMemoryWithoutTheApp() throws Exception {
        deploy(CONTEXT);
        overload();

        HttpResponse<String> page = get("/index.html");
        assertEquals(200, page.statusCode());
        assertEquals(PAGE, page.body());
        String etag = page.headers().firstValue("ETag").orElseThrow(() -> new AssertionError("no ETag"));
        HttpResponse<String> head = http.send(
                request("/index.html")
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals(
                String.valueOf(PAGE.getBytes(StandardCharsets.UTF_8).length),
                head.headers().firstValue("Content-Length").orElse("none"),
                "a HEAD has the GET's length");
        HttpResponse<String> again = http.send(
                request("/index.html").header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode());
        assertEquals(0, appCalls.get(), "the app ran for none of them");
        assertEquals(3, xeno.status().fromMemory().served());

        HttpResponse<String> other = get("/hello");
        assertEquals(200, other.statusCode(), "a path the bundle does not hold: the app answers");
        assertEquals("app", other.body());
        assertEquals(1, appCalls.get());
    }

    @Test
    void beyondTheLimitADirectRequestGetsA503WithoutTheApp() throws Exception {
        deploy(CONTEXT);
        overload();
        List<CompletableFuture<HttpResponse<String>>> held = holdEveryDirectSlot();
        int directSlots = held.size();

        HttpResponse<String> refused = get("/search?q=one-more");

        assertEquals(503, refused.statusCode());
        assertTrue(
                refused.headers().firstValue("Retry-After").isPresent(),
                refused.headers().map().toString());
        assertEquals(directSlots, appCalls.get(), "the refused request never reached the app");
        AdmissionCounts during = xeno.status().originDefence().admission();
        assertEquals(directSlots, during.direct().inFlight());
        assertEquals(1, during.direct().shed());

        releaseApp.countDown();
        for (CompletableFuture<HttpResponse<String>> answer : held) {
            assertEquals(200, answer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).statusCode());
        }
        await(
                "every permit is released",
                () -> xeno.status().originDefence().admission().inFlight() == 0);
    }

    @Test
    void anOrderTheAppHasNoRoomForIsJournalledAnsweredWithItsPageAndAppliedOnceLater() throws Exception {
        orderIsJournalledAndAppliedOnceLater("");
    }

    @Test
    void anOrderTheAppHasNoRoomForIsJournalledUnderAContextPathToo() throws Exception {
        orderIsJournalledAndAppliedOnceLater(CONTEXT);
    }

    // ---- helpers ----

    /** The order scenario, with the app at {@code context} ({@code ""} for the root). */
    private void orderIsJournalledAndAppliedOnceLater(String context) throws Exception {
        deploy(context);
        overload();
        List<CompletableFuture<HttpResponse<String>>> held = holdEveryDirectSlot();
        HttpRequest order = request("/order")
                .header("Idempotency-Key", "order-42")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("book=42"))
                .build();

        HttpResponse<String> thanks = http.send(order, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, thanks.statusCode(), thanks.body());
        assertEquals(THANKS, thanks.body());
        HttpResponse<String> retry = http.send(order, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, retry.statusCode(), "a retry: " + retry.body());
        assertEquals(1, xeno.status().originDefence().journaled(), "journalled once, the retry recognised");
        assertEquals(held.size(), appCalls.get(), "the order never reached the app");
        assertTrue(applied.isEmpty(), "not applied while the origin is overloaded");

        releaseApp.countDown();
        xeno.detector().release();
        await("the order is applied once the origin has room", () -> applied.size() == 1);
        for (CompletableFuture<HttpResponse<String>> answer : held) {
            assertEquals(200, answer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).statusCode());
        }
        await("the journal is drained", () -> xeno.status().originDefence().journalPending() == 0);
        assertEquals(List.of("order-42"), applied, "applied once");
    }

    /** Starts the app at {@code context} and waits until the bundle's files are in memory. */
    private void deploy(String context) throws Exception {
        contextPath = context;
        container = container();
        server = container.start(context, docBase, new App());
        await(
                "the bundle's files are in memory",
                () -> xeno.status().fromMemory().filesHeld() > 0);
    }

    /** Sends as many direct requests as the limit lets in, which the app holds until released. */
    private List<CompletableFuture<HttpResponse<String>>> holdEveryDirectSlot() {
        AdmissionCounts engaged = xeno.status().originDefence().admission();
        int directSlots = engaged.limit() - engaged.peerReserve();
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < directSlots; i++) {
            held.add(http.sendAsync(request("/search?q=" + i).build(), HttpResponse.BodyHandlers.ofString()));
        }
        await(directSlots + " direct requests are in the app", () -> appCalls.get() == directSlots);
        return held;
    }

    private void overload() {
        xeno.detector().forceOverloaded();
        await("the detector says OVERLOADED", xeno::overloaded);
        assertTrue(xeno.status().originDefence().admission().engaged(), "the admission limit applies");
    }

    /** A request for {@code path} in the app's context. */
    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(server.resolve(contextPath + path)).timeout(DEADLINE);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + DEADLINE + " waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    /**
     * The web app: the XenoFilter under test, behind it a filter that counts the requests that reach
     * the app, and a servlet that answers {@code /hello} and holds {@code /search} until released;
     * the container's default servlet serves the static files.
     */
    private final class App implements ServletContainerInitializer {
        @Override
        public void onStartup(Set<Class<?>> classes, ServletContext context) {
            FilterRegistration.Dynamic filter = context.addFilter("xeno", new XenoFilter(xeno));
            filter.setAsyncSupported(true);
            filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
            Filter counter = (request, response, chain) -> {
                appCalls.incrementAndGet();
                chain.doFilter(request, response);
            };
            FilterRegistration.Dynamic counting = context.addFilter("app-calls", counter);
            counting.setAsyncSupported(true);
            counting.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
            context.addServlet("app", new HttpServlet() {
                        private static final long serialVersionUID = 1L;

                        @Override
                        protected void doGet(HttpServletRequest request, HttpServletResponse response)
                                throws IOException, ServletException {
                            if (request.getServletPath().equals("/search") && !awaitRelease()) {
                                response.sendError(HttpServletResponse.SC_GATEWAY_TIMEOUT, "never released");
                                return;
                            }
                            response.setContentType("text/plain");
                            response.getWriter().write("app");
                        }
                    })
                    .addMapping("/hello", "/search");
        }

        private boolean awaitRelease() throws ServletException {
            try {
                return releaseApp.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServletException(e);
            }
        }
    }
}
