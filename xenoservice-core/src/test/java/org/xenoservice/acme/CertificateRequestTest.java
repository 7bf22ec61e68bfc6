package org.xenoservice.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CertificateRequestTest {
    private static final KeyPair KEY = TestCertificateAuthority.newKey();

    @Test
    void readsTheNamesAndTheKeyOfARequestForExactlyTheOrderedNames() throws Exception {
        byte[] der = TestCertificateAuthority.certificateRequest(KEY, List.of("books.example", "www.books.example"));
        CertificateRequest request = CertificateRequest.read(der, List.of("www.books.example", "books.example"));
        assertEquals(Set.of("books.example", "www.books.example"), request.names());
        assertArrayEquals(KEY.getPublic().getEncoded(), request.publicKeyInfo());
    }

    @Test
    void refusesARequestForOtherNamesThanOrdered() {
        byte[] der = TestCertificateAuthority.certificateRequest(KEY, List.of("books.example", "evil.example"));
        IssuanceException e =
                assertThrows(IssuanceException.class, () -> CertificateRequest.read(der, List.of("books.example")));
        assertEquals(IssuanceException.Reason.BAD_REQUEST, e.reason());
        assertTrue(e.getMessage().contains("evil.example"), e.getMessage());
    }

    @Test
    void refusesARequestForFewerNamesThanOrdered() {
        byte[] der = TestCertificateAuthority.certificateRequest(KEY, List.of("books.example"));
        IssuanceException e = assertThrows(
                IssuanceException.class,
                () -> CertificateRequest.read(der, List.of("books.example", "www.books.example")));
        assertEquals(IssuanceException.Reason.BAD_REQUEST, e.reason());
    }

    @Test
    void refusesBytesThatAreNotARequest() {
        IssuanceException e = assertThrows(
                IssuanceException.class, () -> CertificateRequest.read(new byte[] {1, 2, 3}, List.of("books.example")));
        assertEquals(IssuanceException.Reason.BAD_REQUEST, e.reason());
        assertTrue(e.getMessage().contains("PKCS#10"), e.getMessage());
    }

    @Test
    void refusesARequestWhoseSignatureDoesNotVerify() {
        byte[] der = TestCertificateAuthority.certificateRequest(KEY, List.of("books.example"));
        der[der.length - 5] ^= 0x01; // inside the signature
        IssuanceException e =
                assertThrows(IssuanceException.class, () -> CertificateRequest.read(der, List.of("books.example")));
        assertEquals(IssuanceException.Reason.BAD_REQUEST, e.reason());
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void refusesAWildcardName() {
        byte[] der = TestCertificateAuthority.certificateRequest(KEY, List.of("*.books.example"));
        IssuanceException e =
                assertThrows(IssuanceException.class, () -> CertificateRequest.read(der, List.of("books.example")));
        assertEquals(IssuanceException.Reason.BAD_REQUEST, e.reason());
        assertTrue(e.getMessage().contains("wildcard"), e.getMessage());
    }
}
