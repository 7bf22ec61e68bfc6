package org.xenoservice.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AcmeSettingsTest {
    private static final URI DIRECTORY = URI.create("https://acme.example/directory");
    private static final Path KEY = Path.of("state", "acme-account.key");

    @Test
    void namesAreTheSiteFirstThenTheExtraNamesLowerCaseWithoutTrailingDots() {
        AcmeSettings settings =
                AcmeSettings.of(DIRECTORY, KEY).withExtraNames(List.of("WWW.Books.Example.", "books.example"));
        assertEquals(List.of("www.books.example", "books.example"), settings.extraNames());
        assertEquals(List.of("books.example", "www.books.example"), settings.names("Books.Example"));
    }

    @Test
    void withersKeepTheOtherValues() {
        AcmeSettings settings = AcmeSettings.of(DIRECTORY, KEY)
                .withContact(URI.create("mailto:owner@books.example"))
                .withExtraNames(List.of("www.books.example"))
                .withTrust(List.of());
        assertEquals(DIRECTORY, settings.directory());
        assertEquals(Optional.of(URI.create("mailto:owner@books.example")), settings.contact());
        assertEquals(List.of("www.books.example"), settings.extraNames());
        assertEquals(KEY, settings.accountKeyFile());
        assertTrue(settings.toString().contains("trust=the JDK's"), settings.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://acme.example/directory", "acme.example/directory", "https:///directory", "file:/x"})
    void refusesADirectoryThatIsNotAnHttpsUrlWithAHost(String url) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AcmeSettings.of(URI.create(url), KEY));
        assertTrue(e.getMessage().contains("https"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "*.books.example",
                "books",
                "books..example",
                "-books.example",
                "books_example.com",
                "a b.example"
            })
    void refusesExtraNamesThatAreNotHostNames(String name) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AcmeSettings.of(DIRECTORY, KEY).withExtraNames(List.of(name)));
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void refusesAnExtraNameGivenTwice() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AcmeSettings.of(DIRECTORY, KEY)
                        .withExtraNames(List.of("www.books.example", "WWW.books.example")));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void readsAContactWithOrWithoutMailto() {
        assertEquals(URI.create("mailto:owner@books.example"), AcmeSettings.parseContact(" owner@books.example "));
        assertEquals(URI.create("mailto:owner@books.example"), AcmeSettings.parseContact("mailto:owner@books.example"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"owner", "https://books.example/contact", "mailto:a@b.example,c@d.example", "tel:+4412345"})
    void refusesAContactThatIsNotOneEmailAddress(String contact) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AcmeSettings.parseContact(contact));
        assertTrue(e.getMessage().contains("mailto:"), e.getMessage());
    }

    @Test
    void readsACommaListOfNamesSkippingBlanks() {
        assertEquals(
                List.of("www.books.example", "shop.books.example"),
                AcmeSettings.parseNames(" www.books.example, ,shop.books.example,"));
        assertEquals(List.of(), AcmeSettings.parseNames(""));
    }
}
