package org.xenoservice.samples.demo;

import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xenoservice.dns.AddressSet;
import org.xenoservice.dns.DnsUpdater;

/**
 * The demo's DNS when BIND is not installed: the records live in memory, and every update the
 * replicator makes is printed instead of sent. Customers look the name up here, so the demo still
 * behaves as it would with a real server; only nothing outside the process can see the change.
 * Safe for concurrent use (every method is synchronized: updates are rare).
 */
final class PrintedDns implements DnsUpdater {
    private final Map<String, List<InetAddress>> records = new HashMap<>();
    private final Map<String, Duration> ttls = new HashMap<>();
    private final Duration defaultTtl;
    private final PrintStream out;

    PrintedDns(Duration defaultTtl, PrintStream out) {
        this.defaultTtl = defaultTtl;
        this.out = out;
    }

    @Override
    public synchronized AddressSet show(String name) {
        String key = absolute(name);
        return new AddressSet(
                key, records.getOrDefault(key, List.of()), records.containsKey(key) ? ttls.get(key) : Duration.ZERO);
    }

    @Override
    public synchronized void update(
            String name, Collection<InetAddress> add, Collection<InetAddress> remove, Duration ttl) {
        String key = absolute(name);
        List<InetAddress> now = new ArrayList<>(records.getOrDefault(key, List.of()));
        now.removeAll(remove);
        add.stream().filter(address -> !now.contains(address)).forEach(now::add);
        store(key, now, ttl);
        out.printf(
                "[printed DNS] UPDATE %s add %s remove %s ttl %d s -> %s%n",
                key, text(add), text(remove), ttl.toSeconds(), text(now));
    }

    @Override
    public synchronized AddressSet replace(String name, Collection<InetAddress> addresses, Duration ttl) {
        String key = absolute(name);
        store(key, new ArrayList<>(addresses), ttl);
        out.printf("[printed DNS] UPDATE %s replace with %s ttl %d s%n", key, text(addresses), ttl.toSeconds());
        return show(name);
    }

    @Override
    public synchronized void lowerTtl(String name, Duration ttl) {
        String key = absolute(name);
        if (records.containsKey(key) && ttls.get(key).compareTo(ttl) > 0) {
            ttls.put(key, ttl);
            out.printf("[printed DNS] UPDATE %s ttl lowered to %d s%n", key, ttl.toSeconds());
        }
    }

    @Override
    public Duration defaultTtl() {
        return defaultTtl;
    }

    @Override
    public void close() {
        // nothing held
    }

    private void store(String key, List<InetAddress> addresses, Duration ttl) {
        if (addresses.isEmpty()) {
            records.remove(key);
            ttls.remove(key);
        } else {
            records.put(key, List.copyOf(addresses));
            ttls.put(key, ttl);
        }
    }

    private static String absolute(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    private static List<String> text(Collection<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList();
    }
}
