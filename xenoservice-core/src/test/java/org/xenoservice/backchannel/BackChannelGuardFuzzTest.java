package org.xenoservice.backchannel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;

/**
 * Fuzzes {@link BackChannelGuard#verify}, the origin's parser of the signature headers any client
 * may send: whatever the method, target, headers and body, it answers a verdict and never throws,
 * and nothing the fuzzer makes passes for a pinned peer's request. The input is lines of text:
 * the method, the target, the six signature headers' values (a value {@code KEY} stands for the
 * pinned peer's key id, so that the later checks are reached too), then the body. In a normal
 * build this runs the empty input; run with {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class BackChannelGuardFuzzTest {
    private static final KeyPair PEER = SiteKeys.generate();
    private static final BackChannelGuard GUARD =
            BackChannelGuard.create(Map.of("p1", PEER.getPublic()), Clock.systemUTC());
    private static final List<String> HEADERS = List.of(
            PeerSignature.PEER_KEY_HEADER,
            ControlSignature.TIMESTAMP_HEADER,
            ControlSignature.NONCE_HEADER,
            ControlSignature.CONTENT_SHA256_HEADER,
            PeerSignature.SIGNED_HEADERS_HEADER,
            ControlSignature.SIGNATURE_HEADER);

    @FuzzTest(maxDuration = "20s")
    void verifyAnswersAVerdictAndNeverTrustsAForgery(byte[] input) {
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", 9);
        String[] parts = Arrays.copyOf(lines, 9);
        String method = parts[0] == null ? "POST" : parts[0];
        String target = parts[1] == null ? "/" : parts[1];
        byte[] body = parts[8] == null ? new byte[0] : parts[8].getBytes(StandardCharsets.UTF_8);
        PeerVerdict verdict = GUARD.verify(
                method,
                target,
                name -> {
                    for (int i = 0; i < HEADERS.size(); i++) {
                        if (HEADERS.get(i).toLowerCase(Locale.ROOT).equals(name) && parts[i + 2] != null) {
                            String value = parts[i + 2];
                            return List.of(value.equals("KEY") ? PeerSignature.keyId(PEER.getPublic()) : value);
                        }
                    }
                    return List.of();
                },
                body);
        assertNotNull(verdict);
        assertFalse(verdict.isVerified(), "a request signed by no one passed: " + verdict);
    }
}
