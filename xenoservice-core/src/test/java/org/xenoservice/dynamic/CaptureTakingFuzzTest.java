package org.xenoservice.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.xenoservice.protocol.CaptureRules;
import org.xenoservice.protocol.CapturedRequest;

/**
 * Fuzzes the taking of a stranger's request as a peer does it: whatever {@link CaptureRules} and
 * {@link CapturedRequest} accept is journalled, read back after a reopen unchanged, and can be
 * built into the intake delivery by the JDK client, so that nothing journalled blocks the queue.
 * In a normal build this runs the seed corpus in {@code CaptureTakingFuzzTestInputs}; run with
 * {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class CaptureTakingFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void whatIsTakenIsReadBackAndDeliverable(FuzzedDataProvider data) throws IOException {
        CapturedRequest request;
        try {
            request = CaptureRules.normalize(new CapturedRequest(
                    data.consumeString(130),
                    "shop.example",
                    data.consumeString(34),
                    data.consumeString(300),
                    List.of(new CapturedRequest.Header(data.consumeString(20), data.consumeString(200))),
                    data.consumeRemainingAsBytes(),
                    Instant.EPOCH));
        } catch (IllegalArgumentException refused) {
            return;
        }
        Path dir = Files.createTempDirectory("taking-fuzz");
        try {
            try (CaptureJournal journal = CaptureJournal.open(dir)) {
                journal.append(request);
            }
            try (CaptureJournal journal = CaptureJournal.open(dir)) {
                CapturedRequest read = journal.pending().get(0).request();
                assertEquals(request, read);
                assertEquals(read, CaptureRules.normalize(read));
                HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:1/intake"))
                        .header("Idempotency-Key", read.idempotencyKey())
                        .header("X-Xeno-Path", read.path())
                        .header("X-Xeno-Method", read.method());
                try {
                    post.header(
                            read.headers().get(0).name(), read.headers().get(0).value());
                } catch (IllegalArgumentException restricted) {
                    // a header the JDK client sets itself (Host, Content-Length...): the peer keeps only Content-Type
                }
                post.POST(HttpRequest.BodyPublishers.ofByteArray(read.body())).build();
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
