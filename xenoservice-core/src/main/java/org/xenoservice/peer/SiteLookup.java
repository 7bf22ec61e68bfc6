package org.xenoservice.peer;

import java.util.Optional;

/**
 * Which site version answers for a host name, as the serving port asks on every request.
 * Implementations must be safe for concurrent use and cheap (a map lookup).
 */
@FunctionalInterface
public interface SiteLookup {
    /**
     * The active version for {@code host} (lower case, without port), or empty when this peer does
     * not serve it (enrolled but not active, or a stranger).
     */
    Optional<ServedSite> find(String host);

    /**
     * The version that served {@code host} last: the active one, or, after it was retired, the one
     * retired, so that work it accepted (captured requests) can still be finished. By default the
     * same as {@link #find}.
     */
    default Optional<ServedSite> lastServed(String host) {
        return find(host);
    }

    /**
     * The version that served {@code host} last while the peer forwards the site's requests to the
     * origin: for a grace period after its retirement, clients whose browsers or resolvers still
     * hold this peer's address get the origin's answers through it instead of a 421. Empty while the
     * site is served ({@link #find}), and when it is not forwarded. By default never.
     */
    default Optional<ServedSite> forwarding(String host) {
        return Optional.empty();
    }
}
