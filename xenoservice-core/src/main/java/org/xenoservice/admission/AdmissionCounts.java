package org.xenoservice.admission;

/**
 * A snapshot of {@link AdmissionControl}, for {@code /_xeno/status} and metrics: the limit as it
 * stands, and per class of traffic the requests in flight and the monotonic counts of those
 * admitted and shed. Made by {@link AdmissionControl#counts()}; the fields are read one after the
 * other without a lock, so under load they may be a few requests apart, but in-flight counts are
 * never negative and are exact once the requests they count have ended.
 *
 * @param engaged whether the limit applies (the origin is overloaded or sheltered)
 * @param limit the adaptive concurrency limit: requests in flight at most, both classes together
 * @param peerReserve the part of {@code limit} that direct requests cannot take
 * @param peer the peers' back-channel requests
 * @param direct every other request
 */
public record AdmissionCounts(boolean engaged, int limit, int peerReserve, TrafficCounts peer, TrafficCounts direct) {
    /** Requests of both classes in flight. */
    public long inFlight() {
        return peer.inFlight() + direct.inFlight();
    }

    /**
     * The counts of one class of traffic.
     *
     * @param inFlight admitted and not yet released
     * @param admitted admitted since the start, engaged or not
     * @param shed refused since the start (only while engaged)
     */
    public record TrafficCounts(long inFlight, long admitted, long shed) {}
}
