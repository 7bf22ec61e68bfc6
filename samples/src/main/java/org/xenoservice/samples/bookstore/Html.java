package org.xenoservice.samples.bookstore;

/**
 * The shop's HTML: escaping and the one page layout that the generated pages and the dynamic ones
 * (search results, order errors) share, so that a replica's static pages and the origin's dynamic
 * ones look like one shop.
 */
final class Html {
    /** The shop's name, as its pages show it. */
    static final String SHOP = "Early & Anderson, Antiquarian Books";

    private Html() {}

    /** Escapes text for an element's content or a quoted attribute value. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A whole page: {@code title} is text (escaped here), {@code main} is HTML. */
    static String page(String title, String main) {
        return "<!doctype html>\n"
                + "<html lang=\"en\">\n"
                + "<head>\n"
                + "  <meta charset=\"utf-8\">\n"
                + "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "  <title>" + escape(title) + " · " + escape(SHOP) + "</title>\n"
                + "  <link rel=\"stylesheet\" href=\"/css/shop.css\">\n"
                + "</head>\n"
                + "<body>\n"
                + "  <header><a class=\"shop\" href=\"/index.html\">Early &amp; Anderson</a>"
                + "<span>Antiquarian books since 1968</span>\n"
                + "  <nav><a href=\"/index.html\">Home</a> <a href=\"/prices.html\">Price list</a></nav></header>\n"
                + "  <main>\n"
                + "    <h1>" + escape(title) + "</h1>\n"
                + main
                + "  </main>\n"
                + "  <footer>12 Cecil Court, London · Open Monday to Saturday, 10 till 6</footer>\n"
                + "</body>\n"
                + "</html>\n";
    }

    /** The search form, holding {@code query}. */
    static String searchForm(String query) {
        return "    <form class=\"search\" action=\"/search\" method=\"get\">"
                + "<input type=\"search\" name=\"q\" value=\"" + escape(query) + "\" maxlength=\""
                + Shop.MAX_QUERY_CHARS
                + "\" placeholder=\"Title, author or year\" aria-label=\"Search the catalogue\">"
                + "<button type=\"submit\">Search</button></form>\n";
    }

    /** One book in a list: its cover, title, author, year and price, linking to its page. */
    static String bookItem(Book book) {
        return "      <li><a href=\"/books/" + book.id() + ".html\"><img src=\"/covers/" + book.id()
                + ".png\" alt=\"\" width=\"" + Covers.WIDTH / 2 + "\" height=\"" + Covers.HEIGHT / 2 + "\">"
                + "<span class=\"title\">" + escape(book.title()) + "</span></a> <span class=\"author\">"
                + escape(book.author()) + "</span>, " + book.year() + " <span class=\"price\">"
                + escape(book.priceText()) + "</span></li>\n";
    }
}
