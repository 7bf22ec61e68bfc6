package org.xenoservice.bundle;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A dynamic path of the site and what a replica does with it, as the manifest lists it.
 * Settings are the policy's own options (e.g. the page to answer with), kept sorted by name.
 *
 * @param prefix the URL path prefix, starting with {@code /}
 * @param policy what a replica does with requests under the prefix
 * @param settings the policy's options, by name
 */
public record DynamicRoute(String prefix, Policy policy, Map<String, String> settings) {

    /** What a replica does with a dynamic path. */
    public enum Policy {
        /** Forward to the origin's back-channel through a bounded funnel. */
        PROXY,
        /** Journal the request durably, answer 202, forward it to the origin later. */
        CAPTURE,
        /** Answer with a polite page from the bundle. */
        DEGRADE;

        /** The manifest token: {@code proxy}, {@code capture} or {@code degrade}. */
        public String token() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The policy for a manifest token, if it is one. */
        public static Optional<Policy> fromToken(String token) {
            for (Policy policy : values()) {
                if (policy.token().equals(token)) {
                    return Optional.of(policy);
                }
            }
            return Optional.empty();
        }
    }

    /** Copies the settings into an unmodifiable map sorted by name. */
    public DynamicRoute {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(policy, "policy");
        settings = Collections.unmodifiableMap(new TreeMap<>(settings));
    }

    /**
     * Whether this route's prefix covers {@code path} (decoded, without the query). A prefix ending
     * in {@code /} covers every path below it; any other prefix covers itself and the paths below it
     * ({@code /order} covers {@code /order} and {@code /order/1}, not {@code /orders}).
     */
    public boolean covers(String path) {
        return covers(prefix, path);
    }

    /**
     * Whether {@code prefix} covers {@code path} by the rule of {@link #covers(String)}, for adapters
     * that route their own handlers by prefix the way replicas route dynamic paths. Allocation-free.
     */
    public static boolean covers(String prefix, String path) {
        if (!path.startsWith(prefix)) {
            return false;
        }
        return prefix.endsWith("/") || path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
    }

    /**
     * The route that decides {@code path} among {@code routes}: of those that {@link #covers cover}
     * it, the one with the longest prefix. Replicas and the origin's intake decide alike with it.
     */
    public static Optional<DynamicRoute> decide(List<DynamicRoute> routes, String path) {
        if (path == null) {
            return Optional.empty();
        }
        DynamicRoute best = null;
        for (DynamicRoute route : routes) {
            if (route.covers(path)
                    && (best == null || route.prefix().length() > best.prefix().length())) {
                best = route;
            }
        }
        return Optional.ofNullable(best);
    }
}
