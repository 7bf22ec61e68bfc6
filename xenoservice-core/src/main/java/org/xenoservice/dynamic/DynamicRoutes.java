package org.xenoservice.dynamic;

import java.util.Map;
import java.util.TreeMap;
import org.xenoservice.bundle.DynamicRoute;

/**
 * Reads a dynamic route from its one-line form, {@code POLICY[,KEY=VALUE...]} (e.g.
 * {@code capture,intake=http://10.0.0.5:8080/_xeno/intake,page=/thanks.html}), as the command-line
 * tool and the site's configuration file write it, and checks the policy's settings, so that a
 * mistake is found when the site is configured rather than on a replica in the middle of a flood.
 */
public final class DynamicRoutes {
    private DynamicRoutes() {}

    /**
     * The route for {@code prefix} that {@code spec} describes, with its settings checked.
     *
     * @throws IllegalArgumentException naming the prefix and what is wrong
     */
    public static DynamicRoute parse(String prefix, String spec) {
        DynamicRoute route = read(prefix, spec);
        check(route);
        return route;
    }

    /**
     * The route for {@code prefix} that {@code spec} describes, its settings not yet checked against
     * the policy (e.g. because a configuration fills some in later); call {@link #check} before use.
     *
     * @throws IllegalArgumentException naming the prefix and what is wrong with the syntax
     */
    public static DynamicRoute read(String prefix, String spec) {
        String[] parts = spec.split(",", -1);
        DynamicRoute.Policy policy = DynamicRoute.Policy.fromToken(parts[0].trim())
                .orElseThrow(() -> new IllegalArgumentException(
                        prefix + "=" + spec + ": policy must be proxy, capture or degrade"));
        Map<String, String> settings = new TreeMap<>();
        for (int i = 1; i < parts.length; i++) {
            int equals = parts[i].indexOf('=');
            if (equals < 1) {
                throw new IllegalArgumentException(prefix + ": setting \"" + parts[i].trim() + "\" must be KEY=VALUE");
            }
            String key = parts[i].substring(0, equals).trim();
            if (settings.put(key, parts[i].substring(equals + 1).trim()) != null) {
                throw new IllegalArgumentException(prefix + ": setting \"" + key + "\" is given twice");
            }
        }
        DynamicRoute route;
        try {
            route = new DynamicRoute(prefix, policy, settings);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
        }
        return route;
    }

    /**
     * Checks a route's settings against its policy.
     *
     * @throws IllegalArgumentException naming the prefix and the setting that is missing or invalid
     */
    public static void check(DynamicRoute route) {
        try {
            switch (route.policy()) {
                case PROXY -> ProxyPolicy.of(route);
                case CAPTURE -> CapturePolicy.of(route);
                case DEGRADE -> DegradePolicy.of(route);
                default -> throw new IllegalStateException("unknown policy " + route.policy());
            }
        } catch (DynamicSettingException e) {
            throw new IllegalArgumentException(route.prefix() + ": " + e.getMessage(), e);
        }
    }
}
