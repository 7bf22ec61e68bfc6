package org.xenoservice.intake;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.dynamic.JournalException;
import org.xenoservice.protocol.CapturedRequest;

/**
 * The durable set of idempotency keys a {@link CaptureIntake} has applied: one append-only file,
 * {@value #FILE_NAME}, loaded into memory on {@link #open} and forced to the device after every
 * record, so that a key recorded before a crash is still there after it.
 *
 * <h2>Format</h2>
 * A 12-byte header, the ASCII bytes {@code XENOLDGR} and the {@code int} format version
 * {@value #FORMAT_VERSION}, then records back to back, each:
 * <pre>
 * offset  size  field
 *      0     1  magic 0x46 ("F"), or 0x4B ("K") in records written before fingerprints were kept
 *      1     1  key length n, 1 to 128 (unsigned)
 *      2     4  CRC32C of bytes 0..1, of the key and of the fingerprint, big-endian
 *      6     n  the idempotency key, printable ASCII
 *    6+n    32  ("F" only) the applied request's {@link CapturedRequest#fingerprint() fingerprint}
 * </pre>
 * A key recorded with its fingerprint belongs to that request: a later request with the key and
 * another fingerprint is refused. A key of a "K" record matches any request.
 *
 * <h2>Recovery</h2>
 * A damaged last record is a write a crash interrupted before {@link #record} returned, so before
 * the intake answered: it is truncated away with a WARN log. A damaged record followed by an
 * intact one, or by more bytes than one record holds, is corruption: {@link #open} throws a
 * {@link JournalException} ({@link JournalException.Reason#CORRUPT CORRUPT}) naming the file and
 * the offset, and leaves the file as it was.
 *
 * <h2>Growth</h2>
 * Keys are kept for ever, so the file grows by 38 bytes and a key per applied request (about 74
 * bytes for a UUID) and is never compacted: nothing in it is reclaimable until keys expire, which
 * they do not yet. Memory holds every key once.
 *
 * <p>Safe for concurrent use: records are appended under one lock, each waiting for its own fsync.
 */
final class IntakeLedger implements AutoCloseable {
    static final String FILE_NAME = "intake.ledger";
    static final int FORMAT_VERSION = 1;
    static final byte[] FILE_MAGIC = "XENOLDGR".getBytes(US_ASCII);
    static final int FILE_HEADER_BYTES = FILE_MAGIC.length + 4;
    static final byte RECORD_MAGIC = 0x4B;
    static final byte FINGERPRINTED_MAGIC = 0x46;
    static final int RECORD_HEADER_BYTES = 6;
    static final int FINGERPRINT_BYTES = 32;
    static final int MAX_RECORD_BYTES =
            RECORD_HEADER_BYTES + CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS + FINGERPRINT_BYTES;
    private static final byte[] NO_FINGERPRINT = new byte[0];
    private static final String SUBJECT = "intake ledger";
    private static final Logger LOG = LoggerFactory.getLogger(IntakeLedger.class);

    private final Path file;
    private final FileChannel channel;
    /** Each key and its request's fingerprint (empty for a key recorded without one). */
    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    private long end;
    private IOException failure;
    private boolean closed;

