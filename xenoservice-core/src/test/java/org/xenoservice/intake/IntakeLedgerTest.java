package org.xenoservice.intake;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.dynamic.CaptureJournal;
import org.xenoservice.dynamic.JournalException;

class IntakeLedgerTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve(IntakeLedger.FILE_NAME);
    }

    /** Records key-1..key-count and returns the offset at which the last record starts. */
    private long writeLedger(int count) throws IOException {
        long lastStart = 0;
        try (IntakeLedger ledger = IntakeLedger.open(dir)) {
            for (int n = 1; n <= count; n++) {
                lastStart = Files.size(file());
                assertTrue(ledger.record("key-" + n));
            }
        }
        return lastStart;
    }

    private void assertKeys(IntakeLedger ledger, int count) {
        assertEquals(count, ledger.size());
        for (int n = 1; n <= count; n++) {
            assertTrue(ledger.contains("key-" + n), "key-" + n);
        }
    }

    @Test
    void recordsKeysThatSurviveReopen() throws IOException {
        writeLedger(3);
        try (IntakeLedger ledger = IntakeLedger.open(dir)) {
            assertKeys(ledger, 3);
            assertFalse(ledger.contains("key-4"));
            assertFalse(ledger.record("key-2"), "a key is recorded once");
            assertTrue(ledger.record("key-4"));
        }
        try (IntakeLedger ledger = IntakeLedger.open(dir)) {
            assertKeys(ledger, 4);
        }
    }

    @Test
    void writesTheDocumentedFormat() throws IOException {
        writeLedger(1);
        ByteBuffer expected = ByteBuffer.allocate(12 + 6 + 5)
                .put("XENOLDGR".getBytes(US_ASCII))
                .putInt(1)
                .put((byte) 'K')
                .put((byte) 5);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(new byte[] {'K', 5});
        crc.update("key-1".getBytes(US_ASCII));
        expected.putInt((int) crc.getValue()).put("key-1".getBytes(US_ASCII));
        assertArrayEquals(expected.array(), Files.readAllBytes(file()));
    }

    @Test
    void createsAnEmptyLedgerWithItsHeader() throws IOException {
        try (IntakeLedger ledger = IntakeLedger.open(dir.resolve("new/deeper"))) {
            assertEquals(0, ledger.size());
        }
        assertEquals(
                IntakeLedger.FILE_HEADER_BYTES,
                Files.size(dir.resolve("new/deeper").resolve(IntakeLedger.FILE_NAME)));
    }

    @Test
    void dropsTornLastRecordAtEveryLength() throws IOException {
        long lastStart = writeLedger(3);
        byte[] whole = Files.readAllBytes(file());
        for (int cut = (int) lastStart; cut < whole.length; cut++) {
            Files.write(file(), Arrays.copyOf(whole, cut));
            try (IntakeLedger ledger = IntakeLedger.open(dir)) {
                assertKeys(ledger, 2);
                assertFalse(ledger.contains("key-3"), "cut at " + cut);
                assertTrue(ledger.record("key-3"), "a ledger recovered from a torn tail takes new records");
            }
            try (IntakeLedger ledger = IntakeLedger.open(dir)) {
                assertKeys(ledger, 3);
            }
            assertEquals(whole.length, Files.size(file()), "cut at " + cut);
        }
    }

    @Test
    void dropsTornTailOfZeroesLeftByACrash() throws IOException {
        writeLedger(2);
        Files.write(file(), new byte[40], java.nio.file.StandardOpenOption.APPEND);
        try (IntakeLedger ledger = IntakeLedger.open(dir)) {
            assertKeys(ledger, 2);
        }
    }

    @Test
    void dropsLastRecordWithAnyFlippedByte() throws IOException {
        long lastStart = writeLedger(3);
        byte[] whole = Files.readAllBytes(file());
        for (int at = (int) lastStart; at < whole.length; at++) {
            byte[] damaged = whole.clone();
            damaged[at] ^= 0x40;
            Files.write(file(), damaged);
            try (IntakeLedger ledger = IntakeLedger.open(dir)) {
                assertKeys(ledger, 2);
            }
        }
    }

    @Test
    void completesTornFileHeader() throws IOException {
        writeLedger(0);
        byte[] header = Files.readAllBytes(file());
        for (int cut = 0; cut < header.length; cut++) {
            Files.write(file(), Arrays.copyOf(header, cut));
            try (IntakeLedger ledger = IntakeLedger.open(dir)) {
                assertEquals(0, ledger.size());
            }
            assertArrayEquals(header, Files.readAllBytes(file()));
        }
    }

    @Test
    void refusesFlippedByteInMiddleRecordNamingFileAndOffset() throws IOException {
        writeLedger(3);
        byte[] whole = Files.readAllBytes(file());
        int second = IntakeLedger.FILE_HEADER_BYTES + IntakeLedger.encode("key-1").length;
        byte[] damaged = whole.clone();
        damaged[second + 7] ^= 0x01;
        Files.write(file(), damaged);
        JournalException e = assertThrows(JournalException.class, () -> IntakeLedger.open(dir));
        assertEquals(JournalException.Reason.CORRUPT, e.reason());
        assertEquals(OptionalLong.of(second), e.offset());
        assertTrue(e.getMessage().startsWith("intake ledger refused [corrupt]: " + file()), e.getMessage());
        assertTrue(e.getMessage().contains("offset " + second), e.getMessage());
        assertTrue(e.getMessage().contains("restore it from a backup"), e.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(file()), "the file is left as it was");
    }

    @Test
    void refusesGarbageAfterTheRecordsLargerThanOneRecord() throws IOException {
        writeLedger(2);
        byte[] garbage = new byte[IntakeLedger.MAX_RECORD_BYTES];
        Arrays.fill(garbage, (byte) 0x55);
        Files.write(file(), garbage, java.nio.file.StandardOpenOption.APPEND);
        JournalException e = assertThrows(JournalException.class, () -> IntakeLedger.open(dir));
        assertEquals(JournalException.Reason.CORRUPT, e.reason());
    }

    @Test
    void refusesChecksummedRecordThatHoldsNoValidKey() throws IOException {
        writeLedger(1);
        byte[] bad = IntakeLedger.encode("has space");
        Files.write(file(), bad, java.nio.file.StandardOpenOption.APPEND);
        Files.write(file(), IntakeLedger.encode("key-2"), java.nio.file.StandardOpenOption.APPEND);
        JournalException e = assertThrows(JournalException.class, () -> IntakeLedger.open(dir));
        assertEquals(JournalException.Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("holds no valid key"), e.getMessage());
    }

    @Test
    void refusesOtherFormatVersion() throws IOException {
        Files.write(
                file(),
                ByteBuffer.allocate(12)
                        .put("XENOLDGR".getBytes(US_ASCII))
                        .putInt(2)
                        .array());
        JournalException e = assertThrows(JournalException.class, () -> IntakeLedger.open(dir));
        assertEquals(JournalException.Reason.VERSION, e.reason());
        assertTrue(e.getMessage().contains("format version 2, but this library reads version 1"), e.getMessage());
    }

    @Test
    void refusesAFileThatIsNoLedger() throws IOException {
        Files.writeString(file(), "order-1\norder-2\n");
        JournalException e = assertThrows(JournalException.class, () -> IntakeLedger.open(dir));
        assertEquals(JournalException.Reason.NOT_A_JOURNAL, e.reason());
        assertEquals("order-1\norder-2\n", Files.readString(file()));
    }

    @Test
    void refusesACaptureJournalGivenAsLedger() throws IOException {
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertTrue(journal.file().toFile().exists());
        }
        Files.move(dir.resolve(CaptureJournal.FILE_NAME), file());
        assertEquals(
                JournalException.Reason.NOT_A_JOURNAL,
                assertThrows(JournalException.class, () -> IntakeLedger.open(dir))
                        .reason());
    }

    @Test
    void recordKeepsCallersInterruptFlag() throws IOException {
        try (IntakeLedger ledger = IntakeLedger.open(dir)) {
            Thread.currentThread().interrupt();
            assertTrue(ledger.record("key-1"));
            assertTrue(Thread.interrupted());
        }
        try (IntakeLedger ledger = IntakeLedger.open(dir)) {
            assertKeys(ledger, 1);
        }
    }

    @Test
    void refusesRecordAfterClose() throws IOException {
        IntakeLedger ledger = IntakeLedger.open(dir);
        ledger.close();
        assertThrows(IllegalStateException.class, () -> ledger.record("key-1"));
    }
}
