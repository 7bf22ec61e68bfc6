package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.dynamic.CapturedRequest;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.overload.RequestKind;
import org.xenoservice.replicate.ReplicationPhase;

class XenoServiceTest {
  private static final String TOKEN = "test-admin-token-0123456789";

  @TempDir
  Path dir;
  private final List<XenoService> started = new CopyOnWriteArrayList<>();
  private final List<String> applied = new CopyOnWriteArrayList<>();

  @BeforeEach
  void writeSite() throws IOException {
    Files.createDirectories(dir.resolve("site"));
    Files.writeString(dir.resolve("site/index.html"), "<h1>books</h1>");
    Files.writeString(dir.resolve("site/thanks.html"), "<p>thank you</p>");
  }

  @AfterEach
  void stop() {
    started.forEach(XenoService::close);
  }

  @Test
  void statusNeedsTheAdminToken() throws IOException {
    XenoService xeno = start(base().adminToken(TOKEN));
    assertEquals(401, serve(xeno, "GET", XenoService.STATUS_PATH, Map.of(), "").status());
    assertEquals(401, serve(xeno, "GET", XenoService.STATUS_PATH, Map.of("Authorization", "Bearer wrong-token"),
        "").status());
    assertEquals(401, serve(xeno, "GET", XenoService.METRICS_PATH, Map.of("Authorization", TOKEN), "").status(),
        "the token without the Bearer scheme is refused");
    XenoResponse ok = serve(xeno, "GET", XenoService.STATUS_PATH, admin(), "");
    assertEquals(200, ok.status());
    JsonNode json = new ObjectMapper().readTree(ok.body());
    assertEquals("books.example", json.path("site").asText());
    assertEquals(ReplicationPhase.CALM.name(), json.path("replication").path("phase").asText());
    assertEquals("NORMAL", json.path("overload").path("state").asText());
  }

  @Test
  void adminPathsAreOffWithoutAToken() throws IOException {
    XenoService xeno = start(base());
    XenoResponse answer = serve(xeno, "GET", XenoService.STATUS_PATH, Map.of("Authorization", "Bearer anything"), "");
    assertEquals(404, answer.status());
    assertTrue(new String(answer.body(), StandardCharsets.UTF_8).contains("admin token"));
  }

  @Test
  void metricsArePrometheusText() throws IOException {
    XenoService xeno = start(base().adminToken(TOKEN));
    long begun = xeno.recorder().start();
    xeno.recorder().end(begun, 200, 10, RequestKind.STATIC);
    String text = new String(serve(xeno, "GET", XenoService.METRICS_PATH, admin(), "").body(), StandardCharsets.UTF_8);
    assertTrue(text.contains("# TYPE xeno_requests_total counter"), text);
    assertTrue(text.contains("xeno_requests_total{site=\"books.example\"} 1"), text);
    assertTrue(text.contains("xeno_replication_phase{site=\"books.example\",phase=\"CALM\"} 1"), text);
    for (String line : text.split("\n")) {
      assertTrue(line.startsWith("#") || line.matches("[a-z_]+\\{[^}]*\\} -?[0-9.E]+"), "not a sample: " + line);
    }
  }

  @Test
  void adminPathsTakeOnlyGetAndHead() throws IOException {
    XenoService xeno = start(base().adminToken(TOKEN));
    XenoResponse answer = serve(xeno, "POST", XenoService.STATUS_PATH, admin(), "x");
    assertEquals(405, answer.status());
    assertEquals("GET, HEAD", answer.headers().get("Allow"));
  }

  @Test
  void unknownOwnPathsAre404() throws IOException {
    XenoService xeno = start(base().adminToken(TOKEN));
    assertEquals(404, serve(xeno, "GET", "/_xeno/../status", admin(), "").status());
    assertEquals(404, serve(xeno, "GET", "/_xeno/statusx", admin(), "").status());
  }

  @Test
  void intakeAppliesEachCapturedOrderOnce() throws IOException {
    XenoService xeno = start(base().backChannel(java.net.URI.create("http://10.0.0.5:8080"))
        .dynamicRoute("/order", "capture,page=/thanks.html")
        .captureHandler(request -> applied.add(request.idempotencyKey())));
    Map<String, String> headers = Map.of("Idempotency-Key", "order-1", "X-Forwarded-Host", "books.example",
        "X-Xeno-Path", "/order", "Content-Type", "application/x-www-form-urlencoded");
    assertEquals(200, serve(xeno, "POST", XenoService.INTAKE_PATH, headers, "book=1").status());
    XenoResponse again = serve(xeno, "POST", XenoService.INTAKE_PATH, headers, "book=1");
    assertEquals(200, again.status());
    assertTrue(new String(again.body(), StandardCharsets.UTF_8).contains("duplicate"));
    assertEquals(List.of("order-1"), applied);
    assertEquals(1, xeno.status().intake().orElseThrow().applied());
    assertEquals(1, xeno.status().intake().orElseThrow().duplicates());
  }

