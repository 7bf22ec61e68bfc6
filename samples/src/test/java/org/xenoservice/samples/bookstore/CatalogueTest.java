package org.xenoservice.samples.bookstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.samples.bookstore.CatalogueException.Problem;

/** The catalogue's strict CSV reader: the shop's own file, then every way a row can be wrong. */
class CatalogueTest {
    private static final String HEADER = Catalogue.HEADER + "\n";
    private static final String GOOD =
            "1851-moby-dick,\"Moby-Dick; or, The Whale\",Herman Melville,1851,Fine,1250.00\n";

    @Test
    void loadsTheShopsCatalogueOfSeveralHundredBooks() throws IOException {
        Catalogue catalogue = Catalogue.load();
        assertTrue(catalogue.size() >= 300, "books: " + catalogue.size());
        Set<String> ids = new HashSet<>();
        catalogue.books().forEach(book -> assertTrue(ids.add(book.id()), book.id()));
        assertTrue(
                catalogue.books().stream().anyMatch(book -> book.title().contains("\"Lucky\"")),
                "a title with doubled quotes is read back with its quotes");
        assertTrue(
                catalogue.books().stream().anyMatch(book -> book.title().contains(", ")),
                "a quoted title with a comma is read whole");
    }

    @Test
    void readsQuotedFieldsWithCommasAndDoubledQuotes() throws IOException {
        Catalogue catalogue = read(HEADER + GOOD
                + "1799-almanack,\"The \"\"Lucky\"\" Almanack\",\"Anon, a Gentleman\",1799,Near Fine,19.95\n");
        assertEquals(
                List.of(
                        new Book(
                                "1851-moby-dick",
                                "Moby-Dick; or, The Whale",
                                "Herman Melville",
                                1851,
                                Condition.FINE,
                                new BigDecimal("1250.00")),
                        new Book(
                                "1799-almanack",
                                "The \"Lucky\" Almanack",
                                "Anon, a Gentleman",
                                1799,
                                Condition.NEAR_FINE,
                                new BigDecimal("19.95"))),
                catalogue.books());
        assertEquals("£1,250.00", catalogue.find("1851-moby-dick").orElseThrow().priceText());
    }

    @Test
    void acceptsAByteOrderMarkAndAFileWithoutBooks() throws IOException {
        assertEquals(0, read("\uFEFF" + HEADER).size());
    }

    @Test
    void searchFindsBooksHavingEveryWordIgnoringCase() throws IOException {
        Catalogue catalogue = Catalogue.load();
        List<Book> hits = catalogue.search("MELVILLE whale", 100);
        assertTrue(!hits.isEmpty());
        hits.forEach(book -> assertEquals("Herman Melville", book.author()));
        assertEquals(List.of(), catalogue.search("melville zebra", 100));
        assertEquals(List.of(), catalogue.search("   ", 100));
        assertEquals(2, catalogue.search("dickens", 2).size());
    }

    @Test
    void rejectsARowWithTooFewColumns() {
        CatalogueException e = refused(HEADER + GOOD + "1850-x,Title,Author,1850,Fine\n");
        assertProblem(e, Problem.COLUMN_COUNT, 3, 0);
        assertTrue(e.getMessage().contains("has 5"), e.getMessage());
    }

    @Test
    void rejectsARowWithTooManyColumns() {
        assertProblem(refused(HEADER + "1850-x,Title,Author,1850,Fine,10.00,extra\n"), Problem.COLUMN_COUNT, 2, 0);
        assertProblem(
                refused(HEADER + "1850-x,Title,Author,1850,Fine,10.00,,,,,,,,,,,,,,,,,,\n"),
                Problem.COLUMN_COUNT,
                2,
                0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"12.5", "12", "£12.00", "-1.00", "+1.00", "1250", "0.00", "1e3", "12.000", " 12.00", ""})
    void rejectsAPriceThatIsNotPoundsWithTwoDecimals(String price) {
        CatalogueException e = refused(HEADER + "1850-x,Title,Author,1850,Fine," + price + "\n");
        assertProblem(e, Problem.BAD_VALUE, 2, 6);
    }

