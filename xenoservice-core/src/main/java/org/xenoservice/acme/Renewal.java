package org.xenoservice.acme;

import java.time.Duration;
import java.time.Instant;

/**
 * When to renew a certificate: inside the window the CA suggests through ACME Renewal Information
 * (RFC 9773), at a point the caller draws at random so that many origins do not all come at once;
 * or, from a CA without it, when a third of the lifetime is left (Let's Encrypt's advice: 30 days
 * before the end of 90). Stateless arithmetic, apart from the network, so that it is unit-tested.
 */
final class Renewal {
    private Renewal() {}

    /** When a third of the lifetime from {@code notBefore} to {@code notAfter} is left. */
    static Instant whenAThirdIsLeft(Instant notBefore, Instant notAfter) {
        Duration lifetime = Duration.between(notBefore, notAfter);
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException(
                    "notAfter must be after notBefore, but was " + notAfter + " <= " + notBefore);
        }
        return notAfter.minus(lifetime.dividedBy(3));
    }

    /**
     * A time in the CA's suggested window {@code [start, end)}, {@code fraction} (0 to 1) of the way
     * in; {@code now} when the window has passed (renewal is overdue), and never after the
     * certificate's {@code notAfter}.
     */
    static Instant inWindow(Instant start, Instant end, double fraction, Instant now, Instant notAfter) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be between 0 and 1, but was " + fraction);
        }
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException(
                    "the renewal window must end after it starts, but was " + start + " to " + end);
        }
        if (!end.isAfter(now)) {
            return now;
        }
        Duration width = Duration.between(start, end);
        Instant chosen = start.plusMillis((long) (width.toMillis() * fraction));
        if (chosen.isAfter(notAfter)) {
            chosen = notAfter;
        }
        return chosen.isBefore(now) ? now : chosen;
    }
}
