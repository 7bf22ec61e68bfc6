package org.xenoservice.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.NameTooLongException;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;
import org.xenoservice.dns.DnsUpdateException.Reason;

/**
 * {@link DnsUpdater} that sends RFC 2136 dynamic updates, signed with TSIG, to the zone's primary
 * server (BIND, Knot, PowerDNS …).
 *
 * <pre>{@code
 * try (DnsUpdater dns = Rfc2136DnsUpdater.builder()
 *     .server("ns1.books.example:53")
 *     .tsig(TsigKey.parse("hmac-sha256:xeno-books:c2VjcmV0c2VjcmV0c2VjcmV0"))
 *     .manage("books.example")
 *     .build()) {
 *   dns.add("books.example", List.of(InetAddress.getByName("192.0.2.10")));
 * }
 * }</pre>
 *
 * <p>How it behaves:
 * <ul>
 *   <li>Every change of one call is one UPDATE message; it goes over UDP, or TCP when it is larger
 *       than {@value #MAX_UDP_BYTES} bytes (and dnsjava retries over TCP when an answer is truncated).
 *   <li>The zone is the one configured, or found from the SOA the server returns for the name.
 *   <li>A server that does not answer in {@link Builder#timeout} is asked again after a backoff, up
 *       to {@link Builder#attempts} times; then the next server is tried. So is one that answers
 *       SERVFAIL. Any other refusal fails at once with a {@link DnsUpdateException} that says what
 *       to fix.
 *   <li>{@link #replace} and {@link #lowerTtl} send the records they read as prerequisites; when
 *       another updater changed them meanwhile the server answers NXRRSET or YXRRSET and the change
 *       is read and tried again, up to {@link Builder#conflictRetries} times.
 *   <li>Names outside {@link Builder#manage} are refused before anything is sent.
 *   <li>As {@link ChallengeRecords}, it writes the {@code _acme-challenge} TXT records of the managed
 *       names (with the default TTL) for ACME DNS-01, and reads them back from the first server
 *       that answers, which should be the zone's primary.
 * </ul>
 *
 * <p>Safe for concurrent use.
 */
public final class Rfc2136DnsUpdater implements DnsUpdater, ChallengeRecords {
    private static final Logger LOG = LoggerFactory.getLogger(Rfc2136DnsUpdater.class);

    /** TTL of added records when none is given: short, so that withdrawn peers leave caches soon. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    /** How long to wait for one answer. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** How many times one server is asked before the next is tried. */
    public static final int DEFAULT_ATTEMPTS = 3;
    /** The wait before the second attempt; it doubles for each further attempt. */
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(100);
    /** How many times a replace is read again after a concurrent change. */
    public static final int DEFAULT_CONFLICT_RETRIES = 8;
    /** Messages larger than this go over TCP (the classic UDP limit of RFC 1035). */
    public static final int MAX_UDP_BYTES = 512;
    /** The largest TTL accepted: one day. */
    public static final Duration MAX_TTL = Duration.ofDays(1);

    private final List<DnsServer> servers;
    private final Optional<Name> zone;
    private final Optional<TSIG> tsig;
    private final Set<Name> managed;
    private final Duration defaultTtl;
    private final Duration timeout;
    private final int attempts;
    private final Duration backoff;
    private final int conflictRetries;
    private final UpdateFailures classifier;
    private final Map<Name, Name> zoneCache = new ConcurrentHashMap<>();
    private final Map<Route, SimpleResolver> resolvers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LongAdder messages = new LongAdder();
    private final LongAdder tcpMessages = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder failures = new LongAdder();

    private Rfc2136DnsUpdater(Builder builder) {
        this.servers = List.copyOf(builder.servers);
        this.zone = builder.zone;
        this.tsig = builder.tsig.map(key -> new TSIG(
                algorithmName(key.algorithm()),
                absolute(key.name()),
                new SecretKeySpec(key.secret(), key.algorithm().jcaName()),
                builder.clock));
        this.managed = Set.copyOf(builder.managed);
        this.defaultTtl = builder.defaultTtl;
        this.timeout = builder.timeout;
        this.attempts = builder.attempts;
        this.backoff = builder.backoff;
        this.conflictRetries = builder.conflictRetries;
        this.classifier = new UpdateFailures(builder.tsig, servers.get(0));
    }

    /** Starts the configuration of an updater. */
    public static Builder builder() {
        return new Builder();
    }

    /** Counts since the updater was built, for metrics and for tests. */
    public record Metrics(long messagesSent, long tcpMessages, long retries, long conflicts, long failures) {}

