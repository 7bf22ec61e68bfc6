package org.xenoservice;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The bytes per second the origin may send to direct clients from memory while its site is
 * sheltered ({@link XenoConfig#shelteredDirectBytesPerSecond()}): a token bucket holding one
 * second's worth. It exists because a flood aimed at the origin's address keeps coming after the
 * name moved to the peers, and answering every bot's page from memory costs no CPU but fills the
 * origin's own link, where the peers' back-channel requests (searches, proxied paths, deliveries)
 * then wait behind it. A page over the budget gets a short 503 instead: the pinned customers still
 * get an answer, and the link keeps room for the peers. The bucket may run into debt by one page,
 * so that a page larger than a second's worth is still sent now and then. A budget of 0 is none.
 * Safe for concurrent use; one lock, taken only while the site is sheltered.
 */
final class LinkBudget {
    /** A direct client's page over the budget: small, so the link keeps room. */
    static final XenoResponse OVER_BUDGET = XenoResponse.text(
            503,
            "503 Service Unavailable: busy; please try again in a moment\n",
            java.util.Map.of("Retry-After", "2", "Cache-Control", "no-store"));

    private final long bytesPerSecond;
    private final LongSupplier nanoClock;
    private final LongAdder refused = new LongAdder();
    private double available;
    private long refilledAtNanos;

    LinkBudget(long bytesPerSecond, LongSupplier nanoClock) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanoClock = nanoClock;
        this.available = (double) bytesPerSecond;
        this.refilledAtNanos = nanoClock.getAsLong();
    }

    /** Whether {@code bytes} may go out now; a refusal is counted. Always true without a budget. */
    boolean take(long bytes) {
        if (bytesPerSecond == 0) {
            return true;
        }
        synchronized (this) {
            long now = nanoClock.getAsLong();
            available = Math.min((double) bytesPerSecond, available + (now - refilledAtNanos) * (bytesPerSecond / 1e9));
            refilledAtNanos = now;
            if (available > 0) {
                available -= bytes;
                return true;
            }
        }
        refused.increment();
        return false;
    }

    /** The answers refused for the budget so far. */
    long refused() {
        return refused.sum();
    }
}
