package org.xenoservice.replicate;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.xenoservice.dns.AddressSet;
import org.xenoservice.dns.DnsUpdateException;
import org.xenoservice.dns.DnsUpdater;

/**
 * A DNS name in memory that records every UPDATE it takes, and can be made to fail (as a server
 * that does not answer) for the next calls.
 */
final class RecordingDnsUpdater implements DnsUpdater {
    /** One UPDATE message: what it added and removed, in the order given. */
    record Update(List<InetAddress> add, List<InetAddress> remove, Duration ttl) {}

    private final Set<InetAddress> records = new LinkedHashSet<>();
    private final List<Update> updates = new ArrayList<>();
    private int failures;
    private int shows;
    private boolean closed;

    RecordingDnsUpdater(Collection<InetAddress> initial) {
        records.addAll(initial);
    }

    /** The next {@code count} calls fail with a timeout. */
    synchronized void failNext(int count) {
        failures = count;
    }

    synchronized List<Update> updates() {
        return List.copyOf(updates);
    }

    synchronized Set<InetAddress> records() {
        return Set.copyOf(records);
    }

    synchronized int shows() {
        return shows;
    }

    synchronized boolean closed() {
        return closed;
    }

    @Override
    public synchronized AddressSet show(String name) throws DnsUpdateException {
        shows++;
        fail();
        return new AddressSet(name, List.copyOf(records), Duration.ofSeconds(30));
    }

    @Override
    public synchronized void update(
            String name, Collection<InetAddress> add, Collection<InetAddress> remove, Duration ttl)
            throws DnsUpdateException {
        fail();
        updates.add(new Update(List.copyOf(add), List.copyOf(remove), ttl));
        records.removeAll(remove);
        records.addAll(add);
    }

    @Override
    public AddressSet replace(String name, Collection<InetAddress> addresses, Duration ttl) {
        throw new UnsupportedOperationException("the replicator only adds and removes");
    }

    @Override
    public void lowerTtl(String name, Duration ttl) {
        throw new UnsupportedOperationException("the replicator only adds and removes");
    }

    @Override
    public Duration defaultTtl() {
        return Duration.ofSeconds(30);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void fail() throws DnsUpdateException {
        if (closed) {
            throw new DnsUpdateException(DnsUpdateException.Reason.CLOSED, "the updater is closed");
        }
        if (failures > 0) {
            failures--;
            throw new DnsUpdateException(DnsUpdateException.Reason.TIMEOUT, "no server answered");
        }
    }
}
