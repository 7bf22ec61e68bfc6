package org.xenoservice.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The bodies of the {@code tls/csr} and {@code tls/certificate} calls and the status's certificate. */
class ControlCodecTlsTest {
    private static final ServedCertificate CERTIFICATE = new ServedCertificate(
            List.of("books.example", "www.books.example"),
            Instant.parse("2026-01-01T00:00:00Z"),
            Instant.parse("2026-04-01T00:00:00Z"),
            "3e8");

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void statusWithACertificateRoundTrips() {
        SiteStatus status = new SiteStatus(
                "books.example",
                OptionalLong.of(2),
                Optional.of("a".repeat(64)),
                List.of(2L),
                1,
                2,
                3,
                4,
                SiteQuota.DEFAULT,
                Optional.of(CERTIFICATE));
        assertEquals(status, ControlCodec.readStatus(ControlCodec.writeStatus(status)));
    }

    @Test
    void certificateRequestBodiesRoundTrip() {
        List<String> names = List.of("books.example", "www.books.example");
        assertEquals(names, ControlCodec.readCertificateNames(ControlCodec.writeCertificateNames(names)));
        String pem = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}) + "\n-----END CERTIFICATE REQUEST-----\n";
        CertificateRequest request = new CertificateRequest(names, pem);
        CertificateRequest read = ControlCodec.readCertificateRequest(ControlCodec.writeCertificateRequest(request));
        assertEquals(request, read);
        assertArrayEquals(new byte[] {1, 2, 3}, read.der());
        assertEquals(CERTIFICATE, ControlCodec.readCertificate(ControlCodec.writeCertificate(CERTIFICATE)));
        assertEquals("PEM", ControlCodec.readCertificateChain(ControlCodec.writeCertificateChain("PEM")));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{}",
                "{\"names\":[]}",
                "{\"names\":\"books.example\"}",
                "{\"names\":[1]}",
                "{\"names\":[\"\"]}",
                "[\"books.example\"]",
            })
    void malformedNameRequestsAreRefused(String body) {
        assertThrows(IllegalArgumentException.class, () -> ControlCodec.readCertificateNames(json(body)));
    }

    @Test
    void tooManyOrTooLongNamesAreRefused() {
        List<String> many = java.util.stream.IntStream.range(0, ControlCodec.MAX_CERTIFICATE_NAMES + 1)
                .mapToObj(i -> "n" + i + ".books.example")
                .toList();
        assertThrows(
                IllegalArgumentException.class,
                () -> ControlCodec.readCertificateNames(ControlCodec.writeCertificateNames(many)));
        assertThrows(
                IllegalArgumentException.class,
                () -> ControlCodec.readCertificateNames(ControlCodec.writeCertificateNames(List.of("a".repeat(254)))));
    }

    @Test
    void malformedOrOversizedChainsAreRefused() {
        for (String body : List.of("{}", "{\"chain\":1}", "{\"chain\":\"  \"}")) {
            assertThrows(IllegalArgumentException.class, () -> ControlCodec.readCertificateChain(json(body)));
        }
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ControlCodec.readCertificateChain(
                        ControlCodec.writeCertificateChain("A".repeat(ControlCodec.MAX_CHAIN_CHARS + 1))));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void aCertificateAnswerWithBadTimesIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> ControlCodec.readCertificate(
                        json(
                                "{\"names\":[],\"notBefore\":\"yesterday\",\"notAfter\":\"2026-01-01T00:00:00Z\",\"serialNumber\":\"1\"}")));
        assertThrows(
                IllegalArgumentException.class,
                () -> ControlCodec.readCertificate(json("{\"names\":[],\"notBefore\":\"2026-02-01T00:00:00Z\","
                        + "\"notAfter\":\"2026-01-01T00:00:00Z\",\"serialNumber\":\"1\"}")));
    }

    @Test
    void validityAndCoverage() {
        Instant march = Instant.parse("2026-03-01T00:00:00Z");
        assertTrue(CERTIFICATE.validFor(march, Duration.ofDays(1)));
        assertTrue(!CERTIFICATE.validFor(march, Duration.ofDays(31)));
        assertTrue(!CERTIFICATE.validFor(Instant.parse("2025-12-31T00:00:00Z"), Duration.ZERO));
        assertTrue(CERTIFICATE.covers(List.of("WWW.books.example")));
        assertTrue(!CERTIFICATE.covers(List.of("books.example", "shop.books.example")));
    }
}
