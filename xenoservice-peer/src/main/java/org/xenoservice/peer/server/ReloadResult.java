package org.xenoservice.peer.server;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@linkplain PeerServer#reload() reload} of a peer's configuration did, so that SIGHUP's log
 * lines and the operator's control call report the same thing: either the new configuration was
 * applied (with what changed, one line each, and the changed settings that wait for a restart) or it
 * was refused as a whole (with why: the file and key at fault) and the peer kept serving the old one.
 *
 * @param refusal why nothing was applied, empty when the configuration was
 * @param changes what changed, one event per line (e.g. {@code site added: books.example})
 * @param restartNeeded settings that changed but take effect only at the next start (listen ports)
 */
public record ReloadResult(Optional<String> refusal, List<String> changes, List<String> restartNeeded) {
    /** Copies the lists. */
    public ReloadResult {
        Objects.requireNonNull(refusal, "refusal");
        changes = List.copyOf(changes);
        restartNeeded = List.copyOf(restartNeeded);
    }

    static ReloadResult refused(String why) {
        return new ReloadResult(Optional.of(why), List.of(), List.of());
    }

    /** Whether the new configuration is the one served now. */
    public boolean applied() {
        return refusal.isEmpty();
    }
}
