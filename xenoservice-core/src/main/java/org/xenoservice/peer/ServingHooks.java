package org.xenoservice.peer;

/**
 * What the serving port reports to the peer's accounting and asks of its quotas, per request.
 * Implementations must be safe for concurrent use and fast: they run on every request.
 */
public interface ServingHooks {
    /** Hooks that admit everything and count nothing. */
    ServingHooks NONE = new ServingHooks() {
        @Override
        public boolean admit(String site) {
            return true;
        }

        @Override
        public void served(String site, int status, long bodyBytes) {}
    };

    /**
     * Whether a request for {@code site} may be served now; false means answer 429 (the site is
     * over its request rate on this peer).
     */
    boolean admit(String site);

    /** A request for {@code site} was answered with {@code status} and {@code bodyBytes} of body. */
    void served(String site, int status, long bodyBytes);

    /**
     * A request for {@code site}, which this peer no longer serves, was forwarded to the origin (a
     * client with a cached DNS answer; see {@link SiteLookup#forwarding}). Counts nothing by default.
     */
    default void forwarded(String site) {}
}