    /** Configures an {@link Rfc2136DnsUpdater}. */
    public static final class Builder {
        private final List<DnsServer> servers = new ArrayList<>();
        private Optional<Name> zone = Optional.empty();
        private Optional<TsigKey> tsig = Optional.empty();
        private boolean unsigned;
        private final Set<Name> managed = new LinkedHashSet<>();
        private Duration defaultTtl = DEFAULT_TTL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int attempts = DEFAULT_ATTEMPTS;
        private Duration backoff = DEFAULT_BACKOFF;
        private int conflictRetries = DEFAULT_CONFLICT_RETRIES;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Adds a server, {@code HOST[:PORT]}; servers are tried in the order added. At least one. */
        public Builder server(String hostAndPort) {
            return server(DnsServer.parse(hostAndPort));
        }

        /** Adds a server; servers are tried in the order added. At least one. */
        public Builder server(DnsServer server) {
            servers.add(Objects.requireNonNull(server, "server"));
            return this;
        }

        /** The zone to update, e.g. {@code books.example}; found from the name's SOA when not given. */
        public Builder zone(String zoneName) {
            this.zone = Optional.of(parseName("zone", zoneName));
            return this;
        }

        /** The TSIG key that signs every message; required unless {@link #unsigned()} is called. */
        public Builder tsig(TsigKey key) {
            this.tsig = Optional.of(Objects.requireNonNull(key, "key"));
            return this;
        }

        /** Sends unsigned updates, for a server that accepts updates by address only (not advised). */
        public Builder unsigned() {
            this.unsigned = true;
            return this;
        }

        /** Names this updater may change (exact names); any other is refused before sending. At least one. */
        public Builder manage(String... names) {
            for (String name : names) {
                managed.add(parseName("managed name", name));
            }
            return this;
        }

        /** TTL of added records when a call gives none; {@link #DEFAULT_TTL} by default. */
        public Builder defaultTtl(Duration ttl) {
            this.defaultTtl = checkTtl(ttl);
            return this;
        }

        /** How long to wait for each answer; {@link #DEFAULT_TIMEOUT} by default. */
        public Builder timeout(Duration value) {
            Objects.requireNonNull(value, "timeout");
            if (value.isNegative() || value.isZero() || value.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("timeout must be between 1 ms and 1 min, but was " + value);
            }
            this.timeout = value;
            return this;
        }

        /** How many times each server is asked; {@link #DEFAULT_ATTEMPTS} by default. */
        public Builder attempts(int value) {
            if (value < 1 || value > 10) {
                throw new IllegalArgumentException("attempts must be between 1 and 10, but was " + value);
            }
            this.attempts = value;
            return this;
        }

        /** The wait before the second attempt, doubling after; {@link #DEFAULT_BACKOFF} by default. */
        public Builder backoff(Duration value) {
            Objects.requireNonNull(value, "backoff");
            if (value.isNegative() || value.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("backoff must be between 0 and 10 s, but was " + value);
            }
            this.backoff = value;
            return this;
        }

        /** How many times a conflicting replace is retried; {@link #DEFAULT_CONFLICT_RETRIES} by default. */
        public Builder conflictRetries(int value) {
            if (value < 0 || value > 100) {
                throw new IllegalArgumentException("conflictRetries must be between 0 and 100, but was " + value);
            }
            this.conflictRetries = value;
            return this;
        }

        /** The clock TSIG signatures are timed with; the system clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Builds the updater.
         *
         * @throws IllegalStateException if no server or managed name was given, or no TSIG key
         *     without {@link #unsigned()}
         */
        public Rfc2136DnsUpdater build() {
            if (servers.isEmpty()) {
                throw new IllegalStateException("no DNS server: call server(\"ns1.example:53\") before build()");
            }
            if (managed.isEmpty()) {
                throw new IllegalStateException(
                        "no managed name: call manage(\"books.example\") with the names " + "this updater may change");
            }
            if (tsig.isEmpty() && !unsigned) {
                throw new IllegalStateException("no TSIG key: updates must be signed; call tsig(TsigKey.parse("
                        + "\"hmac-sha256:NAME:SECRET\")), or unsigned() for a server that trusts addresses");
            }
            return new Rfc2136DnsUpdater(this);
        }
    }

    @Override
    public Duration defaultTtl() {
        return defaultTtl;
    }

    /** What the updater has done so far. */
    public Metrics metrics() {
        return new Metrics(messages.sum(), tcpMessages.sum(), retries.sum(), conflicts.sum(), failures.sum());
    }

