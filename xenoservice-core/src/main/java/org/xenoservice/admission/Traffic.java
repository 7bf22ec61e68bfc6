package org.xenoservice.admission;

/**
 * Whose request it is, for {@link AdmissionControl#tryAcquire}: the peers' requests form a class of
 * their own that direct traffic never starves, because under a flood the peers carry the customers
 * who followed DNS to them while the origin's own address is what the attacker hits.
 */
public enum Traffic {
    /**
     * A peer's back-channel request (a proxied dynamic request or a capture delivery) whose proof
     * the origin has verified with that peer's pinned key. Never classify a request as {@code PEER}
     * on an unauthenticated marker (a header, an address): anyone could forge it and take the
     * peers' share.
     */
    PEER,
    /** Any other request: a browser, a crawler, or the attacker, reaching the origin directly. */
    DIRECT
}
