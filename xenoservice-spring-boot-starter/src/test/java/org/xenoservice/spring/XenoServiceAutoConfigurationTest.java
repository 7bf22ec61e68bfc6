package org.xenoservice.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;
import org.xenoservice.XenoService;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.micrometer.XenoServiceMeters;
import org.xenoservice.servlet.XenoFilter;

/** The auto-configuration in a servlet application context: what it starts, and every way a property can be wrong. */
class XenoServiceAutoConfigurationTest {
    @TempDir
    Path dir;

    private WebApplicationContextRunner runner;
    private List<String> essentials;

    @BeforeEach
    void setUp() throws IOException {
        SiteKeys.writePrivateKey(dir.resolve("site.key"), SiteKeys.generate().getPrivate());
        Files.createDirectories(dir.resolve("public"));
        Files.writeString(dir.resolve("public/index.html"), "<!doctype html><title>Books</title>\n");
        essentials = new ArrayList<>(List.of(
                "xenoservice.site=books.example",
                "xenoservice.site-key=" + dir.resolve("site.key"),
                "xenoservice.state-directory=" + dir.resolve("state"),
                "xenoservice.static.directory=" + dir.resolve("public")));
        runner = new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(
                        XenoServiceAutoConfiguration.class,
                        XenoServiceActuatorAutoConfiguration.class,
                        XenoServiceMetricsAutoConfiguration.class));
    }

    private WebApplicationContextRunner with(String... more) {
        List<String> all = new ArrayList<>(essentials);
        all.addAll(List.of(more));
        return runner.withPropertyValues(all.toArray(String[]::new));
    }

    /** The message of the start-up failure, with its causes'. */
    private static String failure(Throwable thrown) {
        assertNotNull(thrown, "the context must fail to start");
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            messages.append(cause.getMessage()).append('\n');
        }
        return messages.toString();
    }

    private void assertFailsNaming(WebApplicationContextRunner configured, String... expected) {
        configured.run(context -> {
            String message = failure(context.getStartupFailure());
            for (String text : expected) {
                assertTrue(message.contains(text), "expected \"" + text + "\" in:\n" + message);
            }
        });
    }

    @Test
    void startsOneServiceAndPutsTheFilterFirstInTheChain() {
        with().run(context -> {
            assertEquals(null, context.getStartupFailure());
            XenoService service = context.getBean(XenoService.class);
            assertEquals("books.example", service.config().site());
            FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
            assertTrue(registration.getFilter() instanceof XenoFilter);
            assertEquals(Ordered.HIGHEST_PRECEDENCE, registration.getOrder());
            assertTrue(registration.isAsyncSupported());
            assertEquals(Set.of("/*"), Set.copyOf(registration.getUrlPatterns()));
            assertEquals(
                    1, context.getBeansOfType(XenoServiceHealthIndicator.class).size());
            assertEquals(1, context.getBeansOfType(XenoServiceEndpoint.class).size());
            assertEquals(1, context.getBeansOfType(XenoServiceMeters.class).size());
        });
    }

    @Test
    void registersTheFilterForRequestsAsTheyArrive() {
        with().run(context -> {
            FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
            assertEquals(
                    "REQUEST",
                    String.valueOf(registration.determineDispatcherTypes()).replaceAll("[\\[\\]]", ""));
            assertTrue(registration.determineDispatcherTypes().contains(DispatcherType.REQUEST));
        });
    }

    @Test
    void staysOffWithoutXenoServiceProperties() {
        runner.run(
                context -> assertTrue(context.getBeansOfType(XenoService.class).isEmpty()));
    }

    @Test
    void staysOffWhenDisabled() {
        with("xenoservice.enabled=false")
                .run(context ->
                        assertTrue(context.getBeansOfType(XenoService.class).isEmpty()));
    }

    @Test
    void oneStrayPropertyTurnsProtectionOnAndTheMissingSiteFailsTheStart() {
        assertFailsNaming(
                runner.withPropertyValues("xenoservice.dns.ttl-seconds=30"),
                "xenoservice.site is required",
                "xenoservice.enabled=false");
    }

    @Test
    void missingSiteKeyFailsNamingTheProperty() {
        assertFailsNaming(
                runner.withPropertyValues(
                        "xenoservice.site=books.example", "xenoservice.state-directory=" + dir.resolve("state")),
                "xenoservice.site-key is required");
    }

    @Test
    void unreadableKeyFileFailsNamingThePropertyAndTheFile() {
        essentials.set(1, "xenoservice.site-key=" + dir.resolve("no-such.key"));
        assertFailsNaming(with(), "xenoservice.site-key: ", "no-such.key does not exist");
    }

    @Test
    void keyFileThatIsNoKeyFailsTheStart() throws IOException {
        Files.writeString(dir.resolve("garbage.key"), "not a key\n");
        essentials.set(1, "xenoservice.site-key=" + dir.resolve("garbage.key"));
        assertFailsNaming(with(), "XenoService cannot start from the xenoservice.* properties");
    }

    @Test
    void valueOutOfRangeFailsNamingTheProperty() {
        assertFailsNaming(
                with(
                        "xenoservice.dns.servers=127.0.0.1:53",
                        "xenoservice.dns.tsig=hmac-sha256:k:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
                        "xenoservice.dns.ttl-seconds=0"),
                "xenoservice.dns.ttl-seconds must be between 1 and 86400, was 0");
    }

    @Test
    void valueOfTheWrongTypeFailsNamingTheProperty() {
        assertFailsNaming(with("xenoservice.http-only=maybe"), "xenoservice.http-only");
    }

    @Test
    void unknownPropertyFailsTheStart() {
        assertFailsNaming(with("xenoservice.dns.ttl=30"), "xenoservice.dns.ttl");
    }

    @Test
    void peerWithoutPublicKeyFailsNamingTheProperty() {
        assertFailsNaming(
                with("xenoservice.peer.p1.control-url=http://127.0.0.1:1", "xenoservice.peer.p1.addresses=127.0.0.1"),
                "xenoservice.peer.p1.public-key is required");
    }

    @Test
    void peerAddressThatIsAHostNameFailsNamingTheProperty() {
        assertFailsNaming(
                with(
                        "xenoservice.peer.p1.control-url=http://127.0.0.1:1",
                        "xenoservice.peer.p1.addresses=peer.example",
                        "xenoservice.peer.p1.public-key=MCowBQYDK2VwAyEAPUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw="),
                "xenoservice.peer.p1.addresses: \"peer.example\" is not an IP address literal");
    }

    @Test
    void dynamicRouteWithAnUnknownPolicyFailsTheStart() {
        assertFailsNaming(with("xenoservice.dynamic.[/order]=teleport"), "xenoservice.dynamic./order");
    }

    @Test
    void staticDirectoryThatIsAFileFailsNamingTheProperty() {
        essentials.set(3, "xenoservice.static.directory=" + dir.resolve("site.key"));
        assertFailsNaming(with(), "xenoservice.static.directory: ", "cannot be read as a directory");
    }

    @Test
    void customizerAddsWhatPropertiesCannotSay() {
        with().withBean(XenoConfigCustomizer.class, () -> config -> config.captureHandler(request -> {}))
                .run(context -> assertTrue(context.getBean(XenoService.class)
                        .config()
                        .captureHandler()
                        .isPresent()));
    }
}
