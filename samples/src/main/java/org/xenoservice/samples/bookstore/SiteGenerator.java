package org.xenoservice.samples.bookstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the shop's static site from its catalogue: the pages a replica can serve without the
 * shop's application, which is most of what a customer sees. XenoService bundles this directory
 * and ships it to peers; the dynamic paths ({@code /search}, {@code /order}) stay with the origin.
 *
 * <pre>{@code
 * SiteGenerator.write(Catalogue.load(), Path.of("site"));
 * }</pre>
 *
 * <p>What it writes: {@code index.html} (the search form and featured books),
 * {@code books/<id>.html} (one page per book, with its cover and order form),
 * {@code covers/<id>.png} (drawn with Java2D, see the class comment of the cover drawing),
 * {@code prices.html} (the price list), {@code order-received.html} (the thank-you page a replica
 * answers a captured order with), {@code sorry.html} (the page a replica answers when the origin
 * cannot search for it) and {@code css/shop.css}. Every catalogue value is HTML-escaped. The output
 * is deterministic, byte for byte, and a file whose bytes are already right is not rewritten, so a
 * regeneration changes nothing that did not change. Files the catalogue no longer names are left
 * in place.
 */
public final class SiteGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(SiteGenerator.class);

    /** How many books the front page features. */
    public static final int FEATURED_BOOKS = 12;

    private SiteGenerator() {}

    /**
     * Writes the site of the bundled catalogue into the directory {@code args[0]}: how the Spring
     * Boot edition's build makes its {@code classpath:/static} pages.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: SiteGenerator DIRECTORY, was " + Arrays.toString(args));
        }
        write(Catalogue.load(), Path.of(args[0]));
    }

    /**
     * Writes the site into {@code directory}, creating it when absent.
     *
     * @throws IOException if a file cannot be written
     */
    public static void write(Catalogue catalogue, Path directory) throws IOException {
        Objects.requireNonNull(catalogue, "catalogue");
        Objects.requireNonNull(directory, "directory");
        int[] changed = {0};
        Writer out = (path, bytes) -> {
            Path file = directory.resolve(path);
            Files.createDirectories(file.getParent());
            if (!Files.isRegularFile(file)
                    || Files.size(file) != bytes.length
                    || !Arrays.equals(Files.readAllBytes(file), bytes)) {
                Files.write(file, bytes);
                changed[0]++;
            }
        };
        out.write("css/shop.css", utf8(CSS));
        out.write("index.html", utf8(index(catalogue)));
        out.write("prices.html", utf8(prices(catalogue)));
        out.write("order-received.html", utf8(orderReceived()));
        out.write("sorry.html", utf8(sorry()));
        for (Book book : catalogue.books()) {
            out.write("books/" + book.id() + ".html", utf8(bookPage(book)));
            out.write("covers/" + book.id() + ".png", Covers.png(book));
        }
        LOG.info(
                "wrote the bookstore's site to {}: {} books, {} files changed",
                directory,
                catalogue.size(),
                changed[0]);
    }

    @FunctionalInterface
    private interface Writer {
        void write(String path, byte[] bytes) throws IOException;
    }

    /** The books the front page features: spread evenly over the catalogue. */
    static List<Book> featured(Catalogue catalogue) {
        List<Book> books = catalogue.books();
        List<Book> featured = new ArrayList<>();
        int step = Math.max(1, books.size() / FEATURED_BOOKS);
        for (int i = step / 2; i < books.size() && featured.size() < FEATURED_BOOKS; i += step) {
            featured.add(books.get(i));
        }
        return featured;
    }

    static String index(Catalogue catalogue) {
        StringBuilder main = new StringBuilder();
        main.append("    <p class=\"welcome\">Rare and second-hand books, first editions and reading copies: ")
                .append(catalogue.size())
                .append(" books on our shelves today.</p>\n");
        main.append(Html.searchForm(""));
        main.append("    <h2>From our shelves</h2>\n    <ul class=\"books\">\n");
        for (Book book : featured(catalogue)) {
            main.append(Html.bookItem(book));
        }
        main.append("    </ul>\n    <p><a href=\"/prices.html\">The full price list</a></p>\n");
        return Html.page("Antiquarian books", main.toString());
    }

    static String bookPage(Book book) {
        String main = "    <div class=\"book\">\n"
                + "      <img class=\"cover\" src=\"/covers/" + book.id() + ".png\" alt=\"Cover of "
                + Html.escape(book.title()) + "\" width=\"" + Covers.WIDTH + "\" height=\"" + Covers.HEIGHT + "\">\n"
                + "      <dl>\n"
                + "        <dt>Author</dt><dd>" + Html.escape(book.author()) + "</dd>\n"
                + "        <dt>Year</dt><dd>" + book.year() + "</dd>\n"
                + "        <dt>Condition</dt><dd>"
                + Html.escape(book.condition().label()) + "</dd>\n"
                + "        <dt>Price</dt><dd class=\"price\">" + Html.escape(book.priceText()) + "</dd>\n"
                + "      </dl>\n"
                + "    </div>\n"
                + "    <form class=\"order\" action=\"/order\" method=\"post\">\n"
                + "      <input type=\"hidden\" name=\"" + OrderForm.BOOK + "\" value=\"" + book.id() + "\">\n"
                + "      <input type=\"hidden\" name=\"" + OrderForm.ORDER_ID + "\" value=\"\">\n"
                + "      <label>Your e-mail <input type=\"email\" name=\"" + OrderForm.EMAIL
                + "\" required maxlength=\""
                + Order.MAX_EMAIL_CHARS + "\"></label>\n"
                + "      <label>Copies <input type=\"number\" name=\"" + OrderForm.QUANTITY
                + "\" value=\"1\" min=\"1\" max=\""
                + Order.MAX_QUANTITY + "\"></label>\n"
                + "      <button type=\"submit\">Order</button>\n"
                + "    </form>\n"
                // one id per visit, so that pressing Order twice or a browser's retry places the order once
                + "    <script>for (const f of document.querySelectorAll('input[name=\"" + OrderForm.ORDER_ID + "\"]'))"
                + " f.value = Array.from(crypto.getRandomValues(new Uint8Array(16)),"
                + " b => b.toString(16).padStart(2, '0')).join('');</script>\n";
        return Html.page(book.title(), main);
    }

    static String prices(Catalogue catalogue) {
        StringBuilder main = new StringBuilder("""
            <table class="prices">
              <thead><tr><th>Title</th><th>Author</th><th>Year</th><th>Condition</th><th>Price</th></tr></thead>
              <tbody>
        """);
        List<Book> books = new ArrayList<>(catalogue.books());
        books.sort(Comparator.comparing(Book::author).thenComparing(Book::title).thenComparing(Book::id));
        for (Book book : books) {
            main.append("        <tr><td><a href=\"/books/")
                    .append(book.id())
                    .append(".html\">")
                    .append(Html.escape(book.title()))
                    .append("</a></td><td>")
                    .append(Html.escape(book.author()))
                    .append("</td><td>")
                    .append(book.year())
                    .append("</td><td>")
                    .append(Html.escape(book.condition().label()))
                    .append("</td><td class=\"price\">")
                    .append(Html.escape(book.priceText()))
                    .append("</td></tr>\n");
        }
        main.append("      </tbody>\n    </table>\n");
        return Html.page("Price list", main.toString());
    }

    static String orderReceived() {
        return Html.page("Thank you — your order is received", """
                <p>We will confirm it by e-mail and post the book, well wrapped, within two working days.</p>
                <p><a href="/index.html">Back to the shop</a></p>
            """);
    }

    static String sorry() {
        return Html.page(
                "Sorry",
                "    <p>Sorry, the items you asked for are temporarily out of stock — can we email you when they are"
                        + " back?</p>\n"
                        + "    <p>Write to <a href=\"mailto:books@books.example\">books@books.example</a>, or"
                        + " <a href=\"/prices.html\">browse the price list</a> meanwhile.</p>\n");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final String CSS = """
      body { font-family: Georgia, serif; margin: 0 auto; max-width: 50rem; padding: 1rem 2rem; color: #2b2118;
        background: #fbf7ef; }
      header { border-bottom: 2px solid #8a6d3b; margin-bottom: 1.5rem; display: flex; flex-wrap: wrap;
        align-items: baseline; gap: 1rem; }
      header .shop { font-size: 1.6rem; font-variant: small-caps; letter-spacing: 0.05em; text-decoration: none; }
      header nav { margin-left: auto; }
      header nav a { margin-left: 1rem; }
      h1 { font-weight: normal; }
      a { color: #6b3e1f; }
      .search input { width: 60%; padding: 0.3rem; }
      .books { list-style: none; padding: 0; }
      .books li { display: flex; align-items: center; gap: 0.75rem; margin: 0.6rem 0; }
      .books .title { font-style: italic; }
      .price { white-space: nowrap; font-weight: bold; }
      .book { display: flex; gap: 1.5rem; align-items: flex-start; }
      .book dt { font-variant: small-caps; }
      .book dd { margin: 0 0 0.5rem 0; }
      .order { margin-top: 1.5rem; display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
      .prices { border-collapse: collapse; width: 100%; }
      .prices td, .prices th { border-bottom: 1px solid #e2d6bd; padding: 0.25rem 0.5rem; text-align: left; }
      .error { color: #8b1a1a; }
      footer { margin-top: 3rem; font-size: 0.85rem; color: #6b5a45; }
      """;
}
