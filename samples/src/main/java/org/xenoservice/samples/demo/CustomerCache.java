package org.xenoservice.samples.demo;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.LongSupplier;
import org.xenoservice.dns.AddressSet;

/**
 * One customer's resolver cache, kept by its {@link CustomerKind}'s rule: the site's addresses are
 * looked up again when the answer has run out (or on demand, after a failed order); each request
 * goes to one of them at random, except for a {@link CustomerKind#keepsConnection() kept-alive}
 * customer, which stays on the address it picked until {@link #connectionClosed()} says the server
 * closed its connection. Time comes from an injectable {@code System.nanoTime()}-like clock. Not
 * safe for concurrent use: each customer's thread has its own.
 */
final class CustomerCache {
    private final CustomerKind kind;
    private final Customers.Lookup dns;
    private final LongSupplier nanoClock;
    private final Random random;
    private List<InetAddress> addresses = List.of();
    private long expiresAtNanos;
    private Optional<InetAddress> pinned = Optional.empty();
    private long lookups;

    CustomerCache(CustomerKind kind, Customers.Lookup dns, LongSupplier nanoClock, Random random) {
        this.kind = kind;
        this.dns = dns;
        this.nanoClock = nanoClock;
        this.random = random;
    }

    /**
     * The address the next request goes to, empty when the look-up failed. {@code fresh} asks for a
     * new look-up whatever the cache holds (a careful checkout after a failed order).
     *
     * @throws Exception the look-up's failure, after the cache was emptied
     */
    Optional<InetAddress> address(boolean fresh) throws Exception {
        if (!fresh && pinned.isPresent()) {
            return pinned;
        }
        long now = nanoClock.getAsLong();
        if (fresh || addresses.isEmpty() || now - expiresAtNanos >= 0) {
            lookups++;
            addresses = List.of();
            pinned = Optional.empty();
            AddressSet answer = dns.lookup();
            addresses = answer.addresses();
            expiresAtNanos = kind.expiresAtNanos(now, answer.ttl());
        }
        if (addresses.isEmpty()) {
            return Optional.empty();
        }
        Optional<InetAddress> picked = Optional.of(addresses.get(random.nextInt(addresses.size())));
        if (kind.keepsConnection()) {
            pinned = picked;
        }
        return picked;
    }

    /** The server closed the connection (or it failed): a kept-alive customer picks an address again. */
    void connectionClosed() {
        pinned = Optional.empty();
    }

    /** When the cached answer runs out, as a value of the clock. */
    long expiresAtNanos() {
        return expiresAtNanos;
    }

    /** Look-ups made so far. */
    long lookups() {
        return lookups;
    }
}
