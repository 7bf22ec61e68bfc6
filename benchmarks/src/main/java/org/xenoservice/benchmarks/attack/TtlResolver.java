package org.xenoservice.benchmarks.attack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A stub resolver with a cache, as a browser's or a bot's: it asks one DNS server for the site's A
 * records, keeps the answer for as long as its {@link KeepRule} says (the TTL, by default), and asks
 * again when that has run out. When the server does not answer, the last answer stays in use
 * (counted in {@link #failures()}). Safe for concurrent use: one caller refreshes, the others wait
 * for it.
 */
final class TtlResolver {
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);
    private static final long MIN_TTL_MILLIS = 1_000;

    /** How long a client keeps an answer with a given TTL, in milliseconds. */
    @FunctionalInterface
    interface KeepRule {
        /** Honours the TTL (at least {@value #MIN_TTL_MILLIS} ms). */
        KeepRule TTL = ttlMillis -> ttlMillis;
        /** Keeps the first answer for good: a bot that resolved the name once. */
        KeepRule FOREVER = ttlMillis -> Long.MAX_VALUE / 4;

        long keptMillis(long ttlMillis);
    }

    private final SimpleResolver resolver;
    private final Name name;
    private final Consumer<List<InetAddress>> onChange;
    private final KeepRule keep;
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private List<InetAddress> addresses = List.of();
    private long expiresAtMillis;

    TtlResolver(InetSocketAddress server, String host, Consumer<List<InetAddress>> onChange) {
        this(server, host, onChange, KeepRule.TTL);
    }

    TtlResolver(InetSocketAddress server, String host, Consumer<List<InetAddress>> onChange, KeepRule keep) {
        this.resolver = new SimpleResolver(server);
        resolver.setTimeout(QUERY_TIMEOUT);
        try {
            this.name = Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a host name: " + host, e);
        }
        this.onChange = onChange;
        this.keep = keep;
    }

    /** The site's addresses now: from the cache while the TTL lasts, else from the server. */
    synchronized List<InetAddress> addresses() {
        long now = System.currentTimeMillis();
        if (now >= expiresAtMillis || addresses.isEmpty()) {
            refresh(now);
        }
        return addresses;
    }

    long queries() {
        return queries.get();
    }

    long failures() {
        return failures.get();
    }

    private void refresh(long now) {
        queries.incrementAndGet();
        try {
            Message answer = resolver.send(Message.newQuery(Record.newRecord(name, Type.A, DClass.IN)));
            if (answer.getRcode() != Rcode.NOERROR) {
                throw new IOException("DNS answered " + Rcode.string(answer.getRcode()));
            }
            List<InetAddress> found = new ArrayList<>();
            long ttlSeconds = Long.MAX_VALUE;
            for (Record record : answer.getSection(Section.ANSWER)) {
                if (record instanceof ARecord a) {
                    found.add(a.getAddress());
                    ttlSeconds = Math.min(ttlSeconds, a.getTTL());
                }
            }
            if (found.isEmpty()) {
                throw new IOException("no A record for " + name);
            }
            found.sort((x, y) -> x.getHostAddress().compareTo(y.getHostAddress()));
            expiresAtMillis = now + Math.max(MIN_TTL_MILLIS, keep.keptMillis(ttlSeconds * 1000));
            if (!found.equals(addresses)) {
                addresses = List.copyOf(found);
                onChange.accept(addresses);
            }
        } catch (IOException e) {
            failures.incrementAndGet();
            expiresAtMillis = now + MIN_TTL_MILLIS;
        }
    }
}
