package org.xenoservice.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Changes the address records (A and AAAA) of the names a site answers on. When a site replicates,
 * its peers' addresses are added to its name; when the flood has passed they are removed. Each
 * call is one message to the DNS server, so a whole wave of peers appears in one step, or not at
 * all.
 *
 * <p>Adding an address that is present and removing one that is absent are not errors, so a step
 * can be retried safely. {@link #replace} and {@link #lowerTtl} check, at the server, that the
 * records are still the ones they read, so concurrent updaters never silently undo each other.
 *
 * <p>Implementations must be safe for concurrent use by several threads. Every method throws
 * {@link DnsUpdateException} when the change was not made; its {@link DnsUpdateException#reason()}
 * says why, its message what to fix.
 */
public interface DnsUpdater extends AutoCloseable {

    /** The A and AAAA records of {@code name}, as the server holds them now (empty if none). */
    AddressSet show(String name) throws DnsUpdateException;

    /**
     * In one message, adds {@code add} and removes {@code remove} from {@code name}'s A and AAAA
     * records; added records get {@code ttl}.
     */
    void update(String name, Collection<InetAddress> add, Collection<InetAddress> remove, Duration ttl)
            throws DnsUpdateException;

    /** Adds addresses to {@code name} with the updater's default TTL, in one message. */
    default void add(String name, Collection<InetAddress> addresses) throws DnsUpdateException {
        update(name, addresses, List.of(), defaultTtl());
    }

    /** Adds addresses to {@code name} with {@code ttl}, in one message. */
    default void add(String name, Collection<InetAddress> addresses, Duration ttl) throws DnsUpdateException {
        update(name, addresses, List.of(), ttl);
    }

    /** Removes addresses from {@code name}, in one message. */
    default void remove(String name, Collection<InetAddress> addresses) throws DnsUpdateException {
        update(name, List.of(), addresses, defaultTtl());
    }

    /**
     * Makes {@code addresses} the whole A and AAAA set of {@code name}, provided nobody changed the
     * set between reading and writing it; a concurrent change makes it read again and retry.
     *
     * @return the set now held
     */
    AddressSet replace(String name, Collection<InetAddress> addresses, Duration ttl) throws DnsUpdateException;

    /**
     * Lowers the TTL of {@code name}'s existing records to {@code ttl}, keeping the addresses; does
     * nothing when they are already at or below it. Done ahead of a change, so that resolvers'
     * caches expire soon after it.
     */
    void lowerTtl(String name, Duration ttl) throws DnsUpdateException;

    /** The TTL given to added records when none is passed. */
    Duration defaultTtl();

    /** Releases what the updater holds; calls after closing fail. */
    @Override
    void close();
}