  @Test
  void intakeWithoutAHandlerAsksPeersToKeepTheirCaptures() throws IOException {
    XenoService xeno = start(base().backChannel(java.net.URI.create("http://10.0.0.5:8080"))
        .dynamicRoute("/order", "capture,page=/thanks.html"));
    XenoResponse answer = serve(xeno, "POST", XenoService.INTAKE_PATH, Map.of("Idempotency-Key", "k"), "x");
    assertEquals(503, answer.status());
    assertEquals("60", answer.headers().get("Retry-After"));
    XenoService plain = start(base().stateDirectory(dir.resolve("other")));
    assertEquals(404, serve(plain, "POST", XenoService.INTAKE_PATH, Map.of("Idempotency-Key", "k"), "x").status());
  }

  @Test
  void intakeRefusesABodyOverTheLimit() throws IOException {
    XenoService xeno = start(base().backChannel(java.net.URI.create("http://10.0.0.5:8080"))
        .dynamicRoute("/order", "capture,page=/thanks.html")
        .captureHandler(request -> applied.add(request.idempotencyKey())));
    String body = "x".repeat(CapturedRequest.MAX_BODY_BYTES + 1);
    XenoResponse answer = serve(xeno, "POST", XenoService.INTAKE_PATH, Map.of("Idempotency-Key", "big",
        "X-Forwarded-Host", "books.example", "X-Xeno-Path", "/order"), body);
    assertEquals(413, answer.status());
    assertTrue(applied.isEmpty());
  }

  @Test
  void requestPathsAreClassifiedByTheLongestDynamicPrefix() throws IOException {
    XenoService xeno = start(base().dynamicRoute("/shop", "degrade,page=/thanks.html")
        .dynamicRoute("/shop/cart", "degrade,page=/index.html"));
    assertEquals(RequestKind.STATIC, xeno.kindOf("/index.html"));
    assertEquals(RequestKind.STATIC, xeno.kindOf("/shopping"));
    assertEquals(RequestKind.DYNAMIC, xeno.kindOf("/shop"));
    assertEquals(0, xeno.routeOf("/shop/1"));
    assertEquals(1, xeno.routeOf("/shop/cart/2"));
    assertEquals(-1, xeno.routeOf("/"));
    assertTrue(xeno.isXenoPath("/_xeno/status"));
  }

  @Test
  void buildsTheSitesBundleAtStartAndAgainWhenAFileChanges() throws IOException {
    XenoService xeno = start(base());
    long first = await(() -> xeno.replicator().status().bundleVersion().isPresent()
        ? Optional.of(xeno.replicator().status().bundleVersion().getAsLong()) : Optional.empty());
    Files.writeString(dir.resolve("site/new.html"), "<p>new</p>");
    xeno.replicator().restage();
    long second = await(() -> xeno.replicator().status().bundleVersion().stream().boxed()
        .filter(version -> version > first).findFirst());
    assertTrue(second > first);
    assertTrue(Files.exists(dir.resolve("state/bundles/" + second + ".xsb")));
  }

  private XenoConfig.Builder base() {
    return XenoConfig.builder().site("books.example").siteKey(SiteKeys.generate().getPrivate())
        .staticDirectory(dir.resolve("site")).stateDirectory(dir.resolve("state"));
  }

  private XenoService start(XenoConfig.Builder config) throws IOException {
    XenoService xeno = XenoService.start(config.build());
    started.add(xeno);
    return xeno;
  }

  private static Map<String, String> admin() {
    return Map.of("Authorization", "Bearer " + TOKEN);
  }

  private static XenoResponse serve(XenoService xeno, String method, String path, Map<String, String> headers,
      String body) throws IOException {
    Map<String, String> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    byName.putAll(headers);
    InputStream in = new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
    return xeno.serveXenoPath(method, path, name -> Optional.ofNullable(byName.get(name)), in);
  }

  private static long await(java.util.function.Supplier<Optional<Long>> value) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      Optional<Long> found = value.get();
      if (found.isPresent()) {
        return found.get();
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("timed out");
  }
}