    @Override
    public AddressSet show(String name) throws DnsUpdateException {
        Name owner = managedName(name);
        Name zoneName = zoneOf(owner);
        return current(owner, zoneName).asSet(owner);
    }

    @Override
    public void update(String name, Collection<InetAddress> add, Collection<InetAddress> remove, Duration ttl)
            throws DnsUpdateException {
        Name owner = managedName(name);
        long seconds = checkTtl(ttl).toSeconds();
        Set<InetAddress> adding = new LinkedHashSet<>(add);
        Set<InetAddress> removing = new LinkedHashSet<>(remove);
        Set<InetAddress> both = new HashSet<>(adding);
        both.retainAll(removing);
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("addresses " + both + " are both added and removed");
        }
        if (adding.isEmpty() && removing.isEmpty()) {
            return;
        }
        Name zoneName = zoneOf(owner);
        Message response = send(UpdateMessages.change(zoneName, owner, adding, removing, seconds), "update " + owner);
        int rcode = UpdateFailures.rcodeOf(response);
        if (rcode != Rcode.NOERROR) {
            throw failure(rcode, owner, zoneName);
        }
        LOG.info(
                "dns: {} added {} removed {} (ttl {} s) in zone {}",
                owner,
                literals(adding),
                literals(removing),
                seconds,
                zoneName);
    }

    @Override
    public AddressSet replace(String name, Collection<InetAddress> addresses, Duration ttl) throws DnsUpdateException {
        long seconds = checkTtl(ttl).toSeconds();
        List<InetAddress> target = List.copyOf(new LinkedHashSet<>(addresses));
        return rewrite(name, current -> Optional.of(new Target(target, seconds)));
    }

    @Override
    public void lowerTtl(String name, Duration ttl) throws DnsUpdateException {
        long seconds = checkTtl(ttl).toSeconds();
        rewrite(
                name,
                current -> current.records.isEmpty() || current.minTtl() <= seconds
                        ? Optional.empty()
                        : Optional.of(new Target(current.addresses(), seconds)));
    }

    @Override
    public void addChallenge(String name, String value) throws DnsUpdateException {
        changeChallenge(name, value, true);
    }

    @Override
    public void removeChallenge(String name, String value) throws DnsUpdateException {
        changeChallenge(name, value, false);
    }

    @Override
    public Set<String> challengeValues(String name) throws DnsUpdateException {
        Name owner = challengeName(name);
        Name zoneName = zoneOf(owner);
        Set<String> values = new LinkedHashSet<>();
        for (Record record : query(owner, Type.TXT, zoneName)) {
            values.add(String.join("", ((TXTRecord) record).getStrings()));
        }
        return values;
    }

    private void changeChallenge(String name, String value, boolean add) throws DnsUpdateException {
        Name owner = challengeName(name);
        Record record = UpdateMessages.txt(owner, value, defaultTtl.toSeconds());
        Name zoneName = zoneOf(owner);
        String what = (add ? "add" : "remove") + " the TXT record of " + owner;
        Message response = send(UpdateMessages.challenge(zoneName, record, add), what);
        int rcode = UpdateFailures.rcodeOf(response);
        if (rcode != Rcode.NOERROR) {
            failures.increment();
            throw classifier.refusal(rcode, owner, zoneName, "TXT");
        }
        LOG.info("dns: {} TXT record {} in zone {}", add ? "added" : "removed", owner, zoneName);
    }

    /** {@code _acme-challenge.<name>}, for a name this updater manages. */
    private Name challengeName(String name) throws DnsUpdateException {
        Name domain = managedName(name);
        try {
            return Name.concatenate(Name.fromConstantString(ChallengeRecords.CHALLENGE_LABEL), domain);
        } catch (NameTooLongException e) {
            throw new IllegalArgumentException(
                    "name \"" + name + "\" is too long for a " + ChallengeRecords.CHALLENGE_LABEL + " record", e);
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }

    /** The addresses and TTL a rewrite should leave. */
    private record Target(List<InetAddress> addresses, long ttlSeconds) {}

    /** The A and AAAA records of a name as read, to be sent back as prerequisites. */
    private record Current(List<Record> a, List<Record> aaaa, List<Record> records) {
        List<InetAddress> addresses() {
            return records.stream().map(UpdateMessages::addressOf).toList();
        }

        long minTtl() {
            return records.stream().mapToLong(Record::getTTL).min().orElse(0);
        }

        AddressSet asSet(Name owner) {
            return new AddressSet(owner.toString().toLowerCase(Locale.ROOT), addresses(), Duration.ofSeconds(minTtl()));
        }
    }

    /**
     * Reads the records, asks {@code plan} what they should become, and writes that under the
     * prerequisite that they are still what was read; reads again when another updater won.
     */
    private AddressSet rewrite(String name, Function<Current, Optional<Target>> plan) throws DnsUpdateException {
        Name owner = managedName(name);
        Name zoneName = zoneOf(owner);
        for (int round = 0; ; round++) {
            Current current = current(owner, zoneName);
            Optional<Target> wanted = plan.apply(current);
            if (wanted.isEmpty() || alreadyHolds(current, wanted.get())) {
                return current.asSet(owner);
            }
            Target target = wanted.get();
            Update update = UpdateMessages.rewrite(
                    zoneName, owner, current.a(), current.aaaa(), target.addresses(), target.ttlSeconds());
            Message response = send(update, "replace " + owner);
            int rcode = UpdateFailures.rcodeOf(response);
            if (rcode == Rcode.NOERROR) {
                LOG.info(
                        "dns: {} now {} (ttl {} s) in zone {}",
                        owner,
                        literals(target.addresses()),
                        target.ttlSeconds(),
                        zoneName);
                return new AddressSet(
                        owner.toString().toLowerCase(Locale.ROOT),
                        target.addresses(),
                        Duration.ofSeconds(target.addresses().isEmpty() ? 0 : target.ttlSeconds()));
            }
            if (rcode != Rcode.NXRRSET && rcode != Rcode.YXRRSET) {
                throw failure(rcode, owner, zoneName);
            }
            conflicts.increment();
            if (round >= conflictRetries) {
                failures.increment();
                throw UpdateFailures.conflict(owner, round + 1, rcode);
            }
            LOG.debug(
                    "dns: records of {} changed while rewriting them ({}); reading again",
                    owner,
                    UpdateFailures.rcodeName(rcode));
            pause(Duration.ofMillis(ThreadLocalRandom.current().nextLong(1, 10L << Math.min(round, 5))));
        }
    }

    private static boolean alreadyHolds(Current current, Target target) {
        return new HashSet<>(current.addresses()).equals(new HashSet<>(target.addresses()))
                && current.records().size() == target.addresses().size()
                && current.records().stream().allMatch(r -> r.getTTL() == target.ttlSeconds());
    }

    private Current current(Name owner, Name zoneName) throws DnsUpdateException {
        List<Record> a = query(owner, Type.A, zoneName);
        List<Record> aaaa = query(owner, Type.AAAA, zoneName);
        List<Record> all = new ArrayList<>(a);
        all.addAll(aaaa);
        return new Current(a, aaaa, all);
    }

    private List<Record> query(Name owner, int type, Name zoneName) throws DnsUpdateException {
        Message response = send(UpdateMessages.query(owner, type), "query " + owner);
        int rcode = UpdateFailures.rcodeOf(response);
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw failure(rcode, owner, zoneName);
        }
        List<Record> records = new ArrayList<>();
        for (Record record : response.getSection(Section.ANSWER)) {
            if (record.getType() == type && record.getName().equals(owner)) {
                records.add(record);
            }
        }
        return records;
    }

    private Name zoneOf(Name owner) throws DnsUpdateException {
        if (zone.isPresent()) {
            return zone.get();
        }
        Name cached = zoneCache.get(owner);
        if (cached != null) {
            return cached;
        }
        Message response = send(UpdateMessages.query(owner, Type.SOA), "find the zone of " + owner);
        int rcode = UpdateFailures.rcodeOf(response);
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN && rcode != Rcode.REFUSED) {
            throw failure(rcode, owner, owner);
        }
        Optional<Name> found = Optional.empty();
        if (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN) {
            for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
                for (Record record : response.getSection(section)) {
                    if (record instanceof SOARecord && owner.subdomain(record.getName())) {
                        found = Optional.of(record.getName());
                    }
                }
            }
        }
        if (found.isEmpty()) {
            failures.increment();
            throw classifier.zoneNotFound(owner, rcode);
        }
        zoneCache.put(owner, found.get());
        return found.get();
    }

    /** Sends to each server in turn, with retries and backoff; returns the first real answer. */
    private Message send(Message message, String what) throws DnsUpdateException {
        if (closed.get()) {
            throw new DnsUpdateException(Reason.CLOSED, "the updater is closed; build a new one");
        }
        int size = UpdateMessages.wireSize(message, tsig);
        if (size > Message.MAXLENGTH) {
            failures.increment();
            throw UpdateFailures.tooLarge(what, size);
        }
        boolean tcp = size > MAX_UDP_BYTES;
        DnsUpdateException last = null;
        for (DnsServer server : servers) {
            for (int attempt = 1; attempt <= attempts; attempt++) {
                if (attempt > 1) {
                    retries.increment();
                    pause(backoff.multipliedBy(1L << (attempt - 2)));
                }
                try {
                    Message response = exchange(server, message, tcp);
                    int rcode = UpdateFailures.rcodeOf(response);
                    if (rcode == Rcode.SERVFAIL) {
                        last = UpdateFailures.serverFailed(server, what, rcode);
                        continue;
                    }
                    classifier.checkVerified(response, server, rcode);
                    return response;
                } catch (SocketTimeoutException e) {
                    last = UpdateFailures.timedOut(server, what, timeout, attempt, e);
                } catch (DnsUpdateException e) {
                    failures.increment();
                    throw e;
                } catch (IOException e) {
                    last = UpdateFailures.unreachable(server, what, e);
                }
                LOG.debug("dns: attempt {} of {} to {} failed: {}", attempt, what, server, last.getMessage());
            }
        }
        failures.increment();
        throw last;
    }

    private Message exchange(DnsServer server, Message message, boolean tcp) throws IOException {
        SimpleResolver resolver = resolvers.computeIfAbsent(new Route(server, tcp), this::newResolver);
        messages.increment();
        if (tcp) {
            tcpMessages.increment();
        }
        try {
            return resolver.send(message);
        } catch (IOException e) {
            if (e instanceof SocketTimeoutException || e.getCause() instanceof SocketTimeoutException) {
                SocketTimeoutException timedOut = new SocketTimeoutException(e.getMessage());
                timedOut.initCause(e);
                throw timedOut;
            }
            throw e;
        }
    }

    /** A server reached over UDP or TCP; one resolver each, made once (its address is looked up once). */
    private record Route(DnsServer server, boolean tcp) {}

    private SimpleResolver newResolver(Route route) {
        SimpleResolver resolver = new SimpleResolver(
                new InetSocketAddress(route.server().host(), route.server().port()));
        resolver.setTimeout(timeout);
        resolver.setTCP(route.tcp());
        tsig.ifPresent(resolver::setTSIGKey);
        return resolver;
    }

    /** Counts the failure of a change the server answered {@code rcode} to, and says what to fix. */
    private DnsUpdateException failure(int rcode, Name owner, Name zoneName) {
        failures.increment();
        return classifier.refusal(rcode, owner, zoneName, "A AAAA");
    }

    private Name managedName(String name) throws DnsUpdateException {
        if (closed.get()) {
            throw new DnsUpdateException(Reason.CLOSED, "the updater is closed; build a new one");
        }
        Name owner = parseName("name", name);
        if (!managed.contains(owner)) {
            throw new DnsUpdateException(
                    Reason.NAME_NOT_MANAGED,
                    owner + " is not among the names this updater manages " + managed + "; nothing was sent");
        }
        return owner;
    }

    private static List<String> literals(Collection<InetAddress> addresses) {
        return AddressLiterals.formatAll(addresses);
    }

    private static Name parseName(String what, String text) {
        Objects.requireNonNull(text, what);
        try {
            Name name = Name.fromString(text.toLowerCase(Locale.ROOT), Name.root);
            if (name.labels() < 2) {
                throw new IllegalArgumentException(what + " \"" + text + "\" must not be the root");
            }
            return name;
        } catch (TextParseException e) {
            throw new IllegalArgumentException(what + " \"" + text + "\" is not a DNS name: " + e.getMessage(), e);
        }
    }

    private static Name absolute(String name) {
        return parseName("TSIG key name", name);
    }

    private static Name algorithmName(TsigKey.Algorithm algorithm) {
        return switch (algorithm) {
            case HMAC_SHA256 -> TSIG.HMAC_SHA256;
            case HMAC_SHA512 -> TSIG.HMAC_SHA512;
            case HMAC_SHA1 -> TSIG.HMAC_SHA1;
        };
    }

    private static Duration checkTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.toSeconds() < 1 || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("ttl must be between 1 s and 1 day, but was " + ttl.toSeconds() + " s");
        }
        return ttl;
    }

    private static void pause(Duration duration) throws DnsUpdateException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DnsUpdateException(Reason.TIMEOUT, -1, "interrupted while waiting to retry", e);
        }
    }
}
