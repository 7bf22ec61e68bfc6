package org.xenoservice.replicate;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.xenoservice.dns.AddressSet;
import org.xenoservice.dns.DnsUpdateException;
import org.xenoservice.dns.DnsUpdater;

/**
 * Owns which addresses are in the site's DNS name: the peers the replicator put there (or adopted
 * from an earlier run) and whether the origin is sheltered (out of the name). This is the one place
 * that says whether a peer is in DNS; {@link Replica} states and {@link ReplicationStatus} derive
 * from it. Each change is one UPDATE; a failed one is retried after a {@link Backoff}, and until it
 * succeeds nothing is recorded as changed.
 *
 * <p>Without DNS settings, no name is touched and "in DNS" means "would be": confirmed peers count
 * as in the name at once, so that the rest of the flood's life cycle runs the same.
 *
 * <p>Not thread-safe: confined to the replicator's loop thread.
 */
final class DnsReconciler {
    private final Optional<DnsSettings> settings;
    private final Optional<DnsUpdater> updater;
    private final List<Replica> replicas;
    private final StepLog log;
    private final Set<Replica> inName = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean originSheltered;
    private boolean leftoversChecked;
    private int failuresInRow;
    private Instant nextAttempt = Instant.MIN;
    private long updates;
    private long failures;

    /**
     * @param settings the name, TTL and origin addresses; empty when no DNS is configured
     * @param updater sends the changes; present exactly when {@code settings} is
     */
    DnsReconciler(Optional<DnsSettings> settings, Optional<DnsUpdater> updater, List<Replica> replicas, StepLog log) {
        this.settings = settings;
        this.updater = updater;
        this.replicas = replicas;
        this.log = log;
    }

    /** Whether {@code replica}'s addresses are in the name. */
    boolean contains(Replica replica) {
        return inName.contains(replica);
    }

    /** The peers in the name, in configuration order. */
    List<Replica> inDns() {
        return replicas.stream().filter(inName::contains).toList();
    }

    /** The peer addresses in the name, in configuration order. */
    List<InetAddress> addresses() {
        List<InetAddress> addresses = new ArrayList<>();
        inDns().forEach(replica -> addresses.addAll(replica.spec().servingAddresses()));
        return addresses;
    }

    boolean originSheltered() {
        return originSheltered;
    }

    /** UPDATE messages that succeeded. */
    long updates() {
        return updates;
    }

    /** DNS reads and updates that failed. */
    long failures() {
        return failures;
    }

    /** How long withdrawn peers keep serving: twice the TTL, so cached answers expire first; zero without DNS. */
    Duration drainTime() {
        return settings.map(dns -> dns.ttl().multipliedBy(2)).orElse(Duration.ZERO);
    }

    /**
     * Once, before anything else touches the name, reads it: peers whose addresses are there were left
     * by an earlier run (e.g. a crash during a flood) and are taken as in the name. Skipped for good
     * if a flood came first ({@code calm} false or peers already added): the name is then this run's own.
     *
     * @return the peers adopted; empty when none, or not now
     */
    List<Replica> adoptLeftovers(Instant now, boolean calm) {
        if (leftoversChecked || updater.isEmpty()) {
            return List.of();
        }
        if (!calm || !inName.isEmpty()) {
            leftoversChecked = true;
            return List.of();
        }
        if (now.isBefore(nextAttempt)) {
            return List.of();
        }
        DnsSettings dns = settings.orElseThrow();
        AddressSet current;
        try {
            current = updater.get().show(dns.name());
        } catch (DnsUpdateException e) {
            failed(now, "read " + dns.name(), e);
            return List.of();
        }
        leftoversChecked = true;
        failuresInRow = 0;
        nextAttempt = Instant.MIN;
        List<Replica> left = replicas.stream()
                .filter(replica -> replica.spec().servingAddresses().stream().anyMatch(current.addresses()::contains))
                .toList();
        if (!left.isEmpty()) {
            inName.addAll(left);
            originSheltered =
                    dns.shelterOrigin() && dns.originAddresses().stream().noneMatch(current.addresses()::contains);
        }
        return left;
    }

    /**
     * Adds every peer that confirmed it serves, is not in the name yet and is {@code admissible}
     * (holds a valid certificate), in one UPDATE; the first such UPDATE also takes the origin out if
     * it is to be sheltered.
     */
    void admitConfirmed(Instant now, Predicate<Replica> admissible) {
        List<Replica> confirmed = replicas.stream()
                .filter(replica -> replica.awaitsDns(inName.contains(replica)) && admissible.test(replica))
                .toList();
        if (confirmed.isEmpty()) {
            return;
        }
        if (settings.isEmpty()) {
            inName.addAll(confirmed);
            log.step(
                    now,
                    Replica.names(confirmed) + " serve the site (no DNS configured: clients must be sent to them"
                            + " otherwise)");
            return;
        }
        if (now.isBefore(nextAttempt)) {
            return;
        }
        DnsSettings dns = settings.get();
        Set<InetAddress> add = new LinkedHashSet<>();
        confirmed.forEach(replica -> add.addAll(replica.spec().servingAddresses()));
        List<InetAddress> remove = dns.shelterOrigin() && !originSheltered ? dns.originAddresses() : List.of();
        String what = "add " + Replica.names(confirmed) + (remove.isEmpty() ? "" : " and shelter the origin");
        if (update(now, add, remove, what)) {
            inName.addAll(confirmed);
            if (!remove.isEmpty()) {
                originSheltered = true;
            }
        }
    }

    /**
     * Takes every peer out of the name and puts a sheltered origin back, in one UPDATE.
     *
     * @return the peers taken out; empty when the UPDATE failed or waits for its backoff
     */
    Optional<List<Replica>> withdrawAll(Instant now) {
        List<Replica> leaving = inDns();
        if (settings.isPresent() && (!leaving.isEmpty() || originSheltered)) {
            if (now.isBefore(nextAttempt)) {
                return Optional.empty();
            }
            Set<InetAddress> remove = new LinkedHashSet<>();
            leaving.forEach(replica -> remove.addAll(replica.spec().servingAddresses()));
            List<InetAddress> add = originSheltered ? settings.get().originAddresses() : List.of();
            String what = "withdraw " + Replica.names(leaving) + (add.isEmpty() ? "" : " and restore the origin");
            if (!update(now, add, remove, what)) {
                return Optional.empty();
            }
            originSheltered = false;
        }
        inName.clear();
        return Optional.of(leaving);
    }

    private boolean update(Instant now, Collection<InetAddress> add, Collection<InetAddress> remove, String what) {
        DnsSettings dns = settings.orElseThrow();
        try {
            updater.orElseThrow().update(dns.name(), add, remove, dns.ttl());
        } catch (DnsUpdateException e) {
            failed(now, what, e);
            return false;
        }
        updates++;
        failuresInRow = 0;
        nextAttempt = Instant.MIN;
        log.step(
                now,
                "DNS: " + what + " (" + dns.name() + " +" + add + " -" + remove + ", TTL "
                        + dns.ttl().toSeconds() + " s)");
        return true;
    }

    private void failed(Instant now, String what, DnsUpdateException e) {
        failures++;
        failuresInRow++;
        Duration backoff = Backoff.after(failuresInRow);
        nextAttempt = now.plus(backoff);
        log.step(
                now,
                "DNS: cannot " + what + " (" + e.reason() + ": " + e.getMessage() + "); retrying in "
                        + backoff.toMillis() + " ms");
    }
}
