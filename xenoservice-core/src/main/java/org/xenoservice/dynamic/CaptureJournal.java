package org.xenoservice.dynamic;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.xenoservice.dynamic.JournalFormat.LENGTH_OFFSET;
import static org.xenoservice.dynamic.JournalFormat.MAX_PAYLOAD_BYTES;
import static org.xenoservice.dynamic.JournalFormat.RECORD_HEADER_BYTES;
import static org.xenoservice.dynamic.JournalFormat.SEQUENCE_OFFSET;
import static org.xenoservice.dynamic.JournalFormat.TYPE_ACK;
import static org.xenoservice.dynamic.JournalFormat.TYPE_KEY;
import static org.xenoservice.dynamic.JournalFormat.TYPE_REQUEST;
import static org.xenoservice.dynamic.JournalFormat.fileHeader;
import static org.xenoservice.dynamic.JournalFormat.record;
import static org.xenoservice.dynamic.JournalFormat.validRecordLength;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.protocol.CapturedRequest;

/**
 * The durable journal behind the {@code capture} policy: a peer appends each captured request
 * before it answers {@code 202}, forwards {@link #pending()} requests to the origin in order, and
 * {@link #acknowledge acknowledges} each once the origin has it. Nothing appended is lost on a
 * crash, and a request is journalled once per idempotency key however often a client retries.
 *
 * <pre>{@code
 * try (CaptureJournal journal = CaptureJournal.open(Path.of("/var/lib/xeno/shop.example/capture"))) {
 *   long sequence = journal.append(new CapturedRequest(key, "shop.example", "POST", "/order",
 *       List.of(new CapturedRequest.Header("Content-Type", "application/x-www-form-urlencoded")),
 *       body, Instant.now()));
 *   // now answer 202; later, on the forwarding thread:
 *   for (JournalEntry entry : journal.pending()) {
 *     forwardToOrigin(entry.request());       // retried until the origin acknowledges
 *     journal.acknowledge(entry.sequence());
 *   }
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * {@link #append} and {@link #acknowledge} return only after their record is written and the
 * file forced to the device ({@link FileChannel#force(boolean) force(true)}). On {@link #open} the
 * journal checks every record. A damaged last record is the trace of a write a crash
 * interrupted, one that never returned to its caller: it is dropped (truncated) and logged. A
 * damaged record followed by an intact one is corruption, not a torn write: {@code open} throws
 * a {@link JournalException} ({@link JournalException.Reason#CORRUPT CORRUPT}, with the offset)
 * and leaves the file untouched rather than drop data. A directory's journal may be open once:
 * the file is locked while open. (A request body may itself hold bytes that form a valid record;
 * if a crash tears the record of such a request, {@code open} reports corruption rather than
 * guess: it errs towards keeping data, never towards dropping it.)
 *
 * <h2>Format</h2>
 * One file, {@value #FILE_NAME}, in the directory, beside a lock file {@code capture.lock}. It starts with a 12-byte header: the ASCII
 * bytes {@code XENOJRNL} and the {@code int} format version {@value #FORMAT_VERSION}. Records
 * follow back to back, big-endian, each a 21-byte record header and a payload:
 * <pre>
 * offset  size  field
 *      0     4  magic 0x58435231 ("XCR1")
 *      4     1  type: 1 = request, 2 = acknowledgement, 3 = key of a compacted request
 *      5     8  sequence number (of the request; an acknowledgement names the request it acks)
 *     13     4  payload length (0 for an acknowledgement)
 *     17     4  CRC32C of bytes 0..16 and of the payload
 *     21     n  payload: a request's fields in a DataOutputStream encoding
 * </pre>
 * A request's payload holds, in order: idempotency key, site, method, path (each an {@code int}
 * count of UTF-16 units and the units), capture time ({@code long} epoch seconds, {@code int}
 * nanoseconds), the {@code int} header count and each header's name and value, then the
 * {@code int} body length and the body. A key record's payload is the idempotency key,
 * encoded the same way, then the request's 32-byte {@link CapturedRequest#fingerprint()
 * fingerprint} (absent from key records written before fingerprints were kept: such a key then
 * matches any request). Request and key records together carry every sequence number from 1,
 * in order.
 *
 * <h2>Growth and compaction</h2>
 * When acknowledged requests' records and acknowledgements take {@value #DEFAULT_COMPACT_AFTER_BYTES}
 * bytes or more and at least half the file, the acknowledgement that crossed the line also
 * compacts the journal: it writes {@code capture.journal.compact} with the pending requests'
 * records as they were and a key record for each acknowledged request, forces it, and renames it
 * over the journal. Appends wait meanwhile. A crash before the rename leaves the journal as it
 * was (the partial copy is deleted on open); after it, the compacted journal. Idempotency keys are
 * kept, so the journal still grows by a key record per request until the peer retires the site
 * and deletes the directory. Memory holds each idempotency key once and where each pending
 * request's record is; bodies stay on disk until {@link #pending()} reads them.
 *
 * <h2>Threads</h2>
 * Safe for concurrent use: appends from many request threads are serialised by one lock (each
 * waits for its own fsync). A thread interrupted while it writes closes the underlying channel
 * (a property of {@link FileChannel}); the journal then refuses further writes with
 * {@link JournalException.Reason#FAILED FAILED} until it is reopened. An interrupt flag already
 * set when a call starts is cleared for the write and restored afterwards.
 */
