package org.xenoservice.dynamic;

import java.net.URI;
import java.util.Objects;
import org.xenoservice.bundle.DynamicRoute;

/**
 * The settings of a {@code capture} route, checked: journal each request under the prefix, answer
 * {@code 202} with a thank-you page from the bundle, and forward the request to the origin's
 * intake until it acknowledges.
 *
 * <p>Settings: {@code intake} (absolute {@code http} or {@code https} URL of the origin's intake,
 * required), {@code page} (the bundle path of the thank-you page, required).
 *
 * @param intake where the forwarder posts captured requests
 * @param page the bundle path of the page answered with 202
 */
public record CapturePolicy(URI intake, String page) {
    /** Checks the values. */
    public CapturePolicy {
        Objects.requireNonNull(intake, "intake");
        Objects.requireNonNull(page, "page");
    }

    /**
     * The policy of a {@code capture} route.
     *
     * @throws DynamicSettingException naming the setting that is missing or invalid
     */
    public static CapturePolicy of(DynamicRoute route) {
        String intake = route.settings().get("intake");
        if (intake == null) {
            throw new DynamicSettingException(
                    "intake",
                    "capture route " + route.prefix()
                            + " needs an \"intake\" setting: the absolute http(s) URL of the origin's intake");
        }
        String page = DynamicSettings.page(route.settings(), "page")
                .orElseThrow(() -> new DynamicSettingException(
                        "page",
                        "capture route " + route.prefix()
                                + " needs a \"page\" setting: the bundle path of the thank-you page"));
        return new CapturePolicy(DynamicSettings.httpUrl("intake", intake), page);
    }
}
