package org.xenoservice.samples.bookstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.replicate.PeerSpec;

/**
 * The shop's behaviour over real HTTP on loopback, the same for each way of running it: pages,
 * search, orders once per id, bad forms, overload, and orders a replica captured.
 */
abstract class ShopScenarios {
    private static final String SITE = "books.example";
    private static final String FORM = "application/x-www-form-urlencoded";
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** The shop's peer, whose pinned identity signs the captured orders {@link #intake} delivers. */
    private static final KeyPair PEER = SiteKeys.generate();

    @TempDir
    static Path shared;

    private static Catalogue catalogue;
    private static Path site;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private XenoService xeno;
    private OrderBook orders;
    private Running shop;
    private URI base;
    private Book book;

    /** A started shop, as each way of running it exposes it. */
    record Running(IntSupplier port, IntSupplier queued, Runnable close) {}

    /** Starts the shop under test. */
    abstract Running start(BookstoreApp.Options options) throws IOException;

    @BeforeAll
    static void generateSite() throws IOException {
        catalogue = Catalogue.load();
        site = shared.resolve("site");
        SiteGenerator.write(catalogue, site);
    }

    @BeforeEach
    void startServices() throws IOException {
        orders = OrderBook.open(dir.resolve("orders"));
        xeno = XenoService.start(BookstoreApp.configure(
                        XenoConfig.builder()
                                .site(SITE)
                                .siteKey(SiteKeys.generate().getPrivate())
                                .staticDirectory(site)
                                .httpOnly(true) // its peers serve plain HTTP only
                                .stateDirectory(dir.resolve("xeno"))
                                .backChannel(URI.create("http://127.0.0.1:9"))
                                .peer(PeerSpec.of(
                                        "p1",
                                        URI.create("http://127.0.0.1:9"),
                                        List.of(InetAddress.getByAddress(new byte[] {127, 0, 0, 1})),
                                        PEER.getPublic())),
                        orders,
                        catalogue)
                .build());
        book = catalogue.books().get(7);
    }

    @AfterEach
    void stopAll() throws IOException {
        if (shop != null) {
            shop.close().run();
        }
        xeno.close();
        orders.close();
    }

    private void serve(UnaryOperator<BookstoreApp.Options.Builder> more) throws IOException {
        shop = start(more.apply(BookstoreApp.Options.builder()
                        .xeno(xeno)
                        .siteDirectory(site)
                        .orders(orders)
                        .catalogue(catalogue)
                        .bindAddress("127.0.0.1")
                        .port(0)
                        .workerThreads(2))
                .build());
        base = URI.create("http://127.0.0.1:" + shop.port().getAsInt());
    }