public final class CaptureJournal implements AutoCloseable {
    /** The journal file's name inside the directory given to {@link #open}. */
    public static final String FILE_NAME = "capture.journal";
    /** The format version this class writes and reads. */
    public static final int FORMAT_VERSION = 1;

    static final String LOCK_FILE_NAME = "capture.lock";
    static final String COMPACT_FILE_NAME = FILE_NAME + ".compact";
    /** Default compaction threshold: 64 MiB of acknowledged requests' records. */
    public static final long DEFAULT_COMPACT_AFTER_BYTES = 64L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(CaptureJournal.class);

    private final Object lock = new Object();
    private final Path directory;
    private final Path file;
    private final FileChannel lockChannel;
    private final long compactAfterBytes;
    private FileChannel channel;
    private final Map<String, Long> sequenceByKey = new HashMap<>();
    /** Each key's request fingerprint, where known (keys compacted before fingerprints were kept have none). */
    private final Map<String, byte[]> fingerprintByKey = new HashMap<>();
    /** Pending request sequence number to where its record is in the file. */
    private final TreeMap<Long, Slot> pendingOffsets = new TreeMap<>();
    /** Bytes a compaction would reclaim: acknowledged requests' records and acknowledgements. */
    private long reclaimableBytes;

    private long lastSequence;
    private long end;
    private IOException failure;
    private boolean closed;

    /** Where a pending request's record is. */
    private record Slot(long offset, int length) {}

    private CaptureJournal(Path directory, FileChannel lockChannel, FileChannel channel, long compactAfterBytes) {
        this.directory = directory;
        this.file = directory.resolve(FILE_NAME);
        this.lockChannel = lockChannel;
        this.channel = channel;
        this.compactAfterBytes = compactAfterBytes;
    }

    /**
     * Opens the journal in {@code directory}, creating the directory and an empty journal when
     * absent, and recovers it: every record is checked and a torn last record dropped.
     *
     * @throws JournalException if the file is not a journal, of another version, corrupt in the
     *     middle, or open elsewhere; the file is then left as it was
     * @throws IOException if the directory or file cannot be created, read or written
     */
    public static CaptureJournal open(Path directory) throws IOException {
        return open(directory, DEFAULT_COMPACT_AFTER_BYTES);
    }

