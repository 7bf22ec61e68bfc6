package org.xenoservice.dynamic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.xenoservice.protocol.CapturedRequest;

/**
 * Fuzzes {@link RequestCodec}'s readers, which parse the payloads of journal records: a request
 * record and a key record must be refused only with {@link IllegalArgumentException}, and what
 * decodes must encode to the same bytes. In a normal build this runs the seed corpus in
 * {@code RequestCodecFuzzTestInputs}; run with {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class RequestCodecFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void decodeRefusesOnlyWithIllegalArgumentExceptionAndRoundTrips(byte[] payload) {
        try {
            CapturedRequest request = RequestCodec.decode(payload);
            assertArrayEquals(payload, RequestCodec.encode(request));
        } catch (IllegalArgumentException refused) {
            // the one way to refuse a payload
        }
        try {
            RequestCodec.KeptKey kept = RequestCodec.decodeKey(payload);
            assertArrayEquals(payload, RequestCodec.encodeKey(kept.key(), kept.fingerprint()));
            assertEquals(true, CapturedRequest.isIdempotencyKey(kept.key()));
        } catch (IllegalArgumentException refused) {
            // the one way to refuse a payload
        }
    }
}
