package org.xenoservice.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;

class DynamicPoliciesTest {
    private static DynamicRoute route(Policy policy, Map<String, String> settings) {
        return new DynamicRoute("/x", policy, settings);
    }

    private static String badSetting(Runnable parse) {
        return assertThrows(DynamicSettingException.class, parse::run).setting();
    }

    @Test
    void degradeDefaultsTo503AfterSixtySeconds() {
        DegradePolicy policy = DegradePolicy.of(route(Policy.DEGRADE, Map.of("page", "/sorry.html")));
        assertEquals(new DegradePolicy("/sorry.html", 503, Duration.ofSeconds(60)), policy);
    }

    @Test
    void degradeTakesStatusAndRetryAfter() {
        DegradePolicy policy = DegradePolicy.of(
                route(Policy.DEGRADE, Map.of("page", "/sorry.html", "status", "200", "retry-after", "5")));
        assertEquals(new DegradePolicy("/sorry.html", 200, Duration.ofSeconds(5)), policy);
    }

    @Test
    void degradeNamesTheBadSetting() {
        assertEquals("page", badSetting(() -> DegradePolicy.of(route(Policy.DEGRADE, Map.of()))));
        assertEquals("page", badSetting(() -> DegradePolicy.of(route(Policy.DEGRADE, Map.of("page", "/a/../b")))));
        assertEquals(
                "status",
                badSetting(() -> DegradePolicy.of(route(Policy.DEGRADE, Map.of("page", "/p", "status", "404")))));
        assertEquals(
                "retry-after",
                badSetting(() -> DegradePolicy.of(route(Policy.DEGRADE, Map.of("page", "/p", "retry-after", "soon")))));
    }

    @Test
    void proxyDefaults() {
        ProxyPolicy policy = ProxyPolicy.of(route(Policy.PROXY, Map.of("origin", "http://10.0.0.1:8080/")));
        assertEquals(
                new ProxyPolicy(URI.create("http://10.0.0.1:8080"), 16, Duration.ofSeconds(10), Optional.empty()),
                policy);
    }

    @Test
    void proxyNamesTheBadSetting() {
        assertEquals("origin", badSetting(() -> ProxyPolicy.of(route(Policy.PROXY, Map.of()))));
        assertEquals("origin", badSetting(() -> ProxyPolicy.of(route(Policy.PROXY, Map.of("origin", "ftp://o")))));
        assertEquals("origin", badSetting(() -> ProxyPolicy.of(route(Policy.PROXY, Map.of("origin", "/relative")))));
        assertEquals(
                "max-in-flight",
                badSetting(
                        () -> ProxyPolicy.of(route(Policy.PROXY, Map.of("origin", "http://o", "max-in-flight", "0")))));
        assertEquals(
                "timeout-ms",
                badSetting(
                        () -> ProxyPolicy.of(route(Policy.PROXY, Map.of("origin", "http://o", "timeout-ms", "-1")))));
    }

    @Test
    void captureNeedsIntakeAndPage() {
        CapturePolicy policy = CapturePolicy.of(
                route(Policy.CAPTURE, Map.of("intake", "https://origin.example/intake", "page", "/thanks.html")));
        assertEquals(new CapturePolicy(URI.create("https://origin.example/intake"), "/thanks.html"), policy);
        assertEquals("intake", badSetting(() -> CapturePolicy.of(route(Policy.CAPTURE, Map.of("page", "/t")))));
        assertEquals("page", badSetting(() -> CapturePolicy.of(route(Policy.CAPTURE, Map.of("intake", "http://o")))));
    }
}
