package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One rule for a site's host name, wherever one is taken. */
class SiteNameTest {
    @Test
    void lowerCasesAHostName() {
        assertEquals("books.example", SiteName.of("Books.EXAMPLE").value());
        assertTrue(valid("xn--bcher-kva.example"));
        assertTrue(valid("localhost"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                ".",
                "books.example.",
                ".books.example",
                "books..example",
                "-books.example",
                "books-.example",
                "books_shop.example",
                "books example",
                "bücher.example",
                "books.example/x",
                "a\u0000b"
            })
    void refusesWhatIsNotAHostName(String host) {
        assertFalse(valid(host), host);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SiteName.of(host));
        assertTrue(e.getMessage().contains("host name"), e.getMessage());
    }

    @Test
    void refusesOverlongNamesAndLabels() {
        assertFalse(valid("a".repeat(64) + ".example"));
        assertTrue(valid("a".repeat(63) + ".example"));
        String long253 = ("a".repeat(62) + ".").repeat(4) + "a";
        assertEquals(253, long253.length());
        assertTrue(valid(long253));
        assertFalse(valid(long253 + "a"));
    }

    @Test
    void theSameRuleHoldsInEveryPlaceThatTakesASite() {
        String bad = "books_shop.example";
        assertThrows(IllegalArgumentException.class, () -> BundleBuilder.forSite(bad));
        assertThrows(
                IllegalArgumentException.class,
                () -> org.xenoservice.XenoConfig.builder().site(bad));
        assertThrows(
                IllegalArgumentException.class,
                () -> new org.xenoservice.peer.Enrollment(
                        bad, TestKeys.SITE.getPublic(), org.xenoservice.protocol.SiteQuota.DEFAULT));
    }

    private static boolean valid(String host) {
        return SiteName.problem(host.toLowerCase(Locale.ROOT)).isEmpty();
    }
}
