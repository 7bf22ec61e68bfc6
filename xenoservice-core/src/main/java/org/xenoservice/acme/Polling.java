package org.xenoservice.acme;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Waits for something at the CA or the DNS server with a bounded backoff and a bounded total time:
 * looks, and while it is not there yet sleeps {@link #FIRST_DELAY}, then twice as long each time
 * up to {@link #MAX_DELAY}, or longer where the CA asked for it with Retry-After (up to
 * {@link #MAX_RETRY_AFTER}), never past the deadline; one last look at the deadline.
 *
 * <p>The clock and the sleep are injected, so the schedule is unit-tested without sleeping.
 * Immutable; safe for concurrent use.
 */
final class Polling {
    /** The first pause between looks. */
    static final Duration FIRST_DELAY = Duration.ofMillis(200);
    /** The longest pause the backoff grows to. */
    static final Duration MAX_DELAY = Duration.ofSeconds(5);
    /** The longest Retry-After honoured; a CA asking for more is asked again after this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(1);

    /** Sleeps, as {@link Thread#sleep} does. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** One look: done, or not yet (with the time the CA asked to be asked again, if it did). */
    record Look(boolean done, Optional<Instant> retryAfter) {
        static final Look DONE = new Look(true, Optional.empty());
        static final Look NOT_YET = new Look(false, Optional.empty());

        static Look notYet(Optional<Instant> retryAfter) {
            return new Look(false, retryAfter);
        }
    }

    /** Looks once; may throw to end the wait with that failure. */
    @FunctionalInterface
    interface Probe {
        Look look() throws IssuanceException;
    }

    private final Clock clock;
    private final Sleeper sleeper;

    Polling(Clock clock, Sleeper sleeper) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** Real time. */
    static Polling system() {
        return new Polling(Clock.systemUTC(), duration -> Thread.sleep(duration.toMillis()));
    }

    /**
     * Looks until {@code probe} says done or {@code timeout} has passed.
     *
     * @return whether it was done in time
     * @throws IssuanceException what the probe threw, or {@link IssuanceException.Reason#INTERRUPTED}
     */
    boolean await(Duration timeout, Probe probe) throws IssuanceException {
        Instant deadline = clock.instant().plus(timeout);
        Duration backoff = FIRST_DELAY;
        while (true) {
            Look look = probe.look();
            if (look.done()) {
                return true;
            }
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                return false;
            }
            Duration pause = pause(backoff, look.retryAfter(), now, deadline);
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IssuanceException(IssuanceException.Reason.INTERRUPTED, "interrupted while waiting", e);
            }
            backoff = min(backoff.multipliedBy(2), MAX_DELAY);
        }
    }

    /** The pause before the next look: the backoff, or the CA's Retry-After if later, never past the deadline. */
    static Duration pause(Duration backoff, Optional<Instant> retryAfter, Instant now, Instant deadline) {
        Duration pause = backoff;
        if (retryAfter.isPresent()) {
            Duration asked = Duration.between(now, retryAfter.get());
            if (asked.compareTo(pause) > 0) {
                pause = min(asked, MAX_RETRY_AFTER);
            }
        }
        return min(pause, Duration.between(now, deadline));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
