package org.xenoservice.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * The DNS messages {@link Rfc2136DnsUpdater} sends, built and checked here so that what goes on
 * the wire is in one place, apart from sending, retrying and reading answers: queries for a
 * name's records, a plain RFC 2136 change (deletes, then adds), a rewrite guarded by
 * prerequisites that the records are still what was read, and the TXT change of an ACME challenge.
 *
 * <p>Stateless.
 */
final class UpdateMessages {
    private UpdateMessages() {}

    /** A query for the records of one type at {@code owner}. */
    static Message query(Name owner, int type) {
        return Message.newQuery(Record.newRecord(owner, type, DClass.IN));
    }

    /** An UPDATE of {@code zone} that deletes {@code removing} and then adds {@code adding}. */
    static Update change(
            Name zone, Name owner, Collection<InetAddress> adding, Collection<InetAddress> removing, long ttlSeconds) {
        Update update = new Update(zone);
        for (InetAddress address : removing) {
            update.delete(record(owner, address, 0));
        }
        for (InetAddress address : adding) {
            update.add(record(owner, address, ttlSeconds));
        }
        return update;
    }

    /**
     * An UPDATE of {@code zone} that replaces every A and AAAA record of {@code owner} with
     * {@code addresses}, on condition that its records are still {@code a} and {@code aaaa}.
     */
    static Update rewrite(
            Name zone, Name owner, List<Record> a, List<Record> aaaa, List<InetAddress> addresses, long ttlSeconds) {
        Update update = new Update(zone);
        prerequisites(update, owner, Type.A, a);
        prerequisites(update, owner, Type.AAAA, aaaa);
        update.delete(owner, Type.A);
        update.delete(owner, Type.AAAA);
        for (InetAddress address : addresses) {
            update.add(record(owner, address, ttlSeconds));
        }
        return update;
    }

    /** An UPDATE of {@code zone} that adds, or deletes, this one TXT record (other values at its name stay). */
    static Update challenge(Name zone, Record txt, boolean add) {
        Update update = new Update(zone);
        if (add) {
            update.add(txt);
        } else {
            update.delete(txt);
        }
        return update;
    }

    /** The TXT record holding {@code value} as one character string (ACME values are 43 characters). */
    static Record txt(Name owner, String value, long ttl) {
        if (value.isEmpty() || value.length() > 255 || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("a challenge value must be 1 to 255 visible ASCII characters, but was "
                    + value.length() + " characters long");
        }
        return new TXTRecord(owner, DClass.IN, ttl, value);
    }

    /** The size {@code message} will have on the wire once signed with {@code tsig}. */
    static int wireSize(Message message, Optional<TSIG> tsig) {
        return message.toWire().length + tsig.map(TSIG::recordLength).orElse(0);
    }

    /** The A or AAAA record of {@code address}. */
    static Record record(Name owner, InetAddress address, long ttl) {
        if (address instanceof Inet4Address) {
            return new ARecord(owner, DClass.IN, ttl, address);
        }
        if (address instanceof Inet6Address) {
            return new AAAARecord(owner, DClass.IN, ttl, address);
        }
        throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + address);
    }

    /** The address of an A or AAAA record. */
    static InetAddress addressOf(Record record) {
        return record instanceof ARecord a ? a.getAddress() : ((AAAARecord) record).getAddress();
    }

    /** RFC 2136 2.4: "RRset exists (value dependent)" for what was read, or "RRset does not exist". */
    private static void prerequisites(Update update, Name owner, int type, List<Record> records) {
        if (records.isEmpty()) {
            update.absent(owner, type);
            return;
        }
        for (Record record : records) {
            update.present(Record.newRecord(owner, type, DClass.IN, 0, record.rdataToWireCanonical()));
        }
    }
}