    /** Opens with another compaction threshold; for tests. */
    static CaptureJournal open(Path directory, long compactAfterBytes) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Files.createDirectories(directory);
        Path file = directory.resolve(FILE_NAME);
        FileChannel lockChannel = FileChannel.open(directory.resolve(LOCK_FILE_NAME), CREATE, WRITE);
        FileChannel channel = null;
        try {
            if (!tryLock(lockChannel)) {
                throw new JournalException(
                        JournalException.Reason.LOCKED,
                        -1,
                        file
                                + " is already open in another CaptureJournal; open a directory's journal once and share it");
            }
            // A compaction a crash interrupted before its rename: the journal itself is intact.
            Files.deleteIfExists(directory.resolve(COMPACT_FILE_NAME));
            boolean created = !Files.exists(file);
            channel = FileChannel.open(file, CREATE, READ, WRITE);
            CaptureJournal journal = new CaptureJournal(directory, lockChannel, channel, compactAfterBytes);
            journal.recover();
            if (created) {
                forceDirectory(directory);
            }
            return journal;
        } catch (IOException | RuntimeException e) {
            for (FileChannel open : new FileChannel[] {channel, lockChannel}) {
                try {
                    if (open != null) {
                        open.close();
                    }
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Appends {@code request} and forces it to the device before returning its sequence number. If
     * the same request (same {@link CapturedRequest#fingerprint() fingerprint}) with the same
     * idempotency key is already in the journal, pending or acknowledged, nothing is written and
     * that request's sequence number is returned: a client's retry gets the first answer again. A
     * request with a key that another request owns is refused: the first capture owns the key.
     *
     * @throws IdempotencyConflictException if another request already has this idempotency key
     * @throws JournalException if an earlier write failed and the journal must be reopened
     * @throws IOException if the write or the fsync fails; the request is then not journalled
     */
    public long append(CapturedRequest request) throws IOException {
        Objects.requireNonNull(request, "request");
        byte[] payload = RequestCodec.encode(request);
        byte[] fingerprint = request.fingerprint();
        synchronized (lock) {
            checkUsable();
            Long existing = sequenceByKey.get(request.idempotencyKey());
            if (existing != null) {
                byte[] owner = fingerprintByKey.get(request.idempotencyKey());
                if (owner != null && !Arrays.equals(owner, fingerprint)) {
                    throw new IdempotencyConflictException(request.idempotencyKey(), existing);
                }
                return existing;
            }
            long sequence = lastSequence + 1;
            byte[] record = record(TYPE_REQUEST, sequence, payload);
            long offset = write(record);
            sequenceByKey.put(request.idempotencyKey(), sequence);
            fingerprintByKey.put(request.idempotencyKey(), fingerprint);
            pendingOffsets.put(sequence, new Slot(offset, record.length));
            lastSequence = sequence;
            return sequence;
        }
    }

    /**
     * Records durably that the origin has request {@code sequence}, so that it is no longer
     * {@link #pending()}, now or after a reopen.
     *
     * @return true if the request was pending, false if it was already acknowledged
     * @throws IllegalArgumentException if no request with that sequence number was appended
     * @throws IOException if the write or the fsync fails; the request then stays pending
     */
    public boolean acknowledge(long sequence) throws IOException {
        synchronized (lock) {
            checkUsable();
            if (sequence < 1 || sequence > lastSequence) {
                throw new IllegalArgumentException("sequence " + sequence
                        + " was never appended to this journal; the last sequence is " + lastSequence);
            }
            if (!pendingOffsets.containsKey(sequence)) {
                return false;
            }
            write(record(TYPE_ACK, sequence, new byte[0]));
            reclaimableBytes += pendingOffsets.remove(sequence).length() + RECORD_HEADER_BYTES;
            maybeCompact();
            return true;
        }
    }

    /**
     * The requests not yet acknowledged, in the order they were appended, read back from the file.
     *
     * @throws IOException if the file cannot be read or a record no longer verifies
     */
    public List<JournalEntry> pending() throws IOException {
        return pending(Integer.MAX_VALUE);
    }

    /**
     * The first {@code maxEntries} requests not yet acknowledged, in the order they were appended:
     * what a forwarder takes for its next batch without reading a large backlog's bodies at once.
     *
     * @throws IllegalArgumentException if {@code maxEntries} is not positive
     * @throws IOException if the file cannot be read or a record no longer verifies
     */
    public List<JournalEntry> pending(int maxEntries) throws IOException {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, but was " + maxEntries);
        }
        synchronized (lock) {
            checkUsable();
            List<JournalEntry> entries = new ArrayList<>(Math.min(maxEntries, pendingOffsets.size()));
            for (Map.Entry<Long, Slot> pending : pendingOffsets.entrySet()) {
                if (entries.size() == maxEntries) {
                    break;
                }
                entries.add(new JournalEntry(
                        pending.getKey(), readRequest(pending.getValue().offset())));
            }
            return List.copyOf(entries);
        }
    }

    /** How many requests are not yet acknowledged. */
    public int pendingCount() {
        synchronized (lock) {
            return pendingOffsets.size();
        }
    }

    /** Whether a request with this idempotency key was appended, pending or acknowledged. */
    public boolean contains(String idempotencyKey) {
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        synchronized (lock) {
            return sequenceByKey.containsKey(idempotencyKey);
        }
    }

    /**
     * The journal file's size in bytes: pending requests, the kept keys of acknowledged ones, and
     * what the next compaction reclaims. What the journal costs on disk, for a site's quota.
     */
    public long sizeBytes() {
        synchronized (lock) {
            return end;
        }
    }

    /**
     * Compacts the journal now if acknowledged requests' records take any room, whatever the
     * threshold, so that a site near its storage quota gets that room back.
     *
     * @return whether the journal was compacted
     * @throws IOException if compacting failed after the journal was replaced; reopen it
     */
    public boolean compact() throws IOException {
        synchronized (lock) {
            checkUsable();
            if (reclaimableBytes == 0) {
                return false;
            }
            return compactNow();
        }
    }

    /** The journal file. */
    public Path file() {
        return file;
    }

    /** Releases the file and its lock. Idempotent; every record appended is already durable. */
    @Override
    public void close() throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                channel.close();
            } finally {
                lockChannel.close();
            }
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "CaptureJournal[" + file + ", last sequence " + lastSequence + ", " + pendingOffsets.size()
                    + " pending]";
        }
    }

    private void checkUsable() throws JournalException {
        if (closed) {
            throw new IllegalStateException("capture journal " + file + " is closed");
        }
        if (failure != null) {
            throw new JournalException(
                    JournalException.Reason.FAILED,
                    end,
                    "an earlier write to " + file
                            + " failed (" + failure.getMessage() + "); close the journal and reopen it, which drops "
                            + "any partial record",
                    failure);
        }
    }

    /** Writes a whole record at the end and forces it; returns the record's offset. */
    private long write(byte[] record) throws IOException {
        long offset = end;
        boolean interrupted = Thread.interrupted();
        try {
            ByteBuffer buffer = ByteBuffer.wrap(record);
            long position = offset;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(true);
        } catch (IOException e) {
            // After a failed write or fsync the file's state is unknown: stop until reopened, where
            // recovery drops a partial record.
            failure = e;
            throw new JournalException(
                    JournalException.Reason.FAILED,
                    offset,
                    "writing " + file + " at offset " + offset
                            + " failed; the record is not journalled. Close and reopen the journal",
                    e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        end = offset + record.length;
        return offset;
    }

    /** Rebuilds the index from the file's records, which {@link JournalScanner} checks. */
    private void recover() throws IOException {
        end = new JournalScanner(channel, file).scan(this::replay);
    }

    private void replay(byte[] record, long offset) throws JournalException {
        ByteBuffer buffer = ByteBuffer.wrap(record);
        long sequence = buffer.getLong(SEQUENCE_OFFSET);
        if (record[4] == TYPE_ACK) {
            if (sequence < 1 || sequence > lastSequence) {
                throw corrupt(
                        offset,
                        "the acknowledgement at offset " + offset + " names sequence " + sequence
                                + ", but the requests before it end at sequence " + lastSequence);
            }
            Slot acked = pendingOffsets.remove(sequence);
            reclaimableBytes += record.length + (acked == null ? 0 : acked.length());
            return;
        }
        if (sequence != lastSequence + 1) {
            throw corrupt(
                    offset,
                    "the record at offset " + offset + " has sequence " + sequence + ", but the one before it has "
                            + lastSequence);
        }
        byte[] payload = Arrays.copyOfRange(record, RECORD_HEADER_BYTES, record.length);
        String key;
        byte[] fingerprint;
        try {
            if (record[4] == TYPE_KEY) {
                RequestCodec.KeptKey kept = RequestCodec.decodeKey(payload);
                key = kept.key();
                fingerprint = kept.fingerprint();
            } else {
                CapturedRequest request = RequestCodec.decode(payload);
                key = request.idempotencyKey();
                fingerprint = request.fingerprint();
            }
        } catch (IllegalArgumentException e) {
            throw corrupt(
                    offset,
                    "the record at offset " + offset + " passes its checksum but does not decode (" + e.getMessage()
                            + ")");
        }
        if (sequenceByKey.putIfAbsent(key, sequence) != null) {
            throw corrupt(
                    offset,
                    "the record at offset " + offset + " repeats idempotency key " + key + " of sequence "
                            + sequenceByKey.get(key));
        }
        if (fingerprint.length > 0) {
            fingerprintByKey.put(key, fingerprint);
        }
        if (record[4] == TYPE_REQUEST) {
            pendingOffsets.put(sequence, new Slot(offset, record.length));
        }
        lastSequence = sequence;
    }

    private JournalException corrupt(long offset, String what) {
        return JournalFormat.corrupt(file, offset, what);
    }

    private CapturedRequest readRequest(long offset) throws IOException {
        byte[] head = new byte[RECORD_HEADER_BYTES];
        readFully(head, offset);
        int length = ByteBuffer.wrap(head).getInt(LENGTH_OFFSET);
        byte[] record = length >= 0 && length <= MAX_PAYLOAD_BYTES && offset + RECORD_HEADER_BYTES + length <= end
                ? read(offset, RECORD_HEADER_BYTES + length)
                : head;
        if (validRecordLength(record, 0, record.length) < 0 || record[4] != TYPE_REQUEST) {
            throw corrupt(
                    offset,
                    "the request at offset " + offset + " no longer verifies; the file was"
                            + " changed while the journal had it open");
        }
        try {
            return RequestCodec.decode(Arrays.copyOfRange(record, RECORD_HEADER_BYTES, record.length));
        } catch (IllegalArgumentException e) {
            throw corrupt(offset, "the request at offset " + offset + " no longer decodes (" + e.getMessage() + ")");
        }
    }

    private byte[] read(long offset, int length) throws IOException {
        return JournalFormat.read(channel, offset, length, file);
    }

    private void readFully(byte[] into, long offset) throws IOException {
        JournalFormat.readFully(channel, into, offset, file);
    }

    private void maybeCompact() throws IOException {
        if (reclaimableBytes < compactAfterBytes || reclaimableBytes * 2 < end) {
            return;
        }
        compactNow();
    }

    /** Rewrites the journal with the pending requests and the kept keys; false if it failed harmlessly. */
    private boolean compactNow() throws IOException {
        Path compact = directory.resolve(COMPACT_FILE_NAME);
        TreeMap<Long, String> keyBySequence = new TreeMap<>();
        sequenceByKey.forEach((key, sequence) -> keyBySequence.put(sequence, key));
        TreeMap<Long, Slot> moved = new TreeMap<>();
        long size;
        try (FileChannel out = FileChannel.open(compact, CREATE, WRITE, TRUNCATE_EXISTING)) {
            long position = writeFully(out, fileHeader(), 0);
            for (Map.Entry<Long, String> entry : keyBySequence.entrySet()) {
                Slot slot = pendingOffsets.get(entry.getKey());
                byte[] record = slot == null
                        ? record(
                                TYPE_KEY,
                                entry.getKey(),
                                RequestCodec.encodeKey(
                                        entry.getValue(), fingerprintByKey.getOrDefault(entry.getValue(), new byte[0])))
                        : read(slot.offset(), slot.length());
                moved.put(entry.getKey(), slot == null ? null : new Slot(position, record.length));
                position = writeFully(out, record, position);
            }
            out.force(true);
            size = position;
        } catch (IOException e) {
            // The journal is intact and the acknowledgement durable: compact another time.
            LOG.warn("{}: compaction failed, will retry after the next acknowledgement", file, e);
            Files.deleteIfExists(compact);
            return false;
        }
        try {
            Files.move(compact, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn(
                    "{}: compaction could not replace the journal, will retry after the next acknowledgement", file, e);
            Files.deleteIfExists(compact);
            return false;
        }
        try {
            forceDirectory(directory);
            channel.close();
            channel = FileChannel.open(file, READ, WRITE);
        } catch (IOException e) {
            failure = e;
            throw new JournalException(
                    JournalException.Reason.FAILED,
                    -1,
                    "compacting " + file
                            + " failed after the acknowledgement was written; close and reopen the journal",
                    e);
        }
        LOG.info("{}: compacted from {} to {} bytes ({} pending)", file, end, size, pendingOffsets.size());
        moved.forEach((sequence, slot) -> {
            if (slot != null) {
                pendingOffsets.put(sequence, slot);
            }
        });
        end = size;
        reclaimableBytes = 0;
        return true;
    }

    /** Locks the whole file for this process, or answers false when this or another process holds it. */
    private static boolean tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock() != null;
        } catch (OverlappingFileLockException e) {
            return false;
        }
    }

    private static long writeFully(FileChannel out, byte[] bytes, long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long at = position;
        while (buffer.hasRemaining()) {
            at += out.write(buffer, at);
        }
        return at;
    }

    private static void forceDirectory(Path directory) {
        // Makes the new file's directory entry durable; not every platform can open a directory.
        try (FileChannel dir = FileChannel.open(directory, READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("{}: could not fsync the directory after creating a file in it", directory, e);
        }
    }
}