    @Test
    void servesTheGeneratedPages() throws Exception {
        serve(options -> options);
        HttpResponse<String> index = get("/index.html");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("action=\"/search\""));
        assertEquals(200, get("/").statusCode(), "the front page is the welcome file");
        HttpResponse<String> page = get("/books/" + book.id() + ".html");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains(Html.escape(book.title())));
        assertTrue(get("/css/shop.css")
                .headers()
                .firstValue("Content-Type")
                .orElse("")
                .startsWith("text/css"));
        HttpResponse<byte[]> cover =
                http.send(request("/covers/" + book.id() + ".png").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, cover.statusCode());
        assertEquals("image/png", cover.headers().firstValue("Content-Type").orElse(""));
        assertEquals(404, get("/books/no-such-book.html").statusCode());
    }

    @Test
    void searchAnswersTheMatchingBooks() throws Exception {
        serve(options -> options);
        HttpResponse<String> found = get("/search?q=" + URLEncoder.encode("melville WHALE", StandardCharsets.UTF_8));
        assertEquals(200, found.statusCode());
        assertTrue(found.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(found.body().contains("Herman Melville"), found.body());
        assertTrue(found.body().contains("/books/"), found.body());
        assertTrue(get("/search?q=zebra+quagga").body().contains("No books match"));
        assertEquals(200, get("/search").statusCode());
    }

    @Test
    void searchEscapesTheQueryAndRefusesHostileOnes() throws Exception {
        serve(options -> options);
        String hostile = "<script>alert(1)</script>\"";
        HttpResponse<String> answer = get("/search?q=" + URLEncoder.encode(hostile, StandardCharsets.UTF_8));
        assertEquals(200, answer.statusCode());
        assertFalse(answer.body().contains("<script>alert"), answer.body());
        assertTrue(answer.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;"));
        assertEquals(
                400, get("/search?q=" + "a".repeat(Shop.MAX_QUERY_CHARS + 1)).statusCode());
        HttpResponse<String> post = http.send(
                request("/search")
                        .POST(HttpRequest.BodyPublishers.ofString("q=x"))
                        .header("Content-Type", FORM)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void anOrderIsPlacedOnceAndRedirectedToTheThankYouPage() throws Exception {
        serve(options -> options);
        HttpResponse<String> answer = order(form(book.id(), "reader@example.com", "2", "order-1"), null);
        assertEquals(303, answer.statusCode(), answer.body());
        assertEquals(
                "/order-received.html", answer.headers().firstValue("Location").orElse(""));
        assertEquals(1, orders.count());
        Order placed = orders.all().get(0);
        assertEquals("order-1", placed.id());
        assertEquals(book.id(), placed.bookId());
        assertEquals("reader@example.com", placed.customerEmail());
        assertEquals(2, placed.quantity());
        assertEquals(200, get("/order-received.html").statusCode());
    }

    @Test
    void theSameOrderIdTwiceIsPlacedOnce() throws Exception {
        serve(options -> options);
        String form = form(book.id(), "reader@example.com", "1", null);
        assertEquals(303, order(form, "key-1").statusCode());
        assertEquals(303, order(form, "key-1").statusCode(), "a retry is answered as a success");
        String withId = form(book.id(), "reader@example.com", "1", "form-id");
        assertEquals(303, order(withId, null).statusCode());
        assertEquals(303, order(withId, "another-key").statusCode(), "the form's order id decides");
        assertEquals(2, orders.count());
        assertEquals(2, orders.duplicatesRefused());
        assertEquals(303, order(form, null).statusCode(), "without any id, the shop makes one");
        assertEquals(3, orders.count());
    }

    @Test
    void aBadOrderFormIsAnsweredWith400AndAPageThatSaysWhy() throws Exception {
        serve(options -> options);
        assertBad(form("no-such-book", "reader@example.com", "1", null), "no such book");
        assertBad(form(book.id(), "not-an-email", "1", null), "e-mail address");
        assertBad(form(book.id(), "reader@example.com", "0", null), "between 1 and");
        assertBad(form(book.id(), "reader@example.com", "many", null), "between 1 and");
        assertBad(form(book.id(), "reader@example.com", "1", "has space"), "order id");
        assertBad("book=" + book.id() + "&book=" + book.id() + "&email=reader%40example.com", "twice");
        assertBad("book=%ZZ&email=reader%40example.com", "%-escape");
        assertBad("email=reader%40example.com", "choose a book");
        assertBad("book=café&email=reader%40example.com", "must be URL-encoded");
        assertBad("book=<script>&email=reader%40example.com", "no such book");
        assertBad("x=" + "a".repeat(OrderForm.MAX_BODY_BYTES), "larger than");
        HttpResponse<String> json = http.send(
                request("/order")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, json.statusCode());
        HttpResponse<String> badKey = http.send(
                request("/order")
                        .header("Content-Type", FORM)
                        .header("Idempotency-Key", "x".repeat(Order.MAX_ID_CHARS + 1))
                        .POST(HttpRequest.BodyPublishers.ofString(form(book.id(), "reader@example.com", "1", null)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, badKey.statusCode());
        assertEquals(405, get("/order").statusCode());
        assertEquals(0, orders.count(), "nothing bad was placed");
    }

    @Test
    void answers503WhenTheWorkerQueueIsFull() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Semaphore entered = new Semaphore(0);
        serve(options -> options.workerThreads(1).queueCapacity(1).beforeWork(() -> {
            entered.release();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        CompletableFuture<HttpResponse<String>> working =
                http.sendAsync(request("/index.html").build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(entered.tryAcquire(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the first request holds the worker");
        CompletableFuture<HttpResponse<String>> waiting =
                http.sendAsync(request("/search?q=swift").build(), HttpResponse.BodyHandlers.ofString());
        awaitTrue(() -> shop.queued().getAsInt() == 1, "the second request waits in the queue");
        HttpResponse<String> refused = get("/prices.html");
        assertEquals(503, refused.statusCode());
        assertEquals("5", refused.headers().firstValue("Retry-After").orElse(""));
        assertTrue(refused.body().contains("very busy"), refused.body());
        gate.countDown();
        assertEquals(200, working.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).statusCode());
        assertEquals(200, waiting.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).statusCode());
        assertEquals(200, get("/prices.html").statusCode(), "room again");
    }

    @Test
    void theCaptureHandlerPlacesACapturedOrderOnce() throws Exception {
        serve(options -> options);
        String body = form(book.id(), "reader@example.com", "3", null);
        HttpResponse<String> first = intake("captured-1", body);
        assertEquals(200, first.statusCode(), first.body());
        assertTrue(first.body().contains("applied"), first.body());
        HttpResponse<String> again = intake("captured-1", body);
        assertEquals(200, again.statusCode());
        assertTrue(again.body().contains("duplicate"), again.body());
        assertEquals(1, orders.count());
        Order placed = orders.all().get(0);
        assertEquals("captured-1", placed.id());
        assertEquals(Instant.parse("2030-01-02T03:04:05Z"), placed.placedAt(), "placed when the replica took it");
        assertEquals(3, placed.quantity());
        String withId = form(book.id(), "reader@example.com", "1", "form-order-1");
        assertEquals(200, intake("captured-2", withId).statusCode());
        assertEquals(200, intake("captured-3", withId).statusCode(), "another key, the same form: placed once");
        assertEquals(2, orders.count());
    }

    @Test
    void aMalformedCapturedOrderIsAcknowledgedAndDroppedNotRetriedForEver() throws Exception {
        serve(options -> options);
        HttpResponse<String> answer = intake("captured-bad", "book=no-such-book&email=nobody");
        assertEquals(200, answer.statusCode(), "acknowledged, so the peer moves on: " + answer.body());
        assertEquals(0, orders.count());
    }

    private void assertBad(String form, String why) throws Exception {
        HttpResponse<String> answer = order(form, null);
        assertEquals(400, answer.statusCode(), form);
        assertTrue(answer.body().contains(why), form + " -> " + answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    }

    /** Delivers a captured order to the intake as the shop's peer would: signed with its pinned identity. */
    private HttpResponse<String> intake(String key, String body) throws Exception {
        List<Map.Entry<String, String>> headers = List.of(
                Map.entry("Idempotency-Key", key),
                Map.entry("X-Forwarded-Host", SITE),
                Map.entry("X-Xeno-Path", "/order"),
                Map.entry("X-Xeno-Method", "POST"),
                Map.entry("X-Xeno-Captured-At", "2030-01-02T03:04:05Z"),
                Map.entry("Content-Type", FORM));
        HttpRequest.Builder post = request("/_xeno/intake").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(header -> post.header(header.getKey(), header.getValue()));
        PeerIdentity.of(PEER)
                .sign(
                        "POST",
                        XenoService.INTAKE_PATH,
                        headers,
                        ControlSignature.sha256(body.getBytes(StandardCharsets.UTF_8)))
                .forEach(post::header);
        return http.send(post.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> order(String form, String key) throws Exception {
        HttpRequest.Builder request =
                request("/order").header("Content-Type", FORM).POST(HttpRequest.BodyPublishers.ofString(form));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(String book, String email, String quantity, String orderId) {
        return "book=" + enc(book) + "&email=" + enc(email) + "&quantity=" + enc(quantity)
                + (orderId == null ? "" : "&order-id=" + enc(orderId));
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(DEADLINE);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
