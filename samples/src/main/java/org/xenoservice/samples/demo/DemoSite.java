package org.xenoservice.samples.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The stand-in shop's static pages: a front page, one page per book, a stylesheet, the
 * order-received page and the "sorry" page replicas show when a dynamic path cannot be served. The
 * bookstore's {@code SiteGenerator} replaces it (see {@link DemoShop}).
 */
final class DemoSite {
  /** The books on sale: title, year. */
  static final List<String[]> BOOKS = List.of(
      new String[] {"Gulliver's Travels", "1726"}, new String[] {"Moby-Dick", "1851"},
      new String[] {"Pride and Prejudice", "1813"}, new String[] {"Frankenstein", "1818"},
      new String[] {"Robinson Crusoe", "1719"}, new String[] {"Tristram Shandy", "1759"},
      new String[] {"Bleak House", "1853"}, new String[] {"Middlemarch", "1871"},
      new String[] {"Vanity Fair", "1848"}, new String[] {"Jane Eyre", "1847"},
      new String[] {"Ivanhoe", "1819"}, new String[] {"Tom Jones", "1749"});

  private DemoSite() {}

  /** The path of book {@code index} (0-based). */
  static String bookPath(int index) {
    return "/books/" + (index + 1) + ".html";
  }

  /** Writes the pages into {@code dir} (created if missing). */
  static Path write(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("books"));
    Files.createDirectories(dir.resolve("css"));
    StringBuilder index = new StringBuilder(page("Ye Olde Bookshop", "<h1>Antiquarian books</h1><ul>"));
    for (int i = 0; i < BOOKS.size(); i++) {
      String[] book = BOOKS.get(i);
      index.append("<li><a href=\"").append(bookPath(i)).append("\">").append(book[0]).append(" (").append(book[1])
          .append(")</a></li>");
      Files.writeString(dir.resolve(bookPath(i).substring(1)), page(book[0], "<h1>" + book[0] + "</h1><p>First "
          + "edition, " + book[1] + ". " + "A fine copy in the original binding, some foxing. ".repeat(30) + "</p>"
          + "<form method=\"post\" action=\"/order\"><input type=\"hidden\" name=\"book\" value=\"" + (i + 1)
          + "\"><input name=\"email\"><input name=\"quantity\" value=\"1\"><button>Order</button></form>"
          + "<form action=\"/search\"><input name=\"q\"><button>Search</button></form>"), StandardCharsets.UTF_8);
    }
    index.append("</ul>");
    Files.writeString(dir.resolve("index.html"), index.toString(), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("css/shop.css"), "body { font-family: Georgia, serif; margin: 2em; }\n"
        + "h1 { color: #5a3a1a; }\n".repeat(20), StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("order-received.html"), page("Thank you",
        "<h1>Thank you</h1><p>Your order has been received; we will email you when it ships.</p>"),
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("sorry.html"), page("Sorry", "<h1>Sorry</h1><p>Sorry, the items you asked for are"
        + " temporarily out of stock — can we email you when they are back?</p>"), StandardCharsets.UTF_8);
    return dir;
  }

  private static String page(String title, String body) {
    return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title
        + "</title><link rel=\"stylesheet\" href=\"/css/shop.css\"></head><body>" + body + "</body></html>\n";
  }
}
