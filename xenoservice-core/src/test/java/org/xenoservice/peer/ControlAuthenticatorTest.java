package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.ControlAuthException.Reason;
import org.xenoservice.protocol.ControlSignature;

/** The control port's gate: only the enrolled site's owner, now, once. */
class ControlAuthenticatorTest {
    private static final KeyPair OWNER = SiteKeys.generate();
    private static final KeyPair STRANGER = SiteKeys.generate();
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final String SITE = "books.example";
    private static final String PATH = "/xeno/v1/sites/books.example/activate";
    private static final String BODY =
            ControlSignature.sha256("{\"version\":7}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    private final ControlAuthenticator auth = new ControlAuthenticator(
            site -> site.equals(SITE) ? Optional.of(OWNER.getPublic()) : Optional.empty(),
            Clock.fixed(NOW, ZoneOffset.UTC),
            ControlAuthenticator.DEFAULT_SKEW);

    private static Map<String, String> signed(KeyPair keys, String site, String method, String path, Instant at) {
        return new TreeMap<>(ControlSignature.sign(keys.getPrivate(), site, method, path, BODY, at));
    }

    private ControlAuthException refused(Map<String, String> headers) {
        return assertThrows(ControlAuthException.class, () -> auth.authenticate("POST", PATH, SITE, headers));
    }

    @Test
    void acceptsACallSignedByTheOwner() throws ControlAuthException {
        assertEquals(SITE, auth.authenticate("POST", PATH, SITE, signed(OWNER, SITE, "POST", PATH, NOW)));
    }

