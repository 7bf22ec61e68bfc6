package org.xenoservice.replicate;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.dns.Rfc2136DnsUpdater;
import org.xenoservice.dns.TsigKey;

/**
 * How the replicator changes the site's DNS name: the primary server(s) that take RFC 2136 updates,
 * the TSIG key, the TTL of the records it adds, and whether the origin leaves the name while peers
 * serve ("sheltering" it, so that clients go to the peers while the peers still reach the origin on
 * its back-channel address).
 *
 * @param servers the primary servers, tried in order; at least one
 * @param zone the zone, or empty to find it from the SOA
 * @param tsig the key that signs updates
 * @param name the name whose address records are changed (usually the site's host name)
 * @param ttl the TTL of the records added; peers keep serving for twice this after they leave
 * @param originAddresses the origin's own addresses in the name, needed to shelter it
 * @param shelterOrigin whether to remove the origin's addresses while peers serve
 */
public record DnsSettings(
        List<DnsServer> servers,
        Optional<String> zone,
        TsigKey tsig,
        String name,
        Duration ttl,
        List<InetAddress> originAddresses,
        boolean shelterOrigin) {
    /** The TTL when the configuration gives none: short, so that withdrawal takes effect soon. */
    public static final Duration DEFAULT_TTL = Rfc2136DnsUpdater.DEFAULT_TTL;

    /** Checks the values and copies the lists. */
    public DnsSettings {
        servers = List.copyOf(servers);
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(tsig, "tsig");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ttl, "ttl");
        originAddresses = List.copyOf(originAddresses);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("DNS needs at least one server (host:port) that takes RFC 2136 updates");
        }
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Rfc2136DnsUpdater.MAX_TTL) > 0) {
            throw new IllegalArgumentException("DNS ttl must be between 1 s and 1 day, was " + ttl.toSeconds() + " s");
        }
        if (shelterOrigin && originAddresses.isEmpty()) {
            throw new IllegalArgumentException(
                    "sheltering the origin needs its addresses (dns.origin-addresses), so that"
                            + " the replicator knows what to remove from " + name + " and put back afterwards");
        }
    }

    /** An updater for these settings, managing only {@link #name()}. */
    Rfc2136DnsUpdater updater() {
        return updater(List.of(name));
    }

    /**
     * An updater for these settings' servers and key that manages {@code names}: the ACME challenge
     * records of every name a certificate carries (the site's and extra names such as {@code www.}).
     */
    Rfc2136DnsUpdater updater(List<String> names) {
        Rfc2136DnsUpdater.Builder builder = Rfc2136DnsUpdater.builder()
                .tsig(tsig)
                .manage(names.toArray(String[]::new))
                .defaultTtl(ttl);
        servers.forEach(builder::server);
        zone.ifPresent(builder::zone);
        return builder.build();
    }
}
