package org.xenoservice.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xenoservice.protocol.CapturedRequest;

/** The journal's encoding of a captured request. */
class RequestCodecTest {
    private static final Instant AT = Instant.parse("2026-11-25T12:00:00.123456789Z");

    @Test
    void largestRequestFitsTheJournalsPayloadLimit() {
        List<CapturedRequest.Header> headers = new ArrayList<>();
        for (int i = 0; i < CapturedRequest.MAX_HEADERS - 1; i++) {
            headers.add(new CapturedRequest.Header("H", ""));
        }
        headers.add(new CapturedRequest.Header(
                "H", "\u20ac".repeat(CapturedRequest.MAX_HEADER_CHARS - CapturedRequest.MAX_HEADERS)));
        CapturedRequest largest = new CapturedRequest(
                "k".repeat(128),
                "s".repeat(253),
                "M".repeat(32),
                "/" + "\u20ac".repeat(CapturedRequest.MAX_PATH_CHARS - 1),
                headers,
                new byte[CapturedRequest.MAX_BODY_BYTES],
                AT);
        byte[] payload = RequestCodec.encode(largest);
        assertTrue(
                payload.length <= RequestCodec.MAX_PAYLOAD_BYTES,
                payload.length + " > " + RequestCodec.MAX_PAYLOAD_BYTES);
        assertEquals(largest, RequestCodec.decode(payload));
    }
}
