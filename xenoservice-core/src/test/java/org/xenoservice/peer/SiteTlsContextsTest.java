package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyManagementException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.testing.TestCa;

/** Another engine's contexts follow the peer's SNI lookup: one per certificate, remade after a swap, never another site's. */
class SiteTlsContextsTest {
    private static final TestCa CA = new TestCa("Contexts CA");
    private static final List<Enrollment> SITES = List.of(
            new Enrollment("books.example", SiteKeys.generate().getPublic(), SiteQuota.DEFAULT),
            new Enrollment("shop.books.example", SiteKeys.generate().getPublic(), SiteQuota.DEFAULT),
            new Enrollment("maps.example", SiteKeys.generate().getPublic(), SiteQuota.DEFAULT));

    @TempDir
    Path dir;

    SiteCertificates certificates;
    final List<String> made = new ArrayList<>();

    /** A context that says whose leaf it holds, and counts how often one was made. */
    private record Context(String serial) {}

    @BeforeEach
    void open() throws IOException {
        certificates = SiteCertificates.open(dir.resolve("tls"), SITES, List.of(), Clock.systemUTC());
    }

    private SiteTlsContexts<Context> contexts() {
        return certificates.contexts((key, chain) -> {
            String serial = chain.get(0).getSerialNumber().toString(16);
            made.add(serial);
            return new Context(serial);
        });
    }

    private String certify(String site, String... names) throws Exception {
        return certificates
                .install(
                        site, CA.sign(certificates.request(site, List.of(names)).pem()))
                .serialNumber();
    }

    @Test
    void aSitesContextIsMadeOnceAndServedForEveryNameItsCertificateCovers() throws Exception {
        String books = certify("books.example", "books.example", "www.books.example");
        SiteTlsContexts<Context> contexts = contexts();
        Context first = contexts.forServerName("books.example").orElseThrow();
        assertEquals(books, first.serial());
        assertSame(first, contexts.forServerName("WWW.Books.Example").orElseThrow());
        assertEquals(List.of(books), made);
    }

    @Test
    void namesWithoutACoveringCertificateOfTheirOwnSiteGetNone() throws Exception {
        certify("books.example", "books.example", "www.books.example");
        SiteTlsContexts<Context> contexts = contexts();
        for (String name : List.of(
                "maps.example",
                "shop.books.example",
                "x.shop.books.example",
                "a.www.books.example",
                "other.example",
                "example")) {
            assertEquals(Optional.empty(), contexts.forServerName(name), name);
        }
        assertEquals(List.of(), made);
    }

    @Test
    void aNewCertificateGetsANewContextOnTheNextLookup() throws Exception {
        SiteTlsContexts<Context> contexts = contexts();
        String first = certify("books.example", "books.example");
        assertEquals(
                first, contexts.forServerName("books.example").orElseThrow().serial());
        String second = certify("books.example", "books.example");
        assertNotEquals(first, second);
        assertEquals(
                second, contexts.forServerName("books.example").orElseThrow().serial());
        assertEquals(
                second, contexts.forServerName("books.example").orElseThrow().serial());
        assertEquals(List.of(first, second), made);
    }

    @Test
    void aCertificateTheEngineCannotUseGivesNoContextAndIsNotRetriedEveryHandshake() throws Exception {
        certify("maps.example", "maps.example");
        List<String> attempts = new ArrayList<>();
        SiteTlsContexts<Context> refusing = certificates.contexts((key, chain) -> {
            attempts.add(chain.get(0).getSerialNumber().toString(16));
            throw new KeyManagementException("the engine refuses this key");
        });
        assertEquals(Optional.empty(), refusing.forServerName("maps.example"));
        assertEquals(Optional.empty(), refusing.forServerName("maps.example"));
        assertEquals(1, attempts.size());
    }
}