    @Test
    void headerNamesAreCaseInsensitive() throws ControlAuthException {
        Map<String, String> lower = new TreeMap<>();
        signed(OWNER, SITE, "POST", PATH, NOW).forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        assertEquals(SITE, auth.authenticate("POST", PATH, SITE, lower));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                ControlSignature.SITE_HEADER,
                ControlSignature.TIMESTAMP_HEADER,
                ControlSignature.NONCE_HEADER,
                ControlSignature.CONTENT_SHA256_HEADER,
                ControlSignature.SIGNATURE_HEADER
            })
    void aMissingHeaderIsUnsigned401(String header) {
        Map<String, String> headers = signed(OWNER, SITE, "POST", PATH, NOW);
        headers.remove(header);
        ControlAuthException e = refused(headers);
        assertEquals(Reason.UNSIGNED, e.reason());
        assertEquals(401, e.status());
        assertTrue(e.getMessage().contains(header), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "nonce=short",
                "nonce=has space in it 123456",
                "sha=ABCDEF",
                "time=yesterday",
                "sig=%%%not-base64%%%"
            })
    void malformedHeadersAre401(String change) {
        Map<String, String> headers = signed(OWNER, SITE, "POST", PATH, NOW);
        String value = change.substring(change.indexOf('=') + 1);
        switch (change.substring(0, change.indexOf('='))) {
            case "nonce" -> headers.put(ControlSignature.NONCE_HEADER, value);
            case "sha" -> headers.put(ControlSignature.CONTENT_SHA256_HEADER, value);
            case "time" -> headers.put(ControlSignature.TIMESTAMP_HEADER, value);
            default -> headers.put(ControlSignature.SIGNATURE_HEADER, value);
        }
        ControlAuthException e = refused(headers);
        assertEquals(Reason.MALFORMED, e.reason(), e.getMessage());
        assertEquals(401, e.status());
    }

    @Test
    void aSiteThatIsNotEnrolledIsAStranger() {
        String path = "/xeno/v1/sites/evil.example/activate";
        ControlAuthException e = assertThrows(
                ControlAuthException.class,
                () -> auth.authenticate(
                        "POST", path, "evil.example", signed(STRANGER, "evil.example", "POST", path, NOW)));
        assertEquals(Reason.STRANGER, e.reason());
        assertEquals(403, e.status());
    }

    @Test
    void aCallSignedForOneSiteCannotAddressAnother() {
        ControlAuthException e = assertThrows(
                ControlAuthException.class,
                () -> auth.authenticate(
                        "POST",
                        "/xeno/v1/sites/other.example/activate",
                        "other.example",
                        signed(OWNER, SITE, "POST", PATH, NOW)));
        assertEquals(Reason.STRANGER, e.reason());
    }

    @Test
    void anotherKeyIsABadSignature() {
        ControlAuthException e = refused(signed(STRANGER, SITE, "POST", PATH, NOW));
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
        assertEquals(403, e.status());
    }

    @Test
    void theSignatureCoversMethodPathAndBody() {
        assertEquals(
                Reason.BAD_SIGNATURE,
                refused(signed(OWNER, SITE, "PUT", PATH, NOW)).reason(),
                "method");
        assertEquals(
                Reason.BAD_SIGNATURE,
                refused(signed(OWNER, SITE, "POST", "/xeno/v1/sites/books.example/retire", NOW))
                        .reason(),
                "path");
        Map<String, String> otherBody = signed(OWNER, SITE, "POST", PATH, NOW);
        otherBody.put(ControlSignature.CONTENT_SHA256_HEADER, ControlSignature.EMPTY_BODY_SHA256);
        assertEquals(Reason.BAD_SIGNATURE, refused(otherBody).reason(), "body");
    }

    @Test
    void timestampsOutsideTheSkewAreStale() throws ControlAuthException {
        assertEquals(
                Reason.STALE,
                refused(signed(OWNER, SITE, "POST", PATH, NOW.minusSeconds(301)))
                        .reason());
        assertEquals(
                Reason.STALE,
                refused(signed(OWNER, SITE, "POST", PATH, NOW.plusSeconds(301))).reason());
        assertEquals(
                SITE, auth.authenticate("POST", PATH, SITE, signed(OWNER, SITE, "POST", PATH, NOW.minusSeconds(299))));
        assertEquals(
                SITE, auth.authenticate("POST", PATH, SITE, signed(OWNER, SITE, "POST", PATH, NOW.plusSeconds(299))));
    }

    @Test
    void aTimestampWhoseDistanceOverflowsIsStaleNotFresh() {
        // now - 2^63: "now - timestamp" overflows to Long.MIN_VALUE, and Math.abs of that is negative
        String timestamp = Long.toString(NOW.getEpochSecond() + Long.MIN_VALUE);
        String nonce = ControlSignature.newNonce();
        String text = ControlSignature.SCHEME + "\nPOST\n" + PATH + "\n" + timestamp + "\n" + nonce + "\n" + BODY;
        Map<String, String> headers =
                new TreeMap<>(ControlSignature.sign(OWNER.getPrivate(), SITE, "POST", PATH, BODY, NOW, nonce));
        headers.put(ControlSignature.TIMESTAMP_HEADER, timestamp);
        headers.put(
                ControlSignature.SIGNATURE_HEADER,
                java.util.Base64.getEncoder()
                        .encodeToString(SiteKeys.sign(
                                OWNER.getPrivate(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertEquals(Reason.STALE, refused(headers).reason());
    }

    @Test
    void freshnessIsExactAtTheEdgesOfLong() {
        assertTrue(ControlSignature.isFresh(100, 100, 0));
        assertTrue(ControlSignature.isFresh(Long.MAX_VALUE, Long.MAX_VALUE - 5, 5));
        assertTrue(!ControlSignature.isFresh(Long.MIN_VALUE, 0, 300));
        assertTrue(!ControlSignature.isFresh(Long.MAX_VALUE, -1, 300));
        assertTrue(!ControlSignature.isFresh(1_000 + Long.MIN_VALUE, 1_000, 300));
        assertTrue(!ControlSignature.isFresh(Long.MAX_VALUE - 200, Long.MIN_VALUE + 100, 300));
    }

    @Test
    void aReplayedCallIsRefused() throws ControlAuthException {
        Map<String, String> headers = signed(OWNER, SITE, "POST", PATH, NOW);
        auth.authenticate("POST", PATH, SITE, headers);
        ControlAuthException e = refused(headers);
        assertEquals(Reason.REPLAYED, e.reason());
        assertEquals(403, e.status());
    }

    @Test
    void aForgedCallDoesNotBurnTheOwnersNonce() throws ControlAuthException {
        String nonce = ControlSignature.newNonce();
        Map<String, String> forged =
                new TreeMap<>(ControlSignature.sign(STRANGER.getPrivate(), SITE, "POST", PATH, BODY, NOW, nonce));
        assertEquals(Reason.BAD_SIGNATURE, refused(forged).reason());
        Map<String, String> real =
                new TreeMap<>(ControlSignature.sign(OWNER.getPrivate(), SITE, "POST", PATH, BODY, NOW, nonce));
        assertEquals(SITE, auth.authenticate("POST", PATH, SITE, real));
    }

    @Test
    void skewMustBeSensible() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new ControlAuthenticator(s -> Optional.empty(), Clock.systemUTC(), Duration.ZERO));
    }
}
