package org.xenoservice.samples.bookstore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.xenoservice.samples.bookstore.CatalogueException.Problem;

/**
 * The shop's stock: every book it sells, read from a CSV file. The shop's pages, its search and
 * its order form all work from one catalogue, so a book is never on a page but unknown to the
 * order form.
 *
 * <pre>{@code
 * Catalogue catalogue = Catalogue.load();                 // the bundled bookstore/books.csv
 * Optional<Book> book = catalogue.find("1851-moby-dick-or-the");
 * List<Book> hits = catalogue.search("melville whale", 20);
 * }</pre>
 *
 * <h2>The file</h2>
 * UTF-8, one book a line, the header {@value #HEADER} first, fields separated by commas. A field
 * that holds a comma or a quote is quoted ({@code "Moby-Dick; or, The Whale"}), a quote inside it
 * doubled ({@code "The ""Lucky"" Almanack"}). The reader is strict, since a shop should not sell
 * a book at a price it misread: every row has six fields, quotes appear only around a whole field,
 * a quoted field ends on its line, no line is blank, the price is pounds with two decimals
 * ({@code 125.00}), the condition one of the {@link Condition} labels, and no id appears twice.
 * Any mistake is a {@link CatalogueException} naming the line and the column.
 *
 * <p>Immutable and safe for concurrent use.
 */
public final class Catalogue {
    /** The header line the file must start with. */
    public static final String HEADER = "id,title,author,year,condition,price";
    /** Where {@link #load()} finds the shop's catalogue on the classpath. */
    public static final String RESOURCE = "/bookstore/books.csv";
    /** Most books a catalogue holds. */
    public static final int MAX_BOOKS = 100_000;
    /** Longest line, in characters. */
    public static final int MAX_LINE_CHARS = 4096;

    private static final int COLUMNS = 6;
    private static final Pattern YEAR = Pattern.compile("[0-9]{4}");
    private static final Pattern PRICE = Pattern.compile("[0-9]{1,7}\\.[0-9]{2}");

    private final List<Book> books;
    private final Map<String, Book> byId;
    private final List<String> searchTexts;

    private Catalogue(List<Book> books) {
        this.books = List.copyOf(books);
        this.searchTexts = books.stream()
                .map(book -> (book.id() + " " + book.title() + " " + book.author() + " " + book.year())
                        .toLowerCase(Locale.ROOT))
                .toList();
        Map<String, Book> index = new LinkedHashMap<>();
        for (Book book : books) {
            index.put(book.id(), book);
        }
        this.byId = index;
    }

