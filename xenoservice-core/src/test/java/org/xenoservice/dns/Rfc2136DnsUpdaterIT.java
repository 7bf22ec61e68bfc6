package org.xenoservice.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.dns.DnsUpdateException.Reason;

/** {@link Rfc2136DnsUpdater} against a real BIND 9 on loopback, with TSIG and an update-policy. */
class Rfc2136DnsUpdaterIT {
    private static final String ZONE = BindServer.ZONE;

    @RegisterExtension
    static final BindServerExtension BIND = new BindServerExtension();

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String name(String label) {
        return label + "." + ZONE;
    }

    private static Rfc2136DnsUpdater updater(String keyName, String... names) {
        return updater(b -> b.tsig(BIND.server().key(keyName)), names);
    }

    private static Rfc2136DnsUpdater updater(Consumer<Rfc2136DnsUpdater.Builder> settings, String... names) {
        Rfc2136DnsUpdater.Builder builder =
                Rfc2136DnsUpdater.builder().server(BIND.server().server()).manage(names);
        settings.accept(builder);
        return builder.build();
    }

    @Test
    void addsIpv4AndIpv6InOneMessageAndShowsThem() throws Exception {
        String name = name("shop");
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
            dns.add(name, List.of(ip("192.0.2.2"), ip("2001:db8::1"), ip("192.0.2.1")));
            assertEquals(2, dns.metrics().messagesSent(), "one SOA lookup to find the zone, then one UPDATE");
            AddressSet shown = dns.show(name);
            assertEquals(List.of(ip("192.0.2.1"), ip("192.0.2.2"), ip("2001:db8::1")), shown.addresses());
            assertEquals(Rfc2136DnsUpdater.DEFAULT_TTL, shown.ttl());
            assertEquals(name + ".", shown.name());
        }
    }

    @Test
    void anUpdateTooLargeForOneMessageFailsWholeAndChangesNothing() throws Exception {
        String name = name("huge");
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
            dns.add(name, List.of(ip("192.0.2.1")));
            List<InetAddress> many = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                many.add(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}));
            }

            DnsUpdateException e = assertThrows(DnsUpdateException.class, () -> dns.add(name, many));

            assertEquals(DnsUpdateException.Reason.TOO_LARGE, e.reason());
            assertTrue(e.getMessage().contains("nothing was sent"), e.getMessage());
            assertEquals(List.of(ip("192.0.2.1")), dns.show(name).addresses(), "no partial update reached the server");
        }
    }

    @Test
    void addingAndRemovingTwiceIsHarmless() throws Exception {
        String name = name("idem");
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
            dns.add(name, List.of(ip("192.0.2.10")));
            dns.add(name, List.of(ip("192.0.2.10")));
            assertEquals(List.of(ip("192.0.2.10")), dns.show(name).addresses());
            dns.remove(name, List.of(ip("192.0.2.10")));
            dns.remove(name, List.of(ip("192.0.2.10")));
            assertTrue(dns.show(name).isEmpty());
        }
    }

    @Test
    void updateAddsAndRemovesInTheSameMessage() throws Exception {
        String name = name("swap");
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
            dns.add(name, List.of(ip("192.0.2.1"), ip("192.0.2.2")));
            long before = dns.metrics().messagesSent();
            dns.update(name, List.of(ip("192.0.2.3")), List.of(ip("192.0.2.1")), Duration.ofSeconds(30));
            assertEquals(1, dns.metrics().messagesSent() - before);
            assertEquals(
                    List.of(ip("192.0.2.2"), ip("192.0.2.3")), dns.show(name).addresses());
        }
    }

    @Test
    void replaceLeavesExactlyTheGivenSet() throws Exception {
        String name = name("replace");
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
            dns.add(name, List.of(ip("192.0.2.1"), ip("2001:db8::9")));
            AddressSet result =
                    dns.replace(name, List.of(ip("198.51.100.7"), ip("2001:db8::7")), Duration.ofSeconds(45));
            assertEquals(List.of(ip("198.51.100.7"), ip("2001:db8::7")), result.addresses());
            assertEquals(result, dns.show(name));
            assertEquals(Duration.ofSeconds(45), dns.show(name).ttl());
            assertTrue(dns.replace(name, List.of(), Duration.ofSeconds(30)).isEmpty());
            assertTrue(dns.show(name).isEmpty());
        }
    }

    @Test
    void sixtyAddressesGoInOneMessageOverTcp() throws Exception {
        String name = name("many");
        List<InetAddress> addresses = IntStream.range(1, 61)
                .mapToObj(i -> ip("10.0." + (i / 250) + "." + (i % 250 + 1)))
                .toList();
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
            dns.show(name);
            Rfc2136DnsUpdater.Metrics before = dns.metrics();
            dns.add(name, addresses);
            Rfc2136DnsUpdater.Metrics after = dns.metrics();
            assertEquals(1, after.messagesSent() - before.messagesSent(), "one UPDATE");
            assertEquals(1, after.tcpMessages() - before.tcpMessages(), "sent over TCP");
            assertEquals(
                    Set.copyOf(addresses), Set.copyOf(dns.show(name).addresses()), "read back, through truncation");
        }
    }

    @Test
    void ttlIsPerChangeAndCanBeLoweredAhead() throws Exception {
        String name = name("ttl");
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
            dns.add(name, List.of(ip("192.0.2.1"), ip("192.0.2.2")), Duration.ofHours(1));
            assertEquals(Duration.ofHours(1), dns.show(name).ttl());
            dns.lowerTtl(name, Duration.ofSeconds(20));
            AddressSet lowered = dns.show(name);
            assertEquals(Duration.ofSeconds(20), lowered.ttl());
            assertEquals(List.of(ip("192.0.2.1"), ip("192.0.2.2")), lowered.addresses());
            long before = dns.metrics().messagesSent();
            dns.lowerTtl(name, Duration.ofSeconds(60));
            assertEquals(Duration.ofSeconds(20), dns.show(name).ttl(), "never raised");
            assertEquals(4, dns.metrics().messagesSent() - before, "two reads for lowerTtl, two for show; no UPDATE");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {BindServer.SHA512_KEY, BindServer.SHA1_KEY})
    void otherHmacAlgorithmsWork(String keyName) throws Exception {
        String name = name("alg-" + keyName);
        try (Rfc2136DnsUpdater dns = updater(keyName, name)) {
            dns.add(name, List.of(ip("192.0.2.77")));
            assertEquals(List.of(ip("192.0.2.77")), dns.show(name).addresses());
        }
    }

    @Test
    void configuredZoneIsUsedWithoutLookingUpTheSoa() throws Exception {
        String name = name("zoned");
        try (Rfc2136DnsUpdater dns =
                updater(b -> b.tsig(BIND.server().key(BindServer.FULL_KEY)).zone(ZONE), name)) {
            dns.add(name, List.of(ip("192.0.2.5")));
            Rfc2136DnsUpdater.Metrics metrics = dns.metrics();
            // One UPDATE and no SOA query; a resend after a lost datagram on a loaded machine is a retry.
            assertEquals(1, metrics.messagesSent() - metrics.retries(), "no SOA query: " + metrics);
        }
    }

    @Test
    void wrongSecretIsBadsig() {
        String name = name("badsig");
        TsigKey real = BIND.server().key(BindServer.FULL_KEY);
        TsigKey forged = TsigKey.of(real.algorithm(), real.name(), new byte[32]);
        try (Rfc2136DnsUpdater dns = updater(b -> b.tsig(forged).zone(ZONE), name)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name, List.of(ip("192.0.2.1"))));
            assertEquals(Reason.BADSIG, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("secret"), e.getMessage());
        }
    }

    @Test
    void wrongSecretIsBadsigAlsoWhileFindingTheZone() {
        String name = name("badsig-soa");
        TsigKey real = BIND.server().key(BindServer.FULL_KEY);
        TsigKey forged = TsigKey.of(real.algorithm(), real.name(), new byte[32]);
        try (Rfc2136DnsUpdater dns = updater(b -> b.tsig(forged), name)) {
            DnsUpdateException e = assertThrows(DnsUpdateException.class, () -> dns.show(name));
            assertEquals(Reason.BADSIG, e.reason(), e.getMessage());
        }
    }

    @Test
    void unknownKeyNameIsBadkey() {
        String name = name("badkey");
        TsigKey stranger = TsigKey.of(TsigKey.Algorithm.HMAC_SHA256, "nobody", new byte[32]);
        try (Rfc2136DnsUpdater dns = updater(b -> b.tsig(stranger).zone(ZONE), name)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name, List.of(ip("192.0.2.1"))));
            assertEquals(Reason.BADKEY, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("nobody"), e.getMessage());
        }
    }

    @Test
    void clockSkewBeyondTheFudgeIsBadtime() {
        String name = name("badtime");
        Clock skewed = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
        try (Rfc2136DnsUpdater dns = updater(
                b -> b.tsig(BIND.server().key(BindServer.FULL_KEY)).zone(ZONE).clock(skewed), name)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name, List.of(ip("192.0.2.1"))));
            assertEquals(Reason.BADTIME, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("clock"), e.getMessage());
        }
    }

    @Test
    void nameOutsideTheConfiguredZoneIsNotzone() {
        String name = "www.elsewhere.example";
        try (Rfc2136DnsUpdater dns =
                updater(b -> b.tsig(BIND.server().key(BindServer.FULL_KEY)).zone(ZONE), name)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name, List.of(ip("192.0.2.1"))));
            assertEquals(Reason.NOTZONE, e.reason(), e.getMessage());
        }
    }

    @Test
    void zoneTheServerIsNotPrimaryForIsNotauth() {
        String name = "www.elsewhere.example";
        try (Rfc2136DnsUpdater dns =
                updater(b -> b.tsig(BIND.server().key(BindServer.FULL_KEY)).zone("elsewhere.example"), name)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name, List.of(ip("192.0.2.1"))));
            assertEquals(Reason.NOTAUTH, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("primary"), e.getMessage());
        }
    }

    @Test
    void nameInNoZoneOfTheServerHasNoZone() {
        String name = "www.elsewhere.example";
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name, List.of(ip("192.0.2.1"))));
            assertEquals(Reason.ZONE_NOT_FOUND, e.reason(), e.getMessage());
        }
    }

    @Test
    void updatePolicyRefusalIsRefused() throws Exception {
        String www = name("www");
        String shop = name("policy");
        try (Rfc2136DnsUpdater dns =
                updater(b -> b.tsig(BIND.server().key(BindServer.WWW_ONLY_KEY)).zone(ZONE), www, shop)) {
            dns.add(www, List.of(ip("192.0.2.80")));
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(shop, List.of(ip("192.0.2.1"))));
            assertEquals(Reason.REFUSED, e.reason(), e.getMessage());
            assertEquals(5, e.rcode().orElseThrow(), "REFUSED");
            assertTrue(e.getMessage().contains("update-policy"), e.getMessage());
        }
    }

    @Test
    void unsignedUpdatesAreRefusedByAServerThatWantsKeys() {
        String name = name("unsigned");
        try (Rfc2136DnsUpdater dns = updater(b -> b.unsigned().zone(ZONE), name)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name, List.of(ip("192.0.2.1"))));
            assertEquals(Reason.REFUSED, e.reason(), e.getMessage());
        }
    }

    @Test
    void unmanagedNameIsRefusedBeforeAnythingIsSent() {
        try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name("mine"))) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name("theirs"), List.of(ip("192.0.2.1"))));
            assertEquals(Reason.NAME_NOT_MANAGED, e.reason());
            assertEquals(0, dns.metrics().messagesSent());
        }
    }

    @Test
    void deadServerTimesOutAfterBoundedRetries() throws Exception {
        String name = name("dead");
        int deadPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            deadPort = probe.getLocalPort();
        }
        try (Rfc2136DnsUpdater dns = Rfc2136DnsUpdater.builder()
                .server("127.0.0.1:" + deadPort)
                .tsig(BIND.server().key(BindServer.FULL_KEY))
                .zone(ZONE)
                .manage(name)
                .timeout(Duration.ofMillis(200))
                .attempts(2)
                .backoff(Duration.ofMillis(10))
                .build()) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.add(name, List.of(ip("192.0.2.1"))));
            assertTrue(Set.of(Reason.TIMEOUT, Reason.UNREACHABLE).contains(e.reason()), e.getMessage());
            assertEquals(2, dns.metrics().messagesSent(), "asked twice, then gave up");
        }
    }

    @Test
    void nextServerIsTriedWhenTheFirstIsDead() throws Exception {
        String name = name("failover");
        int deadPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            deadPort = probe.getLocalPort();
        }
        try (Rfc2136DnsUpdater dns = Rfc2136DnsUpdater.builder()
                .server("127.0.0.1:" + deadPort)
                .server(BIND.server().server())
                .tsig(BIND.server().key(BindServer.FULL_KEY))
                .zone(ZONE)
                .manage(name)
                .timeout(Duration.ofMillis(200))
                .attempts(1)
                .build()) {
            dns.add(name, List.of(ip("192.0.2.33")));
            assertEquals(List.of(ip("192.0.2.33")), dns.show(name).addresses());
        }
    }

    @Test
    void concurrentUpdatersDoNotLoseEachOthersRecords() throws Exception {
        String name = name("busy");
        int adders = 6;
        int perAdder = 10;
        ExecutorService pool = Executors.newFixedThreadPool(adders + 2);
        AtomicBoolean adding = new AtomicBoolean(true);
        try (Rfc2136DnsUpdater setup = updater(BindServer.FULL_KEY, name)) {
            setup.add(name, List.of(ip("10.9.9.9")), Duration.ofMinutes(10));
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                work.add(pool.submit(() -> {
                    try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
                        long ttl = 10;
                        while (adding.get()) {
                            try {
                                dns.lowerTtl(name, Duration.ofSeconds(ttl));
                            } catch (DnsUpdateException e) {
                                if (e.reason() != Reason.CONFLICT) {
                                    throw e; // giving up under constant churn is allowed; anything else is not
                                }
                            }
                            ttl = ttl == 10 ? 20 : 10;
                        }
                    }
                    return null;
                }));
            }
            List<Future<?>> adds = new ArrayList<>();
            for (int t = 0; t < adders; t++) {
                int thread = t;
                adds.add(pool.submit(() -> {
                    try (Rfc2136DnsUpdater dns = updater(BindServer.FULL_KEY, name)) {
                        for (int i = 0; i < perAdder; i++) {
                            dns.add(name, List.of(ip("10.1." + thread + "." + i)), Duration.ofMinutes(10));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> add : adds) {
                add.get(60, TimeUnit.SECONDS);
            }
            adding.set(false);
            for (Future<?> rewrite : work) {
                rewrite.get(60, TimeUnit.SECONDS);
            }
            Set<InetAddress> expected = IntStream.range(0, adders)
                    .boxed()
                    .flatMap(t -> IntStream.range(0, perAdder).mapToObj(i -> ip("10.1." + t + "." + i)))
                    .collect(Collectors.toSet());
            Set<InetAddress> held = Set.copyOf(setup.show(name).addresses());
            assertTrue(
                    held.containsAll(expected),
                    () -> "lost: "
                            + expected.stream().filter(a -> !held.contains(a)).toList());
            assertTrue(held.contains(ip("10.9.9.9")));
        } finally {
            pool.shutdownNow();
        }
    }
}