    @Test
    void rejectsADuplicateIdNamingTheFirstLine() {
        CatalogueException e = refused(HEADER + GOOD + "1850-x,Title,Author,1850,Fine,10.00\n" + GOOD);
        assertProblem(e, Problem.DUPLICATE_ID, 4, 1);
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void rejectsAQuoteInsideAnUnquotedField() {
        assertProblem(
                refused(HEADER + "1850-x,The \"Lucky\" Almanack,Author,1850,Fine,10.00\n"), Problem.BAD_QUOTES, 2, 2);
    }

    @Test
    void rejectsAQuotedFieldThatIsNotClosedOnItsLine() {
        assertProblem(refused(HEADER + "1850-x,\"Title,Author,1850,Fine,10.00\n"), Problem.BAD_QUOTES, 2, 2);
        assertProblem(refused(HEADER + "1850-x,\"Two\nlines\",Author,1850,Fine,10.00\n"), Problem.BAD_QUOTES, 2, 2);
    }

    @Test
    void rejectsTextAfterAClosingQuote() {
        assertProblem(refused(HEADER + "1850-x,\"Title\" more,Author,1850,Fine,10.00\n"), Problem.BAD_QUOTES, 2, 2);
    }

    @Test
    void rejectsAWrongOrMissingHeader() {
        assertProblem(refused(""), Problem.BAD_HEADER, 1, 0);
        assertProblem(refused("id,title,author,year,price,condition\n"), Problem.BAD_HEADER, 1, 0);
        assertProblem(refused(GOOD), Problem.BAD_HEADER, 1, 0);
    }

    @Test
    void rejectsABlankLine() {
        assertProblem(refused(HEADER + GOOD + "\n" + "1850-x,Title,Author,1850,Fine,10.00\n"), Problem.BAD_LINE, 3, 0);
    }

    @Test
    void rejectsAnOverlongLine() {
        assertProblem(
                refused(HEADER + "1850-x," + "T".repeat(5000) + ",Author,1850,Fine,10.00\n"), Problem.BAD_LINE, 2, 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Mint", "fine", "", "Very  Good"})
    void rejectsAnUnknownCondition(String condition) {
        CatalogueException e = refused(HEADER + "1850-x,Title,Author,1850," + condition + ",10.00\n");
        assertProblem(e, Problem.BAD_VALUE, 2, 5);
        assertTrue(e.getMessage().contains("Near Fine"), "the message lists the conditions: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"185", "18510", "MDCCC", "1449", "2101", "-850"})
    void rejectsABadYear(String year) {
        assertProblem(refused(HEADER + "1850-x,Title,Author," + year + ",Fine,10.00\n"), Problem.BAD_VALUE, 2, 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Moby", "-moby", "moby dick", "../etc/passwd", "moby/dick", "moby.html"})
    void rejectsAnIdThatCannotNameAPage(String id) {
        assertProblem(refused(HEADER + id + ",Title,Author,1850,Fine,10.00\n"), Problem.BAD_VALUE, 2, 1);
    }

    @Test
    void rejectsBlankOrPaddedTextAndControlCharacters() {
        assertProblem(refused(HEADER + "1850-x,,Author,1850,Fine,10.00\n"), Problem.BAD_VALUE, 2, 2);
        assertProblem(refused(HEADER + "1850-x,Title, Author,1850,Fine,10.00\n"), Problem.BAD_VALUE, 2, 3);
        assertProblem(refused(HEADER + "1850-x,Ti\u0007tle,Author,1850,Fine,10.00\n"), Problem.BAD_VALUE, 2, 2);
        assertProblem(refused(HEADER + "1850-x,Title,Au\u001bthor,1850,Fine,10.00\n"), Problem.BAD_VALUE, 2, 3);
    }

    private static Catalogue read(String csv) throws IOException {
        return Catalogue.read(new StringReader(csv));
    }

    private static CatalogueException refused(String csv) {
        return assertThrows(CatalogueException.class, () -> read(csv));
    }

    private static void assertProblem(CatalogueException e, Problem problem, int line, int column) {
        assertEquals(problem, e.problem(), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().startsWith("line " + line), e.getMessage());
    }
}