    /**
     * Reads the shop's own catalogue, {@value #RESOURCE} on the classpath.
     *
     * @throws CatalogueException if it is not a valid catalogue
     * @throws IOException if it is missing or cannot be read
     */
    public static Catalogue load() throws IOException {
        InputStream in = Catalogue.class.getResourceAsStream(RESOURCE);
        if (in == null) {
            throw new IOException("the bookstore's catalogue " + RESOURCE + " is not on the classpath");
        }
        try (Reader reader = new InputStreamReader(
                in,
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT))) {
            return read(reader);
        }
    }

    /**
     * Reads a catalogue in the CSV format of the class comment. The reader is not closed.
     *
     * @throws CatalogueException naming the line, the column and the problem
     * @throws IOException if the reader fails
     */
    public static Catalogue read(Reader reader) throws IOException {
        Objects.requireNonNull(reader, "reader");
        BufferedReader lines = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
        String header = lines.readLine();
        if (header == null) {
            throw new CatalogueException(
                    Problem.BAD_HEADER, 1, 0, "the catalogue is empty; it must start with " + HEADER);
        }
        if (header.startsWith("\uFEFF")) {
            header = header.substring(1);
        }
        if (!header.equals(HEADER)) {
            throw new CatalogueException(
                    Problem.BAD_HEADER, 1, 0, "the header must be " + HEADER + ", but was " + shorten(header));
        }
        List<Book> books = new ArrayList<>();
        Map<String, Integer> lineOfId = new HashMap<>();
        int number = 1;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            number++;
            if (line.length() > MAX_LINE_CHARS) {
                throw new CatalogueException(
                        Problem.BAD_LINE,
                        number,
                        0,
                        "the line has " + line.length() + " characters, more than " + MAX_LINE_CHARS);
            }
            if (line.isBlank()) {
                throw new CatalogueException(Problem.BAD_LINE, number, 0, "blank lines are not allowed");
            }
            if (books.size() == MAX_BOOKS) {
                throw new CatalogueException(
                        Problem.BAD_LINE, number, 0, "a catalogue holds at most " + MAX_BOOKS + " books");
            }
            Book book = book(fields(line, number), number);
            Integer earlier = lineOfId.putIfAbsent(book.id(), number);
            if (earlier != null) {
                throw new CatalogueException(
                        Problem.DUPLICATE_ID, number, 1, "id " + book.id() + " is already used on line " + earlier);
            }
            books.add(book);
        }
        return new Catalogue(books);
    }

    /** Every book, in the file's order. */
    public List<Book> books() {
        return books;
    }

    /** How many books there are. */
    public int size() {
        return books.size();
    }

    /** The book with this id. */
    public Optional<Book> find(String id) {
        return Optional.ofNullable(byId.get(Objects.requireNonNull(id, "id")));
    }

    /**
     * The books whose id, title, author or year contain every word of {@code query}, ignoring case,
     * in catalogue order, at most {@code limit} of them. A blank query finds nothing.
     */
    public List<Book> search(String query, int limit) {
        Objects.requireNonNull(query, "query");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, but was " + limit);
        }
        List<String> words = Arrays.stream(query.toLowerCase(Locale.ROOT).split("\\s+"))
                .filter(word -> !word.isEmpty())
                .toList();
        if (words.isEmpty()) {
            return List.of();
        }
        List<Book> hits = new ArrayList<>();
        for (int i = 0; i < books.size() && hits.size() < limit; i++) {
            String text = searchTexts.get(i);
            if (words.stream().allMatch(text::contains)) {
                hits.add(books.get(i));
            }
        }
        return hits;
    }

    @Override
    public String toString() {
        return "Catalogue[" + books.size() + " books]";
    }

    private static Book book(List<String> fields, int line) throws CatalogueException {
        if (fields.size() != COLUMNS) {
            throw new CatalogueException(
                    Problem.COLUMN_COUNT,
                    line,
                    0,
                    "a row has " + COLUMNS + " columns (" + HEADER + "), but this one has " + fields.size());
        }
        String id = fields.get(0);
        if (!Book.isId(id)) {
            throw bad(
                    line,
                    1,
                    "the id must be 1 to " + Book.MAX_ID_CHARS
                            + " lower-case letters, digits and dashes, starting with a letter or digit, but was "
                            + shorten(id));
        }
        if (!YEAR.matcher(fields.get(3)).matches()) {
            throw bad(line, 4, "the year must be four digits, e.g. 1851, but was " + shorten(fields.get(3)));
        }
        int year = Integer.parseInt(fields.get(3));
        if (year < Book.MIN_YEAR || year > Book.MAX_YEAR) {
            throw bad(
                    line,
                    4,
                    "the year must be between " + Book.MIN_YEAR + " and " + Book.MAX_YEAR + ", but was " + year);
        }
        Optional<Condition> condition = Condition.fromLabel(fields.get(4));
        if (condition.isEmpty()) {
            throw bad(
                    line,
                    5,
                    "the condition must be one of " + Condition.labels() + ", but was " + shorten(fields.get(4)));
        }
        if (!PRICE.matcher(fields.get(5)).matches()) {
            throw bad(
                    line,
                    6,
                    "the price must be pounds with two decimals and no sign or symbol, e.g. 125.00, but was "
                            + shorten(fields.get(5)));
        }
        BigDecimal price = new BigDecimal(fields.get(5));
        if (price.signum() <= 0) {
            throw bad(line, 6, "the price must be more than 0.00");
        }
        checkText(fields.get(1), line, 2, "title");
        checkText(fields.get(2), line, 3, "author");
        return new Book(id, fields.get(1), fields.get(2), year, condition.get(), price);
    }

    private static void checkText(String text, int line, int column, String name) throws CatalogueException {
        if (text.isBlank()
                || text.length() > Book.MAX_TEXT_CHARS
                || !text.strip().equals(text)) {
            throw bad(
                    line,
                    column,
                    "the " + name + " must be 1 to " + Book.MAX_TEXT_CHARS
                            + " characters with no white space at either end, but was " + shorten(text));
        }
    }

    /** Splits one line into fields; a field is quoted whole or not at all. */
    static List<String> fields(String line, int number) throws CatalogueException {
        List<String> fields = new ArrayList<>(COLUMNS);
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (true) {
            int column = fields.size() + 1;
            field.setLength(0);
            if (i < line.length() && line.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= line.length()) {
                        throw new CatalogueException(
                                Problem.BAD_QUOTES,
                                number,
                                column,
                                "the quoted field is not closed on its line (a field may not span lines)");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < line.length() && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(checked(c, number, column));
                    }
                }
                if (i < line.length() && line.charAt(i) != ',') {
                    throw new CatalogueException(
                            Problem.BAD_QUOTES,
                            number,
                            column,
                            "a closing quote must end the field, but is followed by "
                                    + shorten(line.substring(i, i + 1)));
                }
            } else {
                while (i < line.length() && line.charAt(i) != ',') {
                    char c = line.charAt(i++);
                    if (c == '"') {
                        throw new CatalogueException(
                                Problem.BAD_QUOTES,
                                number,
                                column,
                                "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
                    }
                    field.append(checked(c, number, column));
                }
            }
            fields.add(field.toString());
            if (i >= line.length()) {
                return fields;
            }
            i++; // the comma
            if (fields.size() > COLUMNS) {
                throw new CatalogueException(
                        Problem.COLUMN_COUNT,
                        number,
                        0,
                        "a row has " + COLUMNS + " columns (" + HEADER + "), but this one has more");
            }
        }
    }

    private static char checked(char c, int line, int column) throws CatalogueException {
        if (Character.isISOControl(c)) {
            throw bad(line, column, String.format("control character U+%04X", (int) c));
        }
        return c;
    }

    private static CatalogueException bad(int line, int column, String message) {
        return new CatalogueException(Problem.BAD_VALUE, line, column, message);
    }

    private static String shorten(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.codePoints().limit(60).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(text.codePointCount(0, text.length()) > 60 ? "...\"" : "\"")
                .toString();
    }
}
