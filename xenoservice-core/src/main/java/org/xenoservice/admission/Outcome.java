package org.xenoservice.admission;

/**
 * How an admitted request ended, for {@link AdmissionControl#release}: what the adaptive limit
 * learns from it. Both adapters map their requests with {@link #ofStatus} and {@link #FAILED} for
 * an exception or a timeout, so that they teach the limit the same things.
 */
public enum Outcome {
    /** The application answered: its latency is a sample of how loaded it is. */
    SUCCEEDED,
    /**
     * The application failed: it threw, answered 5xx, or its server gave up on it (an asynchronous
     * timeout). A sign of overload: the limit shrinks.
     */
    FAILED,
    /**
     * The request ended without telling anything about the application (the client went away
     * before a response was sent): it only leaves the in-flight count, the limit does not move.
     */
    IGNORED;

    /**
     * The outcome of a request that completed with {@code status}: {@code 0} (nothing was sent, the
     * client went away) is {@link #IGNORED}, a 5xx {@link #FAILED}, anything else {@link
     * #SUCCEEDED}; a 4xx is the application's answer, and its latency counts like any other.
     */
    public static Outcome ofStatus(int status) {
        if (status <= 0) {
            return IGNORED;
        }
        return status >= 500 ? FAILED : SUCCEEDED;
    }
}
