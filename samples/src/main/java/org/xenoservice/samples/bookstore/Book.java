package org.xenoservice.samples.bookstore;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One copy the shop sells: an antiquarian bookstore sells copies, not titles, so two editions of
 * a work are two books with two ids. Immutable; the catalogue checks every field as it reads it.
 *
 * @param id the book's id, also its page's name ({@code books/<id>.html}): 1 to
 *     {@value #MAX_ID_CHARS} lower-case letters, digits and dashes, starting with a letter or digit
 * @param title the title as printed, 1 to {@value #MAX_TEXT_CHARS} characters
 * @param author the author, 1 to {@value #MAX_TEXT_CHARS} characters
 * @param year the year of the edition, {@value #MIN_YEAR} to {@value #MAX_YEAR}
 * @param condition the copy's condition
 * @param price the price in pounds, positive, with two decimals
 */
public record Book(String id, String title, String author, int year, Condition condition, BigDecimal price) {
    /** Longest id. */
    public static final int MAX_ID_CHARS = 64;
    /** Longest title or author. */
    public static final int MAX_TEXT_CHARS = 200;
    /** Earliest year: printing with movable type in Europe. */
    public static final int MIN_YEAR = 1450;
    /** Latest year. */
    public static final int MAX_YEAR = 2100;

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0," + (MAX_ID_CHARS - 1) + "}");

    /** Checks every field. */
    public Book {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(price, "price");
        if (!isId(id)) {
            throw new IllegalArgumentException("id must be 1 to " + MAX_ID_CHARS
                    + " lower-case letters, digits and dashes, starting with a letter or digit, but was \"" + id
                    + "\"");
        }
        checkText("title", title);
        checkText("author", author);
        if (year < MIN_YEAR || year > MAX_YEAR) {
            throw new IllegalArgumentException(
                    "year must be between " + MIN_YEAR + " and " + MAX_YEAR + ", but was " + year);
        }
        if (price.signum() <= 0 || price.scale() != 2) {
            throw new IllegalArgumentException(
                    "price must be positive with two decimals, e.g. 125.00, but was " + price);
        }
    }

    /** Whether {@code text} is a valid {@link #id()}. */
    public static boolean isId(String text) {
        return ID.matcher(text).matches();
    }

    /** The price as the shop writes it, e.g. {@code £1,250.00}. */
    public String priceText() {
        return String.format(Locale.UK, "£%,.2f", price);
    }

    private static void checkText(String field, String value) {
        if (value.isBlank() || value.length() > MAX_TEXT_CHARS) {
            throw new IllegalArgumentException(
                    field + " must be 1 to " + MAX_TEXT_CHARS + " characters and not blank, but has " + value.length());
        }
        if (!value.strip().equals(value)) {
            throw new IllegalArgumentException(field + " must not start or end with white space");
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(
                        field + " must not contain control characters, but has one at index " + i);
            }
        }
    }
}
