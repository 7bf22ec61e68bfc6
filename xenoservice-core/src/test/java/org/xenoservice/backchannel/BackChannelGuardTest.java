package org.xenoservice.backchannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xenoservice.backchannel.PeerVerdict.Refusal;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;

/** The origin's gate on its back-channel: only a pinned peer, now, once, with the body and headers it signed. */
class BackChannelGuardTest {
    private static final KeyPair P1 = SiteKeys.generate();
    private static final KeyPair P2 = SiteKeys.generate();
    private static final KeyPair STRANGER = SiteKeys.generate();
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final String TARGET = "/search?q=a%20b";
    private static final byte[] BODY = "q=1".getBytes(StandardCharsets.UTF_8);

    private final BackChannelGuard guard = BackChannelGuard.create(
            Map.of("p1", P1.getPublic(), "p2", P2.getPublic()), Clock.fixed(NOW, ZoneOffset.UTC));

    /** A request as a peer sends it: its headers (signed and not), lower-case names, in order. */
    private static List<Map.Entry<String, String>> request(KeyPair peer, Instant at, String method, byte[] body) {
        List<Map.Entry<String, String>> signed = List.of(
                Map.entry("X-Forwarded-For", "198.51.100.9"), Map.entry("Cookie", "a=1"), Map.entry("Cookie", "b=2"));
        List<Map.Entry<String, String>> all = new ArrayList<>(signed);
        PeerIdentity.of(peer, Clock.fixed(at, ZoneOffset.UTC))
                .sign(method, TARGET, signed, ControlSignature.sha256(body))
                .forEach((name, value) -> all.add(Map.entry(name, value)));
        return all;
    }

    private PeerVerdict verify(List<Map.Entry<String, String>> headers, String method, String target, byte[] body) {
        return guard.verify(
                method,
                target,
                name -> headers.stream()
                        .filter(h -> h.getKey().toLowerCase(Locale.ROOT).equals(name))
                        .map(Map.Entry::getValue)
                        .toList(),
                body);
    }

    private static List<Map.Entry<String, String>> with(
            List<Map.Entry<String, String>> headers, String name, String value) {
        List<Map.Entry<String, String>> changed = new ArrayList<>();
        boolean replaced = false;
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name) && !replaced) {
                changed.add(Map.entry(header.getKey(), value));
                replaced = true;
            } else if (!header.getKey().equalsIgnoreCase(name)) {
                changed.add(header);
            }
        }
        if (!replaced) {
            changed.add(Map.entry(name, value));
        }
        return changed;
    }

    @Test
    void aPinnedPeersRequestIsVerifiedWithItsName() {
        PeerVerdict verdict = verify(request(P2, NOW, "POST", BODY), "POST", TARGET, BODY);
        assertTrue(verdict.isVerified(), verdict.toString());
        assertEquals(Optional.of("p2"), verdict.peer());
        assertEquals(Optional.of("198.51.100.9"), verdict.signedHeader("x-forwarded-for"));
        assertEquals(1, guard.verifiedCount());
    }

    @Test
    void aRequestNamingNoKeyIsUnsigned() {
        assertFalse(BackChannelGuard.claimsPeer(name -> Optional.empty()));
        PeerVerdict verdict = verify(List.of(Map.entry("Cookie", "a=1")), "GET", TARGET, new byte[0]);
        assertEquals(Optional.of(Refusal.UNSIGNED), verdict.refusal());
        assertEquals(401, verdict.status());
        assertTrue(verdict.toString().contains("refused unsigned"), verdict.toString());
    }

    @Test
    void aStrangersKeyIsAnUnknownPeer() {
        PeerVerdict verdict = verify(request(STRANGER, NOW, "POST", BODY), "POST", TARGET, BODY);
        assertEquals(Optional.of(Refusal.UNKNOWN_PEER), verdict.refusal());
        assertEquals(403, verdict.status());
    }

    @Test
    void anotherPeersKeyUnderP1sNameIsABadSignature() {
        List<Map.Entry<String, String>> headers = with(
                request(P2, NOW, "POST", BODY), PeerSignature.PEER_KEY_HEADER, PeerSignature.keyId(P1.getPublic()));
        assertEquals(
                Optional.of(Refusal.BAD_SIGNATURE),
                verify(headers, "POST", TARGET, BODY).refusal());
    }

    @Test
    void theSignatureCoversMethodTargetAndSignedHeaders() {
        List<Map.Entry<String, String>> headers = request(P1, NOW, "POST", BODY);
        assertEquals(
                Optional.of(Refusal.BAD_SIGNATURE),
                verify(headers, "PUT", TARGET, BODY).refusal(),
                "method");
        assertEquals(
                Optional.of(Refusal.BAD_SIGNATURE),
                verify(headers, "POST", "/_xeno/intake", BODY).refusal(),
                "target");
        assertEquals(
                Optional.of(Refusal.BAD_SIGNATURE),
                verify(with(headers, "X-Forwarded-For", "1.2.3.4"), "POST", TARGET, BODY)
                        .refusal(),
                "a signed header");
    }

    @Test
    void aTamperedBodyIsRefused() {
        byte[] other = "q=2".getBytes(StandardCharsets.UTF_8);
        assertEquals(
                Optional.of(Refusal.BODY_MISMATCH),
                verify(request(P1, NOW, "POST", BODY), "POST", TARGET, other).refusal());
    }

    @Test
    void staleAndOverflowingTimestampsAreRefused() {
        assertEquals(
                Optional.of(Refusal.STALE),
                verify(request(P1, NOW.minusSeconds(301), "POST", BODY), "POST", TARGET, BODY)
                        .refusal());
        List<Map.Entry<String, String>> overflow = with(
                request(P1, NOW, "POST", BODY),
                ControlSignature.TIMESTAMP_HEADER,
                Long.toString(NOW.getEpochSecond() + Long.MIN_VALUE));
        assertEquals(
                Optional.of(Refusal.STALE),
                verify(overflow, "POST", TARGET, BODY).refusal());
    }

    @Test
    void aReplayIsRefusedAndCounted() {
        List<Map.Entry<String, String>> headers = request(P1, NOW, "POST", BODY);
        assertTrue(verify(headers, "POST", TARGET, BODY).isVerified());
        assertEquals(
                Optional.of(Refusal.REPLAYED),
                verify(headers, "POST", TARGET, BODY).refusal());
        assertEquals(1L, guard.refusedCounts().get(Refusal.REPLAYED));
    }

    @Test
    void aForgedRequestDoesNotBurnTheNonce() {
        List<Map.Entry<String, String>> headers = request(P1, NOW, "POST", BODY);
        assertFalse(verify(headers, "POST", TARGET, "x".getBytes(StandardCharsets.UTF_8))
                .isVerified());
        assertTrue(verify(headers, "POST", TARGET, BODY).isVerified());
    }

    @Test
    void aBodyOverTheLimitIsTooLarge() {
        byte[] big = new byte[BackChannelGuard.MAX_BODY_BYTES + 1];
        assertEquals(
                Optional.of(Refusal.TOO_LARGE),
                verify(request(P1, NOW, "POST", big), "POST", TARGET, big).refusal());
    }

    @Test
    void aSignatureHeaderGivenTwiceIsMalformed() {
        List<Map.Entry<String, String>> headers = new ArrayList<>(request(P1, NOW, "POST", BODY));
        headers.add(Map.entry(ControlSignature.NONCE_HEADER, ControlSignature.newNonce()));
        assertEquals(
                Optional.of(Refusal.MALFORMED),
                verify(headers, "POST", TARGET, BODY).refusal());
    }
}