    private IntakeLedger(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens the ledger in {@code directory}, creating both when absent, and loads its keys.
     *
     * @throws JournalException if the file is not a ledger, of another version, corrupt in the
     *     middle, or open in another intake; the file is then left as it was
     * @throws IOException if the directory or file cannot be created, read or written
     */
    static IntakeLedger open(Path directory) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Files.createDirectories(directory);
        Path file = directory.resolve(FILE_NAME);
        boolean created = !Files.exists(file);
        FileChannel channel = FileChannel.open(file, CREATE, READ, WRITE);
        try {
            if (!tryLock(channel)) {
                throw new JournalException(
                        SUBJECT,
                        JournalException.Reason.LOCKED,
                        -1,
                        file
                                + " is already open in another CaptureIntake; open one intake per ledger directory and share it",
                        null);
            }
            IntakeLedger ledger = new IntakeLedger(file, channel);
            ledger.recover();
            if (created) {
                forceDirectory(directory);
            }
            return ledger;
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Whether {@code key} was recorded, durably or (after a failed write) in memory only. */
    boolean contains(String key) {
        return keys.containsKey(key);
    }

    /** The fingerprint {@code key} was recorded with, if it was recorded with one. */
    Optional<byte[]> fingerprint(String key) {
        byte[] fingerprint = keys.get(key);
        return fingerprint == null || fingerprint.length == 0 ? Optional.empty() : Optional.of(fingerprint.clone());
    }

    /** How many keys are recorded. */
    int size() {
        return keys.size();
    }

    /** The ledger file. */
    Path file() {
        return file;
    }

    /**
     * Throws unless the ledger can record keys: it is open and no write has failed. An intake asks
     * before it applies a request, so that it never applies one it cannot then record.
     */
    void checkUsable() throws JournalException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("intake ledger " + file + " is closed");
            }
            if (failure != null) {
                throw new JournalException(
                        SUBJECT,
                        JournalException.Reason.FAILED,
                        end,
                        "an earlier write to " + file + " failed (" + failure.getMessage()
                                + "); close the intake and reopen it",
                        failure);
            }
        }
    }

    /**
     * Records {@code key} and forces it to the device before returning. The key is remembered in
     * memory even if the write fails, so that this process never applies it again; a failed write
     * makes the ledger refuse further records until reopened.
     *
     * @return false if the key was already recorded (nothing is written)
     * @throws IOException if the write or the fsync fails
     */
    boolean record(String key) throws IOException {
        return record(key, NO_FINGERPRINT);
    }

    /**
     * Records {@code key} with the fingerprint of the request applied under it, as {@link #record(String)}.
     *
     * @param fingerprint the request's {@link CapturedRequest#fingerprint()}, 32 bytes
     */
    boolean record(String key, byte[] fingerprint) throws IOException {
        byte[] record = encode(key, fingerprint);
        synchronized (lock) {
            checkUsable();
            if (keys.putIfAbsent(key, fingerprint.clone()) != null) {
                return false;
            }
            boolean interrupted = Thread.interrupted();
            try {
                writeFully(channel, record, end);
                channel.force(true);
            } catch (IOException e) {
                failure = e;
                throw new JournalException(
                        SUBJECT,
                        JournalException.Reason.FAILED,
                        end,
                        "writing " + file + " at offset " + end + " failed; key " + key
                                + " may not be durable. Close the intake and reopen it",
                        e);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            end += record.length;
            return true;
        }
    }

    /** Releases the file and its lock. Idempotent; every recorded key is already durable. */
    @Override
    public void close() throws IOException {
        synchronized (lock) {
            if (!closed) {
                closed = true;
                channel.close();
            }
        }
    }

    @Override
    public String toString() {
        return "IntakeLedger[" + file + ", " + keys.size() + " keys]";
    }

    static byte[] encode(String key) {
        return encode(key, NO_FINGERPRINT);
    }

    static byte[] encode(String key, byte[] fingerprint) {
        if (fingerprint.length != 0 && fingerprint.length != FINGERPRINT_BYTES) {
            throw new IllegalArgumentException(
                    "a fingerprint has " + FINGERPRINT_BYTES + " bytes, but this one has " + fingerprint.length);
        }
        byte[] bytes = key.getBytes(US_ASCII);
        byte[] tail = ByteBuffer.allocate(bytes.length + fingerprint.length)
                .put(bytes)
                .put(fingerprint)
                .array();
        ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + tail.length);
        record.put(fingerprint.length == 0 ? RECORD_MAGIC : FINGERPRINTED_MAGIC).put((byte) bytes.length);
        record.putInt(crc(record.array(), 0, tail, 0, tail.length)).put(tail);
        return record.array();
    }

    static byte[] fileHeader() {
        return ByteBuffer.allocate(FILE_HEADER_BYTES)
                .put(FILE_MAGIC)
                .putInt(FORMAT_VERSION)
                .array();
    }

    private static int crc(byte[] head, int at, byte[] key, int keyAt, int keyLength) {
        CRC32C crc = new CRC32C();
        crc.update(head, at, 2);
        crc.update(key, keyAt, keyLength);
        return (int) crc.getValue();
    }

    /** The length of the intact record at {@code at} in {@code bytes[at, limit)}, or -1 if there is none. */
    static int validRecordLength(byte[] bytes, int at, int limit) {
        if (limit - at < RECORD_HEADER_BYTES || (bytes[at] != RECORD_MAGIC && bytes[at] != FINGERPRINTED_MAGIC)) {
            return -1;
        }
        int keyLength = bytes[at + 1] & 0xff;
        int length = keyLength + (bytes[at] == FINGERPRINTED_MAGIC ? FINGERPRINT_BYTES : 0);
        if (keyLength < 1
                || keyLength > CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS
                || limit - at - RECORD_HEADER_BYTES < length) {
            return -1;
        }
        int stored = ByteBuffer.wrap(bytes, at + 2, 4).getInt();
        return crc(bytes, at, bytes, at + RECORD_HEADER_BYTES, length) == stored ? RECORD_HEADER_BYTES + length : -1;
    }

    private void recover() throws IOException {
        long size = channel.size();
        byte[] expected = fileHeader();
        byte[] header = new byte[(int) Math.min(size, FILE_HEADER_BYTES)];
        readFully(channel, header, 0, file);
        if (!Arrays.equals(
                header,
                0,
                Math.min(header.length, FILE_MAGIC.length),
                FILE_MAGIC,
                0,
                Math.min(header.length, FILE_MAGIC.length))) {
            throw new JournalException(
                    SUBJECT,
                    JournalException.Reason.NOT_A_JOURNAL,
                    0,
                    file
                            + " does not start with the intake ledger header (XENOLDGR); it was not written by a CaptureIntake."
                            + " Move it aside or give the intake another ledger directory",
                    null);
        }
        if (size < FILE_HEADER_BYTES) {
            if (!Arrays.equals(header, 0, header.length, expected, 0, header.length)) {
                throw wrongVersion(header);
            }
            if (size > 0) {
                LOG.warn("{}: completing a file header a crash left at {} of {} bytes", file, size, FILE_HEADER_BYTES);
            }
            writeFully(channel, expected, 0);
            channel.force(true);
            end = FILE_HEADER_BYTES;
            return;
        }
        if (ByteBuffer.wrap(header).getInt(FILE_MAGIC.length) != FORMAT_VERSION) {
            throw wrongVersion(header);
        }
        long offset = FILE_HEADER_BYTES;
        byte[] record = new byte[MAX_RECORD_BYTES];
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel.position(offset)), 1 << 16);
        while (offset < size) {
            int length = -1;
            if (in.readNBytes(record, 0, RECORD_HEADER_BYTES) == RECORD_HEADER_BYTES) {
                int keyLength = (record[1] & 0xff) + (record[0] == FINGERPRINTED_MAGIC ? FINGERPRINT_BYTES : 0);
                int got = in.readNBytes(
                        record, RECORD_HEADER_BYTES, Math.min(keyLength, MAX_RECORD_BYTES - RECORD_HEADER_BYTES));
                length = validRecordLength(record, 0, RECORD_HEADER_BYTES + got);
            }
            if (length < 0) {
                dropTornTail(offset, size);
                break;
            }
            int keyLength = record[1] & 0xff;
            String key = new String(record, RECORD_HEADER_BYTES, keyLength, US_ASCII);
            if (!CapturedRequest.isIdempotencyKey(key)) {
                throw corrupt(offset, "the record at offset " + offset + " passes its checksum but holds no valid key");
            }
            keys.put(key, Arrays.copyOfRange(record, RECORD_HEADER_BYTES + keyLength, length));
            offset += length;
        }
        end = offset;
    }

    private JournalException wrongVersion(byte[] header) {
        String version = header.length < FILE_HEADER_BYTES
                ? "(torn)"
                : Integer.toString(ByteBuffer.wrap(header).getInt(FILE_MAGIC.length));
        return new JournalException(
                SUBJECT,
                JournalException.Reason.VERSION,
                FILE_MAGIC.length,
                file
                        + " is an intake ledger of format version " + version + ", but this library reads version "
                        + FORMAT_VERSION + "; open it with the version of XenoService that wrote it",
                null);
    }

    /**
     * The bytes from {@code offset} to the end do not start with an intact record. If they are more
     * than one record holds, or an intact record starts within them, this is corruption; otherwise a
     * write a crash interrupted, which is truncated away.
     */
    private void dropTornTail(long offset, long size) throws IOException {
        long tail = size - offset;
        if (tail >= MAX_RECORD_BYTES) {
            throw corrupt(
                    offset,
                    "the record at offset " + offset + " is damaged and " + tail
                            + " bytes follow it, more than one record holds, so it is not a write torn by a crash");
        }
        byte[] rest = new byte[(int) tail];
        readFully(channel, rest, offset, file);
        for (int at = 1; at < rest.length; at++) {
            if (validRecordLength(rest, at, rest.length) > 0) {
                throw corrupt(
                        offset,
                        "the record at offset " + offset + " is damaged but an intact record follows at offset "
                                + (offset + at) + ", so it is not a write torn by a crash");
            }
        }
        LOG.warn(
                "{}: dropped a torn last record, {} bytes at offset {}: a write a crash interrupted, never"
                        + " confirmed to the peer",
                file,
                tail,
                offset);
        channel.truncate(offset);
        channel.force(true);
    }

    private JournalException corrupt(long offset, String what) {
        return new JournalException(
                SUBJECT,
                JournalException.Reason.CORRUPT,
                offset,
                file + " is corrupt: " + what
                        + ". The file was left unchanged; keep a copy, then restore it from a backup or cut the file at offset "
                        + offset + " (keys after it would be applied again if redelivered) before reopening",
                null);
    }

    // The file primitives of the capture journal's design, which this ledger shares.

    private static void readFully(FileChannel channel, byte[] into, long offset, Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(into);
        long position = offset;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new EOFException(file + " ended at offset " + position + " while reading " + into.length
                        + " bytes at offset " + offset);
            }
            position += read;
        }
    }

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
