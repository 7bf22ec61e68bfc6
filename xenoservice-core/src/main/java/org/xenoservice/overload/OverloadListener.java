package org.xenoservice.overload;

/**
 * Receives the detector's state changes, e.g. the replicator. Called on the detector's event thread,
 * never on a request thread, one event at a time in sequence order. A listener that throws is
 * logged and skipped; one that blocks delays only later events, never detection.
 */
@FunctionalInterface
public interface OverloadListener {
    /** Called once per state change. */
    void onEvent(OverloadEvent event);
}
