package org.xenoservice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.xenoservice.dynamic.JournalException;

/**
 * Fuzzes {@link IntakeLedger#open}'s recovery, the parser of ledger records a crash or a bad disk
 * may have damaged. The input is the file after its header. In a normal build this runs the seed
 * corpus in {@code IntakeLedgerFuzzTestInputs}; run with {@code JAZZER_FUZZ=1} to fuzz for real.
 * {@link IntakeLedgerTest} adds every torn length and flipped byte of a last record.
 */
class IntakeLedgerFuzzTest {
    private static final String PROBE = "fuzz-probe";

    @FuzzTest(maxDuration = "20s")
    void openThrowsOnlyJournalExceptionsAndRecoveryIsIdempotent(byte[] records) throws IOException {
        Path dir = Files.createTempDirectory("ledger-fuzz");
        try {
            byte[] file = ByteBuffer.allocate(IntakeLedger.FILE_HEADER_BYTES + records.length)
                    .put(IntakeLedger.fileHeader())
                    .put(records)
                    .array();
            Files.write(dir.resolve(IntakeLedger.FILE_NAME), file);
            int size;
            try (IntakeLedger ledger = IntakeLedger.open(dir)) {
                ledger.record(PROBE);
                size = ledger.size();
            } catch (JournalException refused) {
                return;
            }
            // recovery is idempotent and keeps what was recorded after it
            try (IntakeLedger ledger = IntakeLedger.open(dir)) {
                assertEquals(size, ledger.size());
                assertTrue(ledger.contains(PROBE));
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
