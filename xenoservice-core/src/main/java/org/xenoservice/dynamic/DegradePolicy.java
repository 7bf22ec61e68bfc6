package org.xenoservice.dynamic;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.xenoservice.bundle.DynamicRoute;

/**
 * The settings of a {@code degrade} route, checked: answer every request under the prefix with a
 * page from the bundle, {@code 503} with {@code Retry-After} by default, or {@code 200}.
 *
 * <p>Settings: {@code page} (a path in the bundle, required), {@code status} ({@code 503}, the
 * default, or {@code 200}), {@code retry-after} (whole seconds, {@link #DEFAULT_RETRY_AFTER} by
 * default, sent only with 503).
 *
 * @param page the bundle path of the page to answer with
 * @param status 503 or 200
 * @param retryAfter what {@code Retry-After} says with a 503
 */
public record DegradePolicy(String page, int status, Duration retryAfter) {
    /** The status answered when the route does not say. */
    public static final int DEFAULT_STATUS = 503;
    /** The {@code Retry-After} sent with a 503 when the route does not say. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);

    /** Checks the values. */
    public DegradePolicy {
        Objects.requireNonNull(page, "page");
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (status != 503 && status != 200) {
            throw new DynamicSettingException("status", "status must be 503 or 200, was " + status);
        }
    }

    /**
     * The policy of a {@code degrade} route.
     *
     * @throws DynamicSettingException naming the setting that is missing or invalid
     */
    public static DegradePolicy of(DynamicRoute route) {
        Map<String, String> settings = route.settings();
        String page = DynamicSettings.page(settings, "page")
                .orElseThrow(() -> new DynamicSettingException(
                        "page",
                        "degrade route " + route.prefix()
                                + " needs a \"page\" setting: the bundle path of the page to answer with"));
        int status = (int) DynamicSettings.number(settings, "status", DEFAULT_STATUS, 200, 599);
        long seconds = DynamicSettings.number(settings, "retry-after", DEFAULT_RETRY_AFTER.toSeconds(), 0, 86_400);
        return new DegradePolicy(page, status, Duration.ofSeconds(seconds));
    }
}
