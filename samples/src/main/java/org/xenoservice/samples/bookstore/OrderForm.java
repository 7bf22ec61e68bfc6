package org.xenoservice.samples.bookstore;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The order form as posted ({@code application/x-www-form-urlencoded}): the one parser behind
 * the live {@code /order} route of both apps and the capture handler that applies orders a replica
 * took, so an order a replica accepted is read exactly as the origin would have read it.
 *
 * @param bookId the {@value #BOOK} field
 * @param email the {@value #EMAIL} field
 * @param quantity the {@value #QUANTITY} field, 1 when absent
 * @param orderId the {@value #ORDER_ID} field (the page's script fills it), when present and not empty
 */
record OrderForm(String bookId, String email, int quantity, Optional<String> orderId) {
    static final String BOOK = "book";
    static final String EMAIL = "email";
    static final String QUANTITY = "quantity";
    static final String ORDER_ID = "order-id";
    /** The largest form body read, in bytes. */
    static final int MAX_BODY_BYTES = 8 * 1024;

    private static final int MAX_FIELDS = 16;
    private static final String FORM_TYPE = "application/x-www-form-urlencoded";

    /** Why a form was refused: a message fit to show the customer. */
    static final class InvalidOrderException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidOrderException(String message) {
            super(message);
        }
    }

    /**
     * Parses a posted body.
     *
     * @param contentType the request's {@code Content-Type}
     * @throws InvalidOrderException saying what is wrong, in words for the customer
     */
    static OrderForm parse(Optional<String> contentType, byte[] body) throws InvalidOrderException {
        String type = contentType.orElse("").toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        if (!(semicolon < 0 ? type : type.substring(0, semicolon)).strip().equals(FORM_TYPE)) {
            throw new InvalidOrderException("The order must be sent as a form (" + FORM_TYPE + ").");
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new InvalidOrderException("The order form is larger than " + MAX_BODY_BYTES + " bytes.");
        }
        Map<String, String> fields = fields(new String(body, StandardCharsets.ISO_8859_1));
        String book = fields.get(BOOK);
        if (book == null || book.isEmpty()) {
            throw new InvalidOrderException("Please choose a book.");
        }
        if (!Book.isId(book)) {
            throw new InvalidOrderException("There is no such book in the shop.");
        }
        String email = fields.getOrDefault(EMAIL, "").strip();
        if (!Order.isEmail(email)) {
            throw new InvalidOrderException("Please give an e-mail address such as reader@example.com.");
        }
        int quantity = 1;
        String copies = fields.getOrDefault(QUANTITY, "").strip();
        if (!copies.isEmpty()) {
            if (!copies.matches("[0-9]{1,3}")
                    || Integer.parseInt(copies) < 1
                    || Integer.parseInt(copies) > Order.MAX_QUANTITY) {
                throw new InvalidOrderException("Please order between 1 and " + Order.MAX_QUANTITY + " copies.");
            }
            quantity = Integer.parseInt(copies);
        }
        Optional<String> orderId = Optional.ofNullable(fields.get(ORDER_ID)).filter(id -> !id.isEmpty());
        if (orderId.isPresent() && !Order.isId(orderId.get())) {
            throw new InvalidOrderException(
                    "The order id must be 1 to " + Order.MAX_ID_CHARS + " printable characters without spaces.");
        }
        return new OrderForm(book, email, quantity, orderId);
    }

    /** The fields, percent-decoded as UTF-8; a field given twice or a bad escape is refused. */
    private static Map<String, String> fields(String body) throws InvalidOrderException {
        Map<String, String> fields = new HashMap<>();
        if (body.isEmpty()) {
            return fields;
        }
        String[] pairs = body.split("&", -1);
        if (pairs.length > MAX_FIELDS) {
            throw new InvalidOrderException("The order form has more than " + MAX_FIELDS + " fields.");
        }
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            if (name.isEmpty()) {
                continue;
            }
            if (fields.putIfAbsent(name, value) != null) {
                throw new InvalidOrderException("The order form gives the field \""
                        + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "\" twice.");
            }
        }
        return fields;
    }

    private static String decode(String text) throws InvalidOrderException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0x7e || c < 0x20) {
                throw new InvalidOrderException("The order form must be URL-encoded.");
            }
        }
        String decoded;
        try {
            decoded = URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new InvalidOrderException("The order form holds a broken %-escape.");
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (Character.isISOControl(c) || c == '\uFFFD') {
                throw new InvalidOrderException("The order form holds a control character or text that is not UTF-8.");
            }
        }
        return decoded;
    }
}
