package org.xenoservice.dynamic;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.xenoservice.bundle.DynamicRoute;

/**
 * The settings of a {@code proxy} route, checked: forward requests under the prefix to the
 * origin's back-channel, at most {@code maxInFlight} at a time per site, so that replicas never
 * flood the origin they protect.
 *
 * <p>Settings: {@code origin} (absolute {@code http} or {@code https} URL, required),
 * {@code max-in-flight} ({@link #DEFAULT_MAX_IN_FLIGHT} by default), {@code timeout-ms}
 * ({@link #DEFAULT_TIMEOUT} by default), {@code degrade-page} (optional: the bundle page answered,
 * with 503, when the funnel is full or the origin fails).
 *
 * @param origin the back-channel base URL, without a trailing slash
 * @param maxInFlight how many forwarded requests of the site may be open at once
 * @param timeout how long to wait for the origin's response headers
 * @param degradePage the page to answer with when the request is not forwarded or fails
 */
public record ProxyPolicy(URI origin, int maxInFlight, Duration timeout, Optional<String> degradePage) {
    /** The funnel width when the route does not say. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;
    /** The origin timeout when the route does not say. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The {@code Retry-After} sent with the 503 when a request is not forwarded. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(60);

    /** Checks the values. */
    public ProxyPolicy {
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(degradePage, "degradePage");
        if (maxInFlight < 1) {
            throw new DynamicSettingException("max-in-flight", "max-in-flight must be at least 1, was " + maxInFlight);
        }
    }

    /**
     * The policy of a {@code proxy} route.
     *
     * @throws DynamicSettingException naming the setting that is missing or invalid
     */
    public static ProxyPolicy of(DynamicRoute route) {
        Map<String, String> settings = route.settings();
        String value = settings.get("origin");
        if (value == null) {
            throw new DynamicSettingException(
                    "origin",
                    "proxy route " + route.prefix()
                            + " needs an \"origin\" setting: the absolute http(s) URL of the origin's back-channel");
        }
        URI origin = DynamicSettings.httpUrl("origin", value);
        int maxInFlight = (int) DynamicSettings.number(settings, "max-in-flight", DEFAULT_MAX_IN_FLIGHT, 1, 100_000);
        long timeoutMillis = DynamicSettings.number(settings, "timeout-ms", DEFAULT_TIMEOUT.toMillis(), 1, 3_600_000);
        Optional<String> page = DynamicSettings.page(settings, "degrade-page");
        return new ProxyPolicy(origin, maxInFlight, Duration.ofMillis(timeoutMillis), page);
    }
}
