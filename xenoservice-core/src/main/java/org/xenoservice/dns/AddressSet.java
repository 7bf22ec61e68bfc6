package org.xenoservice.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The address records of one name as a DNS server holds them: IPv4 addresses first, each family
 * sorted, and the lowest TTL among them (what a resolver will cache them for).
 *
 * @param name the absolute name, lower case, ending with a dot
 * @param addresses the A and AAAA addresses, sorted; empty when the name has none
 * @param ttl the lowest TTL of the records; zero when there are none
 */
public record AddressSet(String name, List<InetAddress> addresses, Duration ttl) {
    private static final Comparator<InetAddress> ORDER = Comparator.comparing(
                    (InetAddress a) -> a instanceof Inet4Address ? 0 : 1)
            .thenComparing(a -> a.getAddress(), java.util.Arrays::compareUnsigned);

    /** Sorts and copies the addresses. */
    public AddressSet {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ttl, "ttl");
        addresses = addresses.stream().distinct().sorted(ORDER).toList();
    }

    /** True when the name has no A or AAAA record. */
    public boolean isEmpty() {
        return addresses.isEmpty();
    }

    /** True when {@code address} is among the records. */
    public boolean contains(InetAddress address) {
        return addresses.contains(address);
    }
}
