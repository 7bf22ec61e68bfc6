package org.xenoservice.acme;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.dns.ChallengeRecords;
import org.xenoservice.dns.DnsUpdateException;

/**
 * The challenge TXT records of one order: written one by one, awaited at the zone's primary, and
 * removed again by {@link #close()} whatever happened, so that an order that failed halfway never
 * leaves records behind. A record whose write got no clear answer (a timeout) is removed too, as
 * it may have been written; one the server refused is not.
 *
 * <p>Used by one thread, for one order.
 */
final class ChallengeProof implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChallengeProof.class);
    /** Refusals that mean the record was certainly not written. */
    private static final Set<DnsUpdateException.Reason> NOT_WRITTEN = EnumSet.of(
            DnsUpdateException.Reason.REFUSED,
            DnsUpdateException.Reason.NOTAUTH,
            DnsUpdateException.Reason.NOTZONE,
            DnsUpdateException.Reason.BADKEY,
            DnsUpdateException.Reason.BADSIG,
            DnsUpdateException.Reason.BADTIME,
            DnsUpdateException.Reason.FORMERR,
            DnsUpdateException.Reason.NAME_NOT_MANAGED,
            DnsUpdateException.Reason.ZONE_NOT_FOUND,
            DnsUpdateException.Reason.CLOSED,
            DnsUpdateException.Reason.TOO_LARGE);

    /** One record: the name the certificate is for, and the value the CA asked for. */
    private record Written(String name, String value) {
        String recordName() {
            return recordName(name);
        }

        static String recordName(String name) {
            return ChallengeRecords.CHALLENGE_LABEL + "." + name;
        }
    }

    private final ChallengeRecords records;
    private final List<Written> written = new ArrayList<>();

    ChallengeProof(ChallengeRecords records) {
        this.records = records;
    }

    /** Writes {@code value} at {@code _acme-challenge.<name>}. */
    void publish(String name, String value) throws IssuanceException {
        try {
            records.addChallenge(name, value);
            written.add(new Written(name, value));
        } catch (DnsUpdateException e) {
            if (!NOT_WRITTEN.contains(e.reason())) {
                written.add(new Written(name, value));
            }
            throw AcmeFailures.dns(e, Written.recordName(name));
        }
    }

    /** Waits until the primary answers every record written, each within {@code timeout} in all. */
    void awaitVisible(Polling polling, Duration timeout) throws IssuanceException {
        for (Written record : written) {
            boolean visible = polling.await(timeout, () -> {
                try {
                    return records.challengeValues(record.name()).contains(record.value())
                            ? Polling.Look.DONE
                            : Polling.Look.NOT_YET;
                } catch (DnsUpdateException e) {
                    throw AcmeFailures.dns(e, record.recordName());
                }
            });
            if (!visible) {
                throw AcmeFailures.timedOut(
                        "the zone's primary server to answer the TXT record " + record.recordName()
                                + " that was written to it (is the configured server the zone's primary?)",
                        timeout);
            }
        }
    }

    /** Removes every record written (or maybe written); failures are logged, never thrown. */
    @Override
    public void close() {
        for (Written record : written) {
            try {
                records.removeChallenge(record.name(), record.value());
            } catch (DnsUpdateException e) {
                LOG.warn(
                        "acme: could not remove the challenge TXT record {}; remove it by hand: {}",
                        record.recordName(),
                        e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("acme: could not remove the challenge TXT record {}", record.recordName(), e);
            }
        }
        written.clear();
    }
}
