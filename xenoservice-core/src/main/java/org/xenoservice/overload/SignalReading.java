package org.xenoservice.overload;

import java.util.OptionalDouble;

/**
 * One signal's current value next to its learned baseline.
 *
 * @param value the value over the last bucket or window
 * @param baseline the value it usually has, once learned; empty for signals without one (CPU)
 */
public record SignalReading(double value, OptionalDouble baseline) {
    /** A reading with a baseline. */
    static SignalReading of(double value, double baseline) {
        return new SignalReading(value, Double.isNaN(baseline) ? OptionalDouble.empty() : OptionalDouble.of(baseline));
    }

    /** A reading without a baseline. */
    static SignalReading of(double value) {
        return new SignalReading(value, OptionalDouble.empty());
    }
}
