package org.xenoservice.samples.demo;

import java.time.Duration;

/**
 * The kinds of customer the demo simulates, as the real web has them, each with the share of
 * customers it gets ({@link #sharePercent()}, the shares add up to 100) and its cache rule: how long
 * it keeps the site's DNS answer ({@link #expiresAtNanos(long, Duration)}) and whether it keeps using
 * one connection to the address it resolved until the server closes it ({@link #keepsConnection()}).
 * The kind a customer gets is fixed by its index ({@link #forCustomer(int)}), so a run is repeatable.
 * Public because the attack testbed (module {@code benchmarks}) sends the same kinds of customer.
 */
public enum CustomerKind {
    /** 40 %: a stub resolver that honours the record's TTL. */
    TTL_HONOURING("ttl", 40, Duration.ZERO, false, false),
    /** 20 %: behind a resolver that keeps every answer at least {@link #RESOLVER_TTL_FLOOR}. */
    TTL_FLOOR_30S("ttlFloor30s", 20, Duration.ofSeconds(30), false, false),
    /** 20 %: a browser that keeps every answer for {@link #BROWSER_CACHE_TIME} whatever its TTL. */
    BROWSER_60S("browser60s", 20, Duration.ofSeconds(60), true, false),
    /**
     * 20 %: one kept-alive connection to the address it resolved, reused until the server closes it
     * ({@code Connection: close}, or the connection fails); only then does it resolve again, honouring
     * the TTL.
     */
    KEEP_ALIVE("keepAlive", 20, Duration.ZERO, false, true);

    /** The shortest time a {@link #TTL_FLOOR_30S} customer's resolver keeps an answer. */
    static final Duration RESOLVER_TTL_FLOOR = TTL_FLOOR_30S.cacheTime;
    /** How long a {@link #BROWSER_60S} customer keeps an answer, whatever its TTL. */
    static final Duration BROWSER_CACHE_TIME = BROWSER_60S.cacheTime;
    /** The shortest time any customer keeps an answer, so that a TTL of 0 does not mean a look-up per request. */
    static final Duration MIN_CACHE_TIME = Duration.ofMillis(1);

    private final String label;
    private final int sharePercent;
    private final Duration cacheTime;
    private final boolean fixedCacheTime;
    private final boolean keepsConnection;

    CustomerKind(String label, int sharePercent, Duration cacheTime, boolean fixedCacheTime, boolean keepsConnection) {
        this.label = label;
        this.sharePercent = sharePercent;
        this.cacheTime = cacheTime;
        this.fixedCacheTime = fixedCacheTime;
        this.keepsConnection = keepsConnection;
    }

    /** The kind's name in {@code report.json}. */
    public String label() {
        return label;
    }

    /** The kind's share of the customers, in percent. */
    public int sharePercent() {
        return sharePercent;
    }

    /** Whether the customer keeps one connection to its address until the server closes it. */
    public boolean keepsConnection() {
        return keepsConnection;
    }

    /** When an answer with {@code ttl} received at {@code nowNanos} (a {@code System.nanoTime()} value) runs out. */
    long expiresAtNanos(long nowNanos, Duration ttl) {
        return nowNanos + keeps(ttl).toNanos();
    }

    /** How long this kind of customer keeps an answer whose TTL is {@code ttl}. */
    public Duration keeps(Duration ttl) {
        Duration kept = fixedCacheTime ? cacheTime : max(ttl, cacheTime);
        return max(kept, MIN_CACHE_TIME);
    }

    /**
     * The kind of the customer with {@code index} (0, 1, 2, ...): a smooth weighted round robin over
     * the shares, which repeats every five customers (the shares are multiples of 20 %): any five
     * consecutive customers hold every kind in its share (two TTL-honouring, one of each other kind),
     * and the first four are of four different kinds.
     */
    public static CustomerKind forCustomer(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("a customer's index must be 0 or more, was " + index);
        }
        CustomerKind[] kinds = values();
        int[] current = new int[kinds.length];
        CustomerKind picked = kinds[0];
        for (int step = 0; step <= index % 5; step++) {
            int best = 0;
            for (int k = 0; k < kinds.length; k++) {
                current[k] += kinds[k].sharePercent;
                if (current[k] > current[best]) {
                    best = k;
                }
            }
            current[best] -= 100;
            picked = kinds[best];
        }
        return picked;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
