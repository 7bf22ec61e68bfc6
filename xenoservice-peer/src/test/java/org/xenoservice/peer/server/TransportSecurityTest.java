package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where a plain request is redirected, without a server: always the site's host, plainly encoded. */
class TransportSecurityTest {
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "/books/|/books/|''|https://books.example/books/",
                "/a%2Fb|/a%2Fb|q=1|https://books.example/a%2Fb?q=1",
                "//evil.example/x|//evil.example/x|''|https://books.example/evil.example/x",
                "////x|////x|''|https://books.example/x",
                "/café|/café|''|https://books.example/caf%C3%A9",
                "/100%|/100%|''|https://books.example/100%25",
                "/a%zz|/a%zz|''|https://books.example/a%25zz",
                "/a b|/a b|''|https://books.example/a%20b",
                "/x|/x|a=\"b\" c&d=<e>|https://books.example/x?a=%22b%22%20c&d=%3Ce%3E",
                "/x|/x|next=//evil.example/?a=1|https://books.example/x?next=//evil.example/?a=1",
                "http://evil.example/login|/login|''|https://books.example/login",
                "http://evil.example//login|//login|''|https://books.example/login"
            })
    void redirectsToTheSitesHostWithThePathAndQuery(String raw, String decoded, String query, String expected) {
        assertEquals(Optional.of(expected), TransportSecurity.location("books.example", 443, raw, decoded, query));
    }

    @Test
    void namesThePortOnlyWhenItIsNot443() {
        assertEquals(
                Optional.of("https://books.example:8443/"),
                TransportSecurity.location("books.example", 8443, "/", "/", ""));
    }

    @Test
    void aTargetWithoutAPathHasNoRedirect() {
        assertEquals(Optional.empty(), TransportSecurity.location("books.example", 443, "*", "*", ""));
        assertEquals(Optional.empty(), TransportSecurity.location("books.example", 443, "books.example:80", "", ""));
    }

    @Test
    void encodesAnUnpairedSurrogateWithoutFailing() {
        assertEquals("%3F", TransportSecurity.encode("\ud800", ""));
        assertEquals("%F0%9F%93%9A", TransportSecurity.encode("\ud83d\udcda", ""));
    }
}
