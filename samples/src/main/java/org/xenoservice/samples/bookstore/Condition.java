package org.xenoservice.samples.bookstore;

import java.util.Arrays;
import java.util.Optional;

/**
 * The condition of a copy, on the booksellers' usual scale, so that the catalogue, the pages and
 * the price list all name a copy's state the same way.
 */
public enum Condition {
    /** As new. */
    FINE("Fine"),
    /** Almost as new. */
    NEAR_FINE("Near Fine"),
    /** Some wear, no defects. */
    VERY_GOOD("Very Good"),
    /** Ordinary wear. */
    GOOD("Good"),
    /** Worn, complete. */
    FAIR("Fair"),
    /** A reading copy. */
    POOR("Poor");

    private final String label;

    Condition(String label) {
        this.label = label;
    }

    /** The label as the catalogue writes it, e.g. {@code Near Fine}. */
    public String label() {
        return label;
    }

    /** The condition whose label is exactly {@code label}. */
    static Optional<Condition> fromLabel(String label) {
        return Arrays.stream(values()).filter(c -> c.label.equals(label)).findFirst();
    }

    /** The labels, for error messages. */
    static String labels() {
        return String.join(", ", Arrays.stream(values()).map(Condition::label).toList());
    }
}
