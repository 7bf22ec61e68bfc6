package org.xenoservice.dynamic;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.protocol.CapturedRequest;

class CaptureJournalTest {
    private static final Instant AT = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path dir;

    private static CapturedRequest request(int n) {
        return new CapturedRequest(
                "key-" + n,
                "shop.example",
                "POST",
                "/order/" + n,
                List.of(
                        new CapturedRequest.Header("Content-Type", "text/plain"),
                        new CapturedRequest.Header("X-Order", "n\u00e9" + n)),
                ("order " + n).getBytes(UTF_8),
                AT.plusNanos(n));
    }

    private Path file() {
        return dir.resolve(CaptureJournal.FILE_NAME);
    }

    private List<String> pendingKeys(CaptureJournal journal) throws IOException {
        return journal.pending().stream().map(e -> e.request().idempotencyKey()).collect(Collectors.toList());
    }

    /** Appends requests 1..count and returns the offset at which the last record starts. */
    private long writeJournal(int count) throws IOException {
        long lastStart = 0;
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            for (int n = 1; n <= count; n++) {
                lastStart = Files.size(file());
                assertEquals(n, journal.append(request(n)));
            }
        }
        return lastStart;
    }

    private void flipByte(long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file());
        bytes[(int) offset] ^= 0x40;
        Files.write(file(), bytes);
    }

    @Test
    void appendsAndReopensWithPendingInOrder() throws IOException {
        writeJournal(5);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            List<JournalEntry> pending = journal.pending();
            assertEquals(5, pending.size());
            for (int i = 0; i < 5; i++) {
                assertEquals(i + 1, pending.get(i).sequence());
                assertEquals(request(i + 1), pending.get(i).request());
            }
            assertEquals(6, journal.append(request(6)));
        }
    }

    @Test
    void createsDirectoryAndStartsEmpty() throws IOException {
        Path nested = dir.resolve("a/b");
        try (CaptureJournal journal = CaptureJournal.open(nested)) {
            assertEquals(List.of(), journal.pending());
            assertFalse(journal.contains("key-1"));
        }
        assertEquals(JournalFormat.FILE_HEADER_BYTES, Files.size(nested.resolve(CaptureJournal.FILE_NAME)));
    }

    @Test
    void acknowledgementSurvivesReopen() throws IOException {
        writeJournal(4);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertTrue(journal.acknowledge(1));
            assertTrue(journal.acknowledge(3));
            assertFalse(journal.acknowledge(3));
            assertEquals(List.of("key-2", "key-4"), pendingKeys(journal));
        }
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(List.of("key-2", "key-4"), pendingKeys(journal));
            assertEquals(2, journal.pendingCount());
            assertTrue(journal.contains("key-1"));
        }
    }

    @Test
    void pendingBatchIsTheOldestRequests() throws IOException {
        writeJournal(5);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            journal.acknowledge(2);
            assertEquals(
                    List.of(1L, 3L),
                    journal.pending(2).stream().map(JournalEntry::sequence).toList());
            assertEquals(4, journal.pending(10).size());
            assertThrows(IllegalArgumentException.class, () -> journal.pending(0));
        }
    }

    @Test
    void compactionKeepsPendingRequestsAndAcknowledgedKeys() throws IOException {
        long before;
        try (CaptureJournal journal = CaptureJournal.open(dir, 1)) {
            for (int n = 1; n <= 10; n++) {
                journal.append(request(n));
            }
            before = Files.size(file());
            for (int n = 1; n <= 8; n++) {
                assertTrue(journal.acknowledge(n));
            }
            assertTrue(Files.size(file()) < before, Files.size(file()) + " >= " + before);
            assertEquals(List.of("key-9", "key-10"), pendingKeys(journal));
            assertEquals(
                    List.of(request(9), request(10)),
                    journal.pending().stream().map(JournalEntry::request).toList());
            assertEquals(3, journal.append(request(3)), "an acknowledged key is remembered");
            assertEquals(11, journal.append(request(11)));
            assertTrue(journal.acknowledge(9));
            assertFalse(journal.acknowledge(2));
        }
        assertFalse(Files.exists(dir.resolve(CaptureJournal.COMPACT_FILE_NAME)));
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(List.of("key-10", "key-11"), pendingKeys(journal));
            assertEquals(1, journal.append(request(1)));
            assertEquals(12, journal.append(request(12)));
        }
    }

    @Test
    void dropsTornTailAfterCompaction() throws IOException {
        long lastStart;
        try (CaptureJournal journal = CaptureJournal.open(dir, 1)) {
            for (int n = 1; n <= 3; n++) {
                journal.append(request(n));
            }
            long size = Files.size(file());
            journal.acknowledge(1);
            journal.acknowledge(2);
            assertTrue(Files.size(file()) < size, "compacted");
            lastStart = Files.size(file());
            journal.append(request(4));
        }
        byte[] whole = Files.readAllBytes(file());
        for (long length = lastStart; length < whole.length; length++) {
            try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
                channel.truncate(length);
            }
            try (CaptureJournal journal = CaptureJournal.open(dir)) {
                assertEquals(List.of("key-3"), pendingKeys(journal), "torn at " + length);
                assertTrue(journal.contains("key-1"));
                assertEquals(2, journal.append(request(2)));
                assertEquals(4, journal.append(request(4)), "torn at " + length);
            }
            assertArrayEquals(whole, Files.readAllBytes(file()), "torn at " + length);
        }
    }

    @Test
    void deletesCompactionCopyLeftByCrash() throws IOException {
        writeJournal(2);
        Files.write(dir.resolve(CaptureJournal.COMPACT_FILE_NAME), "partial".getBytes(UTF_8));
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(List.of("key-1", "key-2"), pendingKeys(journal));
        }
        assertFalse(Files.exists(dir.resolve(CaptureJournal.COMPACT_FILE_NAME)));
    }

    @Test
    void refusesToAcknowledgeUnknownSequence() throws IOException {
        writeJournal(2);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> journal.acknowledge(3));
            assertEquals("sequence 3 was never appended to this journal; the last sequence is 2", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> journal.acknowledge(0));
        }
    }

    @Test
    void sameRequestWithTheSameKeyIsJournalledOnce() throws IOException {
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(1, journal.append(request(1)));
            long size = Files.size(file());
            CapturedRequest retry = new CapturedRequest(
                    "key-1",
                    "shop.example",
                    "POST",
                    "/order/1",
                    request(1).headers(),
                    request(1).body(),
                    AT.plusSeconds(5));
            assertEquals(1, journal.append(retry), "a retry, captured later, is the same request");
            assertEquals(size, Files.size(file()));
            assertEquals(
                    List.of(request(1)),
                    journal.pending().stream().map(JournalEntry::request).toList());
            journal.acknowledge(1);
            assertEquals(1, journal.append(request(1)), "acknowledged keys are still known");
            assertEquals(2, journal.append(request(2)));
        }
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(1, journal.append(request(1)), "keys are known after reopen");
            assertEquals(2, journal.append(request(2)));
            assertEquals(3, journal.append(request(3)));
        }
    }

    @Test
    void anotherRequestWithATakenKeyIsRefusedPendingAcknowledgedAndCompacted() throws IOException {
        CapturedRequest other =
                new CapturedRequest("key-1", "shop.example", "POST", "/order/1", List.of(), new byte[] {9}, AT);
        try (CaptureJournal journal = CaptureJournal.open(dir, 1)) {
            journal.append(request(1));
            long size = Files.size(file());
            IdempotencyConflictException pending =
                    assertThrows(IdempotencyConflictException.class, () -> journal.append(other));
            assertEquals("key-1", pending.key());
            assertEquals(1, pending.sequence());
            assertEquals(size, Files.size(file()), "nothing is written");
            journal.append(request(2));
            journal.acknowledge(1);
            journal.acknowledge(2); // compacts: key-1 and key-2 are key records now
            assertThrows(IdempotencyConflictException.class, () -> journal.append(other));
        }
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertThrows(IdempotencyConflictException.class, () -> journal.append(other), "after a reopen");
            assertEquals(1, journal.append(request(1)), "the owner's retry is still answered");
        }
    }

    @Test
    void compactNowReclaimsAcknowledgedRecordsAndSizeFollowsTheFile() throws IOException {
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertFalse(journal.compact(), "nothing to reclaim");
            journal.append(request(1));
            journal.append(request(2));
            journal.acknowledge(1);
            long before = journal.sizeBytes();
            assertEquals(Files.size(file()), before);
            assertTrue(journal.compact());
            assertTrue(journal.sizeBytes() < before);
            assertEquals(Files.size(file()), journal.sizeBytes());
            assertEquals(List.of("key-2"), pendingKeys(journal));
        }
    }

    @Test
    void dropsTornLastRecordAtEveryLength() throws IOException {
        long lastStart = writeJournal(3);
        byte[] whole = Files.readAllBytes(file());
        for (long length = lastStart; length < whole.length; length++) {
            try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
                channel.truncate(length);
            }
            try (CaptureJournal journal = CaptureJournal.open(dir)) {
                assertEquals(List.of("key-1", "key-2"), pendingKeys(journal), "torn at " + length);
                assertEquals(lastStart, Files.size(file()), "torn at " + length);
                assertFalse(journal.contains("key-3"));
                assertEquals(3, journal.append(request(3)), "torn at " + length);
            }
            assertArrayEquals(whole, Files.readAllBytes(file()), "torn at " + length);
        }
    }

    @Test
    void completesTornFileHeader() throws IOException {
        writeJournal(0);
        for (int length = 0; length < JournalFormat.FILE_HEADER_BYTES; length++) {
            try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
                channel.truncate(length);
            }
            try (CaptureJournal journal = CaptureJournal.open(dir)) {
                assertEquals(1, journal.append(request(1)));
            }
            try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
                channel.truncate(JournalFormat.FILE_HEADER_BYTES);
            }
        }
    }

    @Test
    void dropsLastRecordWithAnyFlippedByte() throws IOException {
        long lastStart = writeJournal(3);
        byte[] whole = Files.readAllBytes(file());
        for (long offset = lastStart; offset < whole.length; offset++) {
            Files.write(file(), whole);
            flipByte(offset);
            try (CaptureJournal journal = CaptureJournal.open(dir)) {
                assertEquals(List.of("key-1", "key-2"), pendingKeys(journal), "flipped at " + offset);
                assertEquals(lastStart, Files.size(file()));
            }
        }
    }

    @Test
    void dropsTornAcknowledgement() throws IOException {
        writeJournal(2);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            journal.acknowledge(1);
        }
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 1);
        }
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(List.of("key-1", "key-2"), pendingKeys(journal));
        }
    }

    @Test
    void refusesFlippedByteInMiddleRecordNamingItsOffset() throws IOException {
        writeJournal(1);
        long secondStart = Files.size(file());
        writeAppending(2, 3);
        byte[] before = Files.readAllBytes(file());
        for (long offset : new long[] {secondStart, secondStart + 14, secondStart + 30}) {
            Files.write(file(), before);
            flipByte(offset);
            byte[] damaged = Files.readAllBytes(file());
            JournalException e = assertThrows(JournalException.class, () -> CaptureJournal.open(dir));
            assertEquals(JournalException.Reason.CORRUPT, e.reason());
            assertEquals(secondStart, e.offset().orElseThrow());
            assertTrue(e.getMessage().contains("offset " + secondStart), e.getMessage());
            assertArrayEquals(damaged, Files.readAllBytes(file()), "the file is left unchanged");
        }
    }

    private void writeAppending(int from, int to) throws IOException {
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            for (int n = from; n <= to; n++) {
                journal.append(request(n));
            }
        }
    }

    @Test
    void refusesGarbageFile() throws IOException {
        byte[] garbage = "this is not a journal, just some text that someone left here".getBytes(UTF_8);
        Files.write(file(), garbage);
        JournalException e = assertThrows(JournalException.class, () -> CaptureJournal.open(dir));
        assertEquals(JournalException.Reason.NOT_A_JOURNAL, e.reason());
        assertArrayEquals(garbage, Files.readAllBytes(file()), "the file is left unchanged");
    }

    @Test
    void refusesShortGarbageFile() throws IOException {
        Files.write(file(), new byte[] {'X', 'E', 'N', 'X'});
        JournalException e = assertThrows(JournalException.class, () -> CaptureJournal.open(dir));
        assertEquals(JournalException.Reason.NOT_A_JOURNAL, e.reason());
    }

    @Test
    void refusesOtherFormatVersion() throws IOException {
        writeJournal(1);
        flipByte(JournalFormat.FILE_HEADER_BYTES - 1);
        JournalException e = assertThrows(JournalException.class, () -> CaptureJournal.open(dir));
        assertEquals(JournalException.Reason.VERSION, e.reason());
    }

    @Test
    void refusesGarbageAfterHeaderLargerThanOneRecord() throws IOException {
        writeJournal(1);
        try (FileChannel channel = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            channel.truncate(channel.size());
            channel.write(
                    java.nio.ByteBuffer.allocate(
                            JournalFormat.RECORD_HEADER_BYTES + JournalFormat.MAX_PAYLOAD_BYTES + 1),
                    channel.size());
        }
        JournalException e = assertThrows(JournalException.class, () -> CaptureJournal.open(dir));
        assertEquals(JournalException.Reason.CORRUPT, e.reason());
    }

    @Test
    void opensEmptyFile() throws IOException {
        Files.write(file(), new byte[0]);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(List.of(), journal.pending());
            assertEquals(1, journal.append(request(1)));
        }
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(List.of("key-1"), pendingKeys(journal));
        }
    }

    @Test
    void refusesSecondOpenOfSameDirectory() throws IOException {
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            JournalException e = assertThrows(JournalException.class, () -> CaptureJournal.open(dir));
            assertEquals(JournalException.Reason.LOCKED, e.reason());
            assertEquals(1, journal.append(request(1)));
        }
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(1, journal.pendingCount());
        }
    }

    @Test
    void refusesUseAfterClose() throws IOException {
        CaptureJournal journal = CaptureJournal.open(dir);
        journal.close();
        journal.close();
        assertThrows(IllegalStateException.class, () -> journal.append(request(1)));
    }

    @Test
    void appendKeepsCallersInterruptFlag() throws IOException {
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            Thread.currentThread().interrupt();
            try {
                assertEquals(1, journal.append(request(1)));
                assertTrue(Thread.currentThread().isInterrupted());
            } finally {
                Thread.interrupted();
            }
            assertEquals(2, journal.append(request(2)));
        }
    }

    @Test
    void largestRequestRoundTrips() throws IOException {
        CapturedRequest big = new CapturedRequest(
                "big", "shop.example", "PUT", "/upload", List.of(), new byte[CapturedRequest.MAX_BODY_BYTES], AT);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            journal.append(big);
        }
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            assertEquals(big, journal.pending().get(0).request());
        }
    }

    @Test
    void concurrentAppendsGetUniqueDenseSequences() throws Exception {
        int threads = 8;
        int perThread = 40;
        Set<Long> sequences = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 1; i <= perThread; i++) {
                        long sequence = journal.append(request(base + i));
                        assertTrue(sequences.add(sequence), "sequence " + sequence + " given twice");
                        assertEquals(sequence, journal.append(request(base + i)), "a retry gets the same sequence");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = threads * perThread;
        assertEquals(LongStream.rangeClosed(1, total).boxed().collect(Collectors.toSet()), sequences);
        try (CaptureJournal journal = CaptureJournal.open(dir)) {
            List<JournalEntry> pending = journal.pending();
            assertEquals(total, pending.size());
            Set<String> keys = new TreeSet<>();
            for (int i = 0; i < total; i++) {
                assertEquals(i + 1, pending.get(i).sequence());
                assertTrue(keys.add(pending.get(i).request().idempotencyKey()));
            }
            assertEquals(total, keys.size());
        }
    }
}
