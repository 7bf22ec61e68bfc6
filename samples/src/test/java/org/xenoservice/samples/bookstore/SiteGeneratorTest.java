package org.xenoservice.samples.bookstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated site: every page there, everything escaped, the same bytes every time. */
class SiteGeneratorTest {
    private static Catalogue catalogue;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadCatalogue() throws IOException {
        catalogue = Catalogue.load();
    }

    @Test
    void writesEveryPageAndCover() throws IOException {
        SiteGenerator.write(catalogue, dir);
        for (String page : List.of("index.html", "prices.html", "order-received.html", "sorry.html", "css/shop.css")) {
            assertTrue(Files.isRegularFile(dir.resolve(page)), page);
        }
        for (Book book : catalogue.books()) {
            String page = Files.readString(dir.resolve("books/" + book.id() + ".html"));
            assertTrue(page.contains("src=\"/covers/" + book.id() + ".png\""), book.id());
            assertTrue(page.contains("action=\"/order\" method=\"post\""), book.id());
            assertTrue(page.contains("name=\"book\" value=\"" + book.id() + "\""), book.id());
            BufferedImage cover =
                    ImageIO.read(dir.resolve("covers/" + book.id() + ".png").toFile());
            assertNotNull(cover, book.id());
            assertEquals(Covers.WIDTH, cover.getWidth());
            assertEquals(Covers.HEIGHT, cover.getHeight());
        }
        String index = Files.readString(dir.resolve("index.html"));
        assertTrue(index.contains("<form class=\"search\" action=\"/search\" method=\"get\">"), index);
        assertEquals(SiteGenerator.FEATURED_BOOKS, index.split("<li>", -1).length - 1);
        String prices = Files.readString(dir.resolve("prices.html"));
        assertEquals(catalogue.size(), prices.split("<tr><td>", -1).length - 1);
        assertTrue(Files.readString(dir.resolve("order-received.html")).contains("Thank you — your order is received"));
        assertTrue(
                Files.readString(dir.resolve("sorry.html"))
                        .contains(
                                "Sorry, the items you asked for are temporarily out of stock — can we email you when they are back?"));
    }

    @Test
    void escapesEveryCatalogueValue() throws IOException {
        Catalogue hostile = Catalogue.read(
                new StringReader(
                        Catalogue.HEADER + "\n"
                                + "1900-x,\"<script>alert(\"\"t\"\")</script> & <b>Co</b>\",<img src=x onerror=alert(1)>,1900,Fine,10.00\n"));
        SiteGenerator.write(hostile, dir);
        for (String page : List.of("index.html", "prices.html", "books/1900-x.html")) {
            String html = Files.readString(dir.resolve(page));
            assertFalse(html.contains("<script>alert"), page);
            assertFalse(html.contains("<img src=x"), page);
            assertFalse(html.contains("<b>Co"), page);
            assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"), page);
        }
        assertTrue(Files.readString(dir.resolve("books/1900-x.html"))
                .contains("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;"));
    }

    @Test
    void writesTheSameBytesEveryTimeAndRewritesNothingUnchanged() throws IOException {
        Path first = dir.resolve("first");
        Path second = dir.resolve("second");
        SiteGenerator.write(catalogue, first);
        SiteGenerator.write(catalogue, second);
        List<Path> files = files(first);
        assertEquals(files, files(second));
        assertTrue(files.size() >= 2 * catalogue.size() + 5);
        for (Path file : files) {
            assertArrayEquals(
                    Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file.toString());
        }
        FileTime old = FileTime.fromMillis(0);
        Path index = first.resolve("index.html");
        Files.setLastModifiedTime(index, old);
        SiteGenerator.write(catalogue, first);
        assertEquals(old, Files.getLastModifiedTime(index), "an unchanged page is not rewritten");
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .map(root::relativize)
                    .sorted()
                    .toList();
        }
    }
}
