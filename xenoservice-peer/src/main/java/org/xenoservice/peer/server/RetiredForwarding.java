package org.xenoservice.peer.server;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.peer.ServedSite;

/**
 * How a peer answers a site it retired but still {@linkplain org.xenoservice.peer.SiteLookup#forwarding
 * forwards}: browsers and resolvers keep the peer's address for a minute or more after DNS dropped
 * it, and those clients must still get the site, not a 421. A request under a {@code capture} route
 * is captured as while the site was served (journalled, delivered once through the origin's
 * intake); anything else, static pages included, goes to the origin's back-channel through the
 * same bounded, signed path a {@code proxy} route takes. The back-channel is the one the site's
 * signed routes name: a {@code proxy} route's {@code origin}, else the scheme and authority of a
 * {@code capture} route's {@code intake}; a site with neither cannot be forwarded.
 */
final class RetiredForwarding {
    private RetiredForwarding() {}

    /** The route that answers {@code path} of the retired {@code site}; empty when it names no back-channel. */
    static Optional<DynamicRoute> route(ServedSite site, String path) {
        Optional<DynamicRoute> own = site.route(path);
        if (own.isPresent() && own.get().policy() == DynamicRoute.Policy.CAPTURE) {
            return own;
        }
        return backChannel(site)
                .map(origin -> new DynamicRoute("/", DynamicRoute.Policy.PROXY, Map.of("origin", origin)));
    }

    /** The origin's back-channel base URL as the site's routes name it. */
    static Optional<String> backChannel(ServedSite site) {
        for (DynamicRoute route : site.manifest().dynamic()) {
            String origin = route.settings().get("origin");
            if (route.policy() == DynamicRoute.Policy.PROXY && origin != null) {
                return Optional.of(origin);
            }
        }
        for (DynamicRoute route : site.manifest().dynamic()) {
            String intake = route.settings().get("intake");
            if (route.policy() == DynamicRoute.Policy.CAPTURE && intake != null) {
                try {
                    URI uri = URI.create(intake);
                    if (uri.getScheme() != null && uri.getRawAuthority() != null) {
                        return Optional.of(uri.getScheme() + "://" + uri.getRawAuthority());
                    }
                } catch (IllegalArgumentException e) {
                    // not a URL: the capture route itself answers 500 naming the setting; nothing to forward to
                }
            }
        }
        return Optional.empty();
    }
}
