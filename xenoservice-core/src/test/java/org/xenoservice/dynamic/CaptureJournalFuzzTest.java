package org.xenoservice.dynamic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.xenoservice.protocol.CapturedRequest;

/**
 * Fuzzes {@link CaptureJournal#open}'s recovery, the parser of journal records a crash or a bad
 * disk may have damaged. The input is the file after its header. In a normal build this runs the
 * seed corpus in {@code CaptureJournalFuzzTestInputs}; run with {@code JAZZER_FUZZ=1} to fuzz
 * for real. {@link CaptureJournalTest} adds every torn length and flipped byte of a last record.
 */
class CaptureJournalFuzzTest {
    private static final CapturedRequest PROBE = new CapturedRequest(
            "fuzz-probe",
            "shop.example",
            "POST",
            "/probe",
            List.of(),
            new byte[] {1},
            Instant.ofEpochSecond(1_800_000_000L));

    @FuzzTest(maxDuration = "20s")
    void openThrowsOnlyJournalExceptions(byte[] records) throws IOException {
        Path dir = Files.createTempDirectory("journal-fuzz");
        try {
            byte[] file = ByteBuffer.allocate(JournalFormat.FILE_HEADER_BYTES + records.length)
                    .put(JournalFormat.FILE_MAGIC)
                    .putInt(CaptureJournal.FORMAT_VERSION)
                    .put(records)
                    .array();
            Files.write(dir.resolve(CaptureJournal.FILE_NAME), file);
            List<JournalEntry> pending;
            try (CaptureJournal journal = CaptureJournal.open(dir)) {
                pending = new ArrayList<>(journal.pending());
                if (!journal.contains(PROBE.idempotencyKey())) {
                    long sequence = journal.append(PROBE);
                    pending.add(new JournalEntry(sequence, PROBE));
                }
            } catch (JournalException refused) {
                return;
            }
            // recovery is idempotent and keeps what was appended after it
            try (CaptureJournal journal = CaptureJournal.open(dir)) {
                assertEquals(pending, journal.pending());
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
