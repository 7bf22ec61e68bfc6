package org.xenoservice.overload;

/**
 * A monotonic time source in nanoseconds, as {@link System#nanoTime()}. Injected so that tests can
 * replay hours of traffic in a second without sleeping.
 *
 * <p>Implementations must be safe for concurrent use and cheap: it is called twice per request.
 */
@FunctionalInterface
public interface NanoClock {
    /** The system's monotonic clock. */
    NanoClock SYSTEM = System::nanoTime;

    /** The current time in nanoseconds; only differences are meaningful. */
    long nanoTime();
}
