package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sheltered origin's link budget: a second's worth at most, refilled at its rate, 0 for none. */
class LinkBudgetTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Test
    void aSecondsWorthGoesOutThenPagesWaitForTheRefill() {
        LinkBudget budget = new LinkBudget(10_000, nanos::get);
        for (int page = 0; page < 5; page++) {
            assertTrue(budget.take(2_000), "page " + page + " of a second's worth");
        }
        assertFalse(budget.take(2_000), "the second's worth is spent");
        assertEquals(1, budget.refused());
        nanos.addAndGet(100_000_000L); // 0.1 s: 1,000 bytes back
        assertTrue(budget.take(2_000), "into debt by one page");
        assertFalse(budget.take(1), "and then nothing until the debt is paid");
        nanos.addAndGet(10_000_000_000L);
        assertTrue(budget.take(50_000), "a page larger than a second's worth still goes out after a pause");
        assertEquals(2, budget.refused());
    }

    @Test
    void noBudgetRefusesNothing() {
        LinkBudget none = new LinkBudget(0, nanos::get);
        for (int page = 0; page < 1_000; page++) {
            assertTrue(none.take(1 << 20));
        }
        assertEquals(0, none.refused());
    }
}
