package org.xenoservice.samples.bookstore;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Optional;

/**
 * Fuzzes {@link OrderForm#parse}, the parser of the order form a stranger posts (to the origin, or
 * through a peer's capture journal): it either refuses the body with an {@link
 * OrderForm.InvalidOrderException} or returns an order whose every field is valid; nothing else may
 * escape. In a normal build this runs the seed corpus in {@code OrderFormFuzzTestInputs}; run with
 * {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class OrderFormFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void parseRefusesOrReturnsAValidOrder(byte[] body) {
        OrderForm form;
        try {
            form = OrderForm.parse(Optional.of("application/x-www-form-urlencoded; charset=UTF-8"), body);
        } catch (OrderForm.InvalidOrderException refused) {
            return;
        }
        assertTrue(Book.isId(form.bookId()), form.bookId());
        assertTrue(Order.isEmail(form.email()), form.email());
        assertTrue(form.quantity() >= 1 && form.quantity() <= Order.MAX_QUANTITY);
        form.orderId().ifPresent(id -> assertTrue(Order.isId(id), id));
    }
}
