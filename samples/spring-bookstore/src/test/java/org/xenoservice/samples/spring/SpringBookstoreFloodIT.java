package org.xenoservice.samples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.xenoservice.XenoService;
import org.xenoservice.acme.PebbleServerExtension;
import org.xenoservice.e2e.DefendedSite;
import org.xenoservice.e2e.FloodScenario;
import org.xenoservice.intake.CaptureHandler;
import org.xenoservice.samples.bookstore.OrderBook;
import org.xenoservice.samples.bookstore.Shop;
import org.xenoservice.spring.XenoConfigCustomizer;

/**
 * The flood of the other adapters' end-to-end tests ({@link FloodScenario}) on the Spring Boot
 * bookstore: {@link SpringBookstore} itself on embedded Tomcat at the origin's address, protected by
 * the starter from its {@code application.properties} and the fixture's {@code xenoservice.*}
 * properties (BIND, pebble, the three real peers), with real BIND, pebble and peers. Actuator's
 * health, asked over HTTP, shows the peers taking the flood and, after it, leaving DNS; the orders
 * the peers captured are in the app's own order book, once each.
 */
class SpringBookstoreFloodIT {
    @RegisterExtension
    static final PebbleServerExtension SERVERS = new PebbleServerExtension();

    private static final String BOOK = "1516-utopia";
    private static final Pattern PEERS_IN_DNS = Pattern.compile("\"peersInDns\":\\[([^\\]]*)\\]");
    private static final Pattern DETECTOR = Pattern.compile("\"detector\":\"(\\w+)\"");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private DefendedSite site;
    private ConfigurableApplicationContext app;
    private String base;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
        if (site != null) {
            site.close();
        }
    }

    @Test
    void floodOnTheSpringBootBookstoreIsAbsorbedByPeersAndActuatorHealthShowsIt() throws Exception {
        site = new DefendedSite(dir, SERVERS);
        site.resetDns();
        site.startPeers();
        app = start(site);
        base = "http://" + DefendedSite.ORIGIN_ADDRESS + ":" + site.port;
        XenoService xeno = app.getBean(XenoService.class);
        OrderBook orders = app.getBean(OrderBook.class);

        String calm = get("/actuator/health").body();
        assertEquals(List.of(), peersInDns(calm), calm);
        assertTrue(calm.contains("\"phase\":\"CALM\""), calm);
        shopAnswersAtTheOrigin(orders);

        Set<String> detectorStates = ConcurrentHashMap.newKeySet();
        Map<String, String> sheltered = new LinkedHashMap<>();
        new FloodScenario(site, xeno)
                .orderForm(i -> "book=" + BOOK + "&email=reader" + i + "%40example.com&quantity=1")
                .whileSheltered(() -> {
                    String health = awaitHealth(
                            body -> peersInDns(body).size() == 3
                                    && !detector(body).equals("NORMAL"),
                            detectorStates);
                    sheltered.put("health", health);
                })
                .run();
        String health = sheltered.get("health");
        assertTrue(xenoservice(health).contains("\"status\":\"UP\""), "peers in DNS absorb the flood: " + health);
        assertEquals(Set.of("127.0.0.11", "127.0.0.12", "127.0.0.13"), Set.copyOf(peersInDns(health)), health);
        assertTrue(health.contains("\"originSheltered\":true"), health);
        assertTrue(
                detectorStates.contains("SURGING") || detectorStates.contains("OVERLOADED"),
                "the detector fired: " + detectorStates);

        String after = awaitHealth(body -> peersInDns(body).isEmpty(), detectorStates);
        assertTrue(after.contains("\"detector\":\"NORMAL\""), after);
        assertTrue(after.contains("\"originSheltered\":false"), after);
        assertTrue(xenoservice(after).contains("\"status\":\"UP\""), after);
        for (String peer : List.of("127.0.0.11", "127.0.0.12", "127.0.0.13")) {
            for (int i = 0; i < 5; i++) {
                assertTrue(orders.contains("order-" + peer + "-" + i), "captured and placed: " + orders);
            }
        }
        assertEquals(16, orders.count(), "15 captured orders and the one placed at the origin: " + orders.all());
    }

    /** The app's own routes, before the flood: a search, and an order placed once though sent twice. */
    private void shopAnswersAtTheOrigin(OrderBook orders) throws Exception {
        HttpResponse<String> search = get("/search?q=utopia");
        assertEquals(200, search.statusCode(), search.body());
        assertTrue(search.body().contains("Utopia"), search.body());
        for (int attempt = 0; attempt < 2; attempt++) {
            HttpResponse<String> order = HTTP.send(
                    HttpRequest.newBuilder(URI.create(base + "/order"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "book=" + BOOK + "&email=reader%40example.com&quantity=2&order-id=at-the-origin"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(303, order.statusCode(), order.body());
            assertEquals(
                    "/order-received.html",
                    order.headers().firstValue("Location").orElse(""));
        }
        assertTrue(orders.contains("at-the-origin"), orders::toString);
        assertEquals(1, orders.count(), "placed once: " + orders.all());
        HttpResponse<String> received = get("/order-received.html");
        assertEquals(200, received.statusCode());
        assertTrue(received.body().contains("your order is received"), received.body());
    }

    /**
     * The bookstore with the fixture's properties, and the scenario's short detector timings (no
     * properties for those). The fixture's pages (which the scenario compares byte for byte) come
     * first in the static locations, the shop's generated {@code classpath:/static} after them.
     */
    private ConfigurableApplicationContext start(DefendedSite site) throws Exception {
        Map<String, Object> properties = new LinkedHashMap<>();
        site.properties(true).forEach((key, value) -> properties.put("xenoservice." + key, value));
        properties.put("server.address", DefendedSite.ORIGIN_ADDRESS);
        properties.put("server.port", site.port);
        properties.put("spring.web.resources.static-locations", "file:" + site.siteFiles + "/,classpath:/static/");
        properties.put("bookstore.orders-directory", site.dir.resolve("orders").toString());
        return new SpringApplicationBuilder(SpringBookstore.class)
                .initializers(context -> {
                    // before application.properties, as an operator's environment variables would be
                    context.getEnvironment()
                            .getPropertySources()
                            .addFirst(new MapPropertySource("flood-scenario", properties));
                    context.getBeanFactory().registerSingleton("floodScenario", (XenoConfigCustomizer) config -> {
                        // after the app's own customizer: the shop still applies every captured
                        // order; the scenario also counts them, as it does for every adapter
                        CaptureHandler shop = context.getBean(Shop.class).captureHandler();
                        config.overload(DefendedSite.overloadConfig()).captureHandler(request -> {
                            shop.apply(request);
                            site.orders.apply(request.idempotencyKey());
                        });
                    });
                })
                .run();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code /actuator/health} once {@code condition} holds, noting every detector state it showed. */
    private String awaitHealth(Predicate<String> condition, Set<String> detectorStates) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            String body = get("/actuator/health").body();
            detectorStates.add(detector(body));
            if (condition.test(body)) {
                return body;
            }
            assertTrue(Instant.now().isBefore(deadline), "timed out; /actuator/health says " + body);
            Thread.sleep(50);
        }
    }

    private static List<String> peersInDns(String health) {
        Matcher matcher = PEERS_IN_DNS.matcher(health);
        assertTrue(matcher.find(), "no xenoservice health details in " + health);
        return matcher.group(1).isEmpty()
                ? List.of()
                : List.of(matcher.group(1).replace("\"", "").split(","));
    }

    /** The {@code xenoservice} component of a health document (the last, and no status but its own in it). */
    private static String xenoservice(String health) {
        int start = health.indexOf("\"xenoservice\":{");
        assertTrue(start >= 0, "no xenoservice health in " + health);
        return health.substring(start);
    }

    private static String detector(String health) {
        Matcher matcher = DETECTOR.matcher(health);
        assertTrue(matcher.find(), "no xenoservice health details in " + health);
        return matcher.group(1);
    }
}
