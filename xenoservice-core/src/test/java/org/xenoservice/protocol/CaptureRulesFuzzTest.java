package org.xenoservice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.List;

/**
 * Fuzzes {@link CaptureRules}, which decides what a peer journals from a stranger's request: a
 * target and a header value are refused only with {@link IllegalArgumentException}, and what is
 * taken is in normal form (normalizing it again changes nothing), has a decodable path and can be
 * sent to an intake by the JDK client the peer uses, so that a journalled request never blocks the
 * queue. In a normal build this runs the seed corpus in {@code CaptureRulesFuzzTestInputs}; run
 * with {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class CaptureRulesFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void whatIsTakenIsNormalAndDeliverable(FuzzedDataProvider data) {
        String type = data.consumeString(200);
        String target = data.consumeRemainingAsString();
        CapturedRequest request;
        try {
            request = CaptureRules.normalize(new CapturedRequest(
                    "key",
                    "shop.example",
                    "POST",
                    target,
                    List.of(new CapturedRequest.Header("Content-Type", type)),
                    new byte[0],
                    Instant.EPOCH));
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertEquals(request.path(), CaptureRules.normalizeTarget(request.path()));
        assertTrue(CaptureRules.decodedPath(request.path()).startsWith("/"));
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/intake"))
                .header("X-Xeno-Path", request.path())
                .header("Content-Type", request.headers().get(0).value())
                .build();
    }
}
