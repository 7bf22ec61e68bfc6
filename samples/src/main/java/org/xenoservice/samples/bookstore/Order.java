package org.xenoservice.samples.bookstore;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One customer's order, as the shop keeps it: the value the {@link OrderBook} stores once per
 * {@link #id()}. The id is what makes a retried or re-delivered order harmless: the order form's
 * hidden {@code order-id}, the client's {@code Idempotency-Key}, or the key a replica gave the
 * order it captured. Immutable; every field is checked.
 *
 * @param id the order id: 1 to {@value #MAX_ID_CHARS} printable ASCII characters, no space
 *     (the rule of an idempotency key)
 * @param bookId the id of the book ordered (see {@link Book#id()})
 * @param customerEmail where to confirm the order: {@code local@domain}, ASCII, at most
 *     {@value #MAX_EMAIL_CHARS} characters
 * @param quantity how many copies, 1 to {@value #MAX_QUANTITY}
 * @param placedAt when the customer placed it (for a captured order, when the replica took it)
 */
public record Order(String id, String bookId, String customerEmail, int quantity, Instant placedAt) {
    /** Longest order id, as long as an idempotency key may be. */
    public static final int MAX_ID_CHARS = 128;
    /** Longest e-mail address. */
    public static final int MAX_EMAIL_CHARS = 254;
    /** Most copies in one order. */
    public static final int MAX_QUANTITY = 10;

    private static final Pattern EMAIL =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    /** Checks every field. */
    public Order {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(bookId, "bookId");
        Objects.requireNonNull(customerEmail, "customerEmail");
        Objects.requireNonNull(placedAt, "placedAt");
        if (!isId(id)) {
            throw new IllegalArgumentException("order id must be 1 to " + MAX_ID_CHARS
                    + " printable ASCII characters without spaces, but has " + id.length() + " characters");
        }
        if (!Book.isId(bookId)) {
            throw new IllegalArgumentException("book must be a book id (lower-case letters, digits and dashes)");
        }
        if (!isEmail(customerEmail)) {
            throw new IllegalArgumentException("e-mail must be an address such as reader@example.com");
        }
        if (quantity < 1 || quantity > MAX_QUANTITY) {
            throw new IllegalArgumentException(
                    "quantity must be between 1 and " + MAX_QUANTITY + ", but was " + quantity);
        }
    }

    /** Whether {@code id} is a valid {@link #id()}. */
    public static boolean isId(String id) {
        return !id.isEmpty() && id.length() <= MAX_ID_CHARS && id.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /** Whether {@code email} is a valid {@link #customerEmail()}. */
    public static boolean isEmail(String email) {
        return email.length() <= MAX_EMAIL_CHARS && EMAIL.matcher(email).matches();
    }

    /** Names the order; the e-mail address is masked, as it is personal data. */
    @Override
    public String toString() {
        int at = customerEmail.indexOf('@');
        return "Order[" + id + ": " + quantity + " x " + bookId + " for " + customerEmail.charAt(0) + "***"
                + customerEmail.substring(at) + " at " + placedAt + "]";
    }
}
