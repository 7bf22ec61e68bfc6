package org.xenoservice.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.spring.app.HelloApp;

/**
 * A real Spring Boot app on embedded Tomcat, protected by the starter from properties alone: Actuator
 * health and the {@code xenoservice} endpoint over HTTP ("under attack" forced and released by POST),
 * and both Prometheus texts, Micrometer's scrape and {@code /_xeno/metrics}, checked by {@code promtool}.
 */
class ActuatorIT {
    private static final String TOKEN = "actuator-it-admin-token-0123456789";

    @TempDir
    static Path dir;

    private static ConfigurableApplicationContext app;
    private static String base;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        SiteKeys.writePrivateKey(dir.resolve("site.key"), SiteKeys.generate().getPrivate());
        app = new SpringApplicationBuilder(HelloApp.class)
                .properties(
                        "server.port=0",
                        "server.address=127.0.0.1",
                        "management.endpoints.web.exposure.include=health,xenoservice,prometheus",
                        "management.endpoint.health.show-details=always",
                        "xenoservice.site=books.example",
                        "xenoservice.site-key=" + dir.resolve("site.key"),
                        "xenoservice.state-directory=" + dir.resolve("state"),
                        "xenoservice.admin-token=" + TOKEN)
                .run();
        base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String json) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void filterRecordsTheAppsRequests() throws Exception {
        String before = get("/actuator/xenoservice").body();
        assertEquals("hello\n", get("/hello").body());
        assertEquals("hello\n", get("/hello").body());
        long started = Long.parseLong(
                get("/actuator/xenoservice").body().replaceAll("(?s).*\"requestsStarted\":(\\d+).*", "$1"));
        long earlier = Long.parseLong(before.replaceAll("(?s).*\"requestsStarted\":(\\d+).*", "$1"));
        assertTrue(started >= earlier + 2, before + "\n" + started);
    }

    @Test
    void endpointShowsTheStatusDocument() throws Exception {
        HttpResponse<String> status = get("/actuator/xenoservice");
        assertEquals(200, status.statusCode(), status.body());
        assertTrue(status.body().contains("\"site\":\"books.example\""), status.body());
        assertTrue(status.body().contains("\"replication\":{"), status.body());
        assertTrue(status.body().contains("\"originDefence\":{"), status.body());
    }

    @Test
    void underAttackIsForcedAndReleasedOverHttpAndHealthFollows() throws Exception {
        HttpResponse<String> calm = get("/actuator/health/xenoservice");
        assertEquals(200, calm.statusCode(), calm.body());
        assertTrue(calm.body().contains("\"status\":\"UP\""), calm.body());
        assertTrue(calm.body().contains("\"phase\":\"CALM\""), calm.body());
        HttpResponse<String> forced = post("/actuator/xenoservice", "{\"underAttack\":true}");
        assertEquals(200, forced.statusCode(), forced.body());
        assertTrue(forced.body().contains("\"forced\":true"), forced.body());
        assertTrue(forced.body().contains("\"detector\":\"OVERLOADED\""), forced.body());
        HttpResponse<String> underFire = awaitHealth("OUT_OF_SERVICE", "\"forced\":true");
        assertEquals(503, underFire.statusCode(), "no peer in DNS takes the flood: " + underFire.body());
        assertTrue(underFire.body().contains("\"detector\":\"OVERLOADED\""), underFire.body());
        assertTrue(underFire.body().contains("\"forced\":true"), underFire.body());
        HttpResponse<String> released = post("/actuator/xenoservice", "{\"underAttack\":false}");
        assertTrue(released.body().contains("\"forced\":false"), released.body());
        HttpResponse<String> after = awaitHealth("UP", "\"forced\":false");
        assertEquals(200, after.statusCode(), after.body());
        assertTrue(after.body().contains("\"forced\":false"), after.body());
    }

    @Test
    void micrometerScrapePassesPromtool() throws Exception {
        get("/hello");
        HttpResponse<String> scrape = get("/actuator/prometheus");
        assertEquals(200, scrape.statusCode(), scrape.body());
        assertTrue(scrape.body().contains("xeno_requests_total{site=\"books.example\"}"), scrape.body());
        assertTrue(
                scrape.body().contains("xeno_overload_state{site=\"books.example\",state=\"NORMAL\"}"), scrape.body());
        // Spring's and the JVM's own meters are not ours to fix (promtool wants help texts and no "ms"):
        // XenoService's families only, HELP and TYPE lines included
        String ours = scrape.body()
                .lines()
                .filter(line -> line.startsWith("xeno_") || line.matches("# (HELP|TYPE) xeno_.*"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertPromtoolAccepts(ours);
    }

    @Test
    void handWrittenMetricsPassPromtool() throws Exception {
        HttpResponse<String> metrics = get("/_xeno/metrics", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, metrics.statusCode(), metrics.body());
        assertTrue(metrics.body().contains("xeno_requests_total{site=\"books.example\"}"), metrics.body());
        assertPromtoolAccepts(metrics.body());
    }

    /** The health indicator's answer once its status is {@code status}: the detector's view follows within a tick. */
    private static HttpResponse<String> awaitHealth(String status, String... details) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (true) {
            HttpResponse<String> health = get("/actuator/health/xenoservice");
            boolean all = health.body().contains("\"status\":\"" + status + "\"");
            for (String detail : details) {
                all &= health.body().contains(detail);
            }
            if (all || Instant.now().isAfter(deadline)) {
                return health;
            }
            Thread.sleep(20);
        }
    }

    private static void assertPromtoolAccepts(String text) throws Exception {
        Path input = Files.createTempFile(dir, "metrics", ".txt");
        Files.writeString(input, text);
        Process promtool;
        try {
            promtool = new ProcessBuilder("promtool", "check", "metrics")
                    .redirectErrorStream(true)
                    .redirectInput(input.toFile())
                    .start();
        } catch (IOException e) {
            throw new AssertionError("promtool is missing: install Debian's prometheus package (./test.sh does)", e);
        }
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(promtool.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, promtool.exitValue(), "promtool check metrics:\n" + output + "\non:\n" + text);
    }
}
