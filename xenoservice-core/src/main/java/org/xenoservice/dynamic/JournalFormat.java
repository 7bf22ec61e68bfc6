package org.xenoservice.dynamic;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.xenoservice.protocol.CapturedRequest;

/**
 * The byte layout of a {@link CaptureJournal} file (its "Format" section): the file header, how a
 * record is framed and checksummed, and what makes one intact. It exists so that the journal's
 * bookkeeping (index, appends, compaction) and its recovery scan ({@link JournalScanner}) share one
 * definition of the bytes on disk; a request record's payload is {@link RequestCodec}'s.
 */
final class JournalFormat {
    static final byte[] FILE_MAGIC = "XENOJRNL".getBytes(US_ASCII);
    static final int FILE_HEADER_BYTES = FILE_MAGIC.length + 4;
    static final int RECORD_MAGIC = 0x58435231;
    static final byte TYPE_REQUEST = 1;
    static final byte TYPE_ACK = 2;
    static final byte TYPE_KEY = 3;
    static final int RECORD_HEADER_BYTES = 21;
    static final int MAX_PAYLOAD_BYTES = RequestCodec.MAX_PAYLOAD_BYTES;
    static final int SEQUENCE_OFFSET = 5;
    static final int LENGTH_OFFSET = 13;
    private static final int CRC_OFFSET = 17;
    private static final int MAX_KEY_PAYLOAD_BYTES =
            4 + 2 * CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS + RequestCodec.FINGERPRINT_BYTES;

    private JournalFormat() {}

    /** The file header: the magic and the format version {@link CaptureJournal#FORMAT_VERSION}. */
    static byte[] fileHeader() {
        return ByteBuffer.allocate(FILE_HEADER_BYTES)
                .put(FILE_MAGIC)
                .putInt(CaptureJournal.FORMAT_VERSION)
                .array();
    }

    /** A whole record: the header with its checksum over header and payload, then the payload. */
    static byte[] record(byte type, long sequence, byte[] payload) {
        ByteBuffer record = ByteBuffer.allocate(RECORD_HEADER_BYTES + payload.length);
        record.putInt(RECORD_MAGIC).put(type).putLong(sequence).putInt(payload.length);
        CRC32C crc = new CRC32C();
        crc.update(record.array(), 0, CRC_OFFSET);
        crc.update(payload);
        record.putInt((int) crc.getValue()).put(payload);
        return record.array();
    }

    /**
     * The length of the complete, checksum-valid record at {@code at} in {@code bytes[at, limit)},
     * or -1 if there is none.
     */
    static int validRecordLength(byte[] bytes, int at, int limit) {
        if (limit - at < RECORD_HEADER_BYTES) {
            return -1;
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(at) != RECORD_MAGIC) {
            return -1;
        }
        byte type = bytes[at + 4];
        int length = buffer.getInt(at + LENGTH_OFFSET);
        if ((type != TYPE_REQUEST && type != TYPE_ACK && type != TYPE_KEY)
                || length < 0
                || length > MAX_PAYLOAD_BYTES
                || (type == TYPE_ACK && length != 0)
                || (type == TYPE_KEY && length > MAX_KEY_PAYLOAD_BYTES)
                || limit - at - RECORD_HEADER_BYTES < length) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, at, CRC_OFFSET);
        crc.update(bytes, at + RECORD_HEADER_BYTES, length);
        return (int) crc.getValue() == buffer.getInt(at + CRC_OFFSET) ? RECORD_HEADER_BYTES + length : -1;
    }

    /** Reads {@code into.length} bytes at {@code offset} of {@code file}'s channel, or throws naming the file. */
    static void readFully(FileChannel channel, byte[] into, long offset, Path file) throws IOException {
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

    /** Reads {@code length} bytes at {@code offset} of {@code file}'s channel. */
    static byte[] read(FileChannel channel, long offset, int length, Path file) throws IOException {
        byte[] bytes = new byte[length];
        readFully(channel, bytes, offset, file);
        return bytes;
    }

    /** The error for a damaged journal: the file is left as it is, for its owner to repair. */
    static JournalException corrupt(Path file, long offset, String what) {
        return new JournalException(
                JournalException.Reason.CORRUPT,
                offset,
                file + " is corrupt: " + what
                        + ". The file was left unchanged; keep a copy, and restore it or remove the damaged record"
                        + " by hand before reopening");
    }
}
