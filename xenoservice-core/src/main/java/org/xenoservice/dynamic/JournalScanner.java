package org.xenoservice.dynamic;

import static org.xenoservice.dynamic.JournalFormat.FILE_HEADER_BYTES;
import static org.xenoservice.dynamic.JournalFormat.FILE_MAGIC;
import static org.xenoservice.dynamic.JournalFormat.LENGTH_OFFSET;
import static org.xenoservice.dynamic.JournalFormat.MAX_PAYLOAD_BYTES;
import static org.xenoservice.dynamic.JournalFormat.RECORD_HEADER_BYTES;
import static org.xenoservice.dynamic.JournalFormat.RECORD_MAGIC;
import static org.xenoservice.dynamic.JournalFormat.validRecordLength;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check a {@link CaptureJournal} makes of its file on open: the header, then every record in
 * turn, each handed to the journal to rebuild its index; a torn last record is truncated away,
 * damage followed by intact data is reported as corruption. It exists so that telling a crash's
 * torn write from corruption is kept apart from the journal's running bookkeeping.
 */
final class JournalScanner {
    /** Logs as the journal it scans for, where an operator looks for its messages. */
    private static final Logger LOG = LoggerFactory.getLogger(CaptureJournal.class);

    /** Takes each intact record, with its offset, in file order. */
    @FunctionalInterface
    interface RecordSink {
        void accept(byte[] record, long offset) throws JournalException;
    }

    private final FileChannel channel;
    private final Path file;

    JournalScanner(FileChannel channel, Path file) {
        this.channel = channel;
        this.file = file;
    }

    /**
     * Checks the file and hands every intact record to {@code sink}, in order; completes a header a
     * crash cut short and truncates a torn last record.
     *
     * @return where the next record goes: the end of the last intact record
     * @throws JournalException if the file is not a journal, of another version, or corrupt
     */
    long scan(RecordSink sink) throws IOException {
        long size = channel.size();
        byte[] expected = JournalFormat.fileHeader();
        if (size < FILE_HEADER_BYTES) {
            byte[] have = read(0, (int) size);
            if (!Arrays.equals(have, 0, have.length, expected, 0, have.length)) {
                throw notAJournal();
            }
            if (size > 0) {
                LOG.warn("{}: completing a file header a crash left at {} of {} bytes", file, size, FILE_HEADER_BYTES);
            }
            channel.write(ByteBuffer.wrap(expected), 0);
            channel.force(true);
            return FILE_HEADER_BYTES;
        }
        byte[] header = read(0, FILE_HEADER_BYTES);
        if (!Arrays.equals(header, 0, FILE_MAGIC.length, FILE_MAGIC, 0, FILE_MAGIC.length)) {
            throw notAJournal();
        }
        int version = ByteBuffer.wrap(header).getInt(FILE_MAGIC.length);
        if (version != CaptureJournal.FORMAT_VERSION) {
            throw new JournalException(
                    JournalException.Reason.VERSION,
                    FILE_MAGIC.length,
                    file
                            + " is a capture journal of format version " + version + ", but this library reads version "
                            + CaptureJournal.FORMAT_VERSION
                            + "; open it with the version of XenoService that wrote it");
        }
        long offset = FILE_HEADER_BYTES;
        byte[] head = new byte[RECORD_HEADER_BYTES];
        while (offset < size) {
            if (size - offset >= RECORD_HEADER_BYTES) {
                readFully(head, offset);
                ByteBuffer headBuffer = ByteBuffer.wrap(head);
                int length = headBuffer.getInt(LENGTH_OFFSET);
                if (headBuffer.getInt(0) == RECORD_MAGIC
                        && length >= 0
                        && length <= MAX_PAYLOAD_BYTES
                        && size - offset - RECORD_HEADER_BYTES >= length) {
                    byte[] record = read(offset, RECORD_HEADER_BYTES + length);
                    if (validRecordLength(record, 0, record.length) > 0) {
                        sink.accept(record, offset);
                        offset += record.length;
                        continue;
                    }
                }
            }
            dropTornTail(offset, size);
            break;
        }
        return offset;
    }

    private JournalException notAJournal() {
        return new JournalException(
                JournalException.Reason.NOT_A_JOURNAL,
                0,
                file
                        + " does not start with the capture journal header (XENOJRNL); it was not written by a"
                        + " CaptureJournal. Move it aside or open the journal in another directory");
    }

    /**
     * The bytes from {@code offset} to the end do not start with an intact record. If an intact
     * record follows within them, or they are more than one record can hold, this is corruption;
     * otherwise it is a write a crash interrupted, and it is truncated away.
     */
    private void dropTornTail(long offset, long size) throws IOException {
        long tail = size - offset;
        if (tail > RECORD_HEADER_BYTES + (long) MAX_PAYLOAD_BYTES) {
            throw corrupt(
                    offset,
                    "the record at offset " + offset + " is damaged and " + tail
                            + " bytes follow it, more than one record can hold, so it is not a write torn by a crash");
        }
        byte[] rest = read(offset, (int) tail);
        for (int at = 1; at < rest.length; at++) {
            if (validRecordLength(rest, at, rest.length) > 0) {
                throw corrupt(
                        offset,
                        "the record at offset " + offset
                                + " is damaged but an intact record follows at offset " + (offset + at)
                                + ", so it is not a write torn by a crash");
            }
        }
        LOG.warn(
                "{}: dropped a torn last record, {} bytes at offset {}: a write a crash interrupted,"
                        + " never confirmed to its caller",
                file,
                tail,
                offset);
        channel.truncate(offset);
        channel.force(true);
    }

    private JournalException corrupt(long offset, String what) {
        return JournalFormat.corrupt(file, offset, what);
    }

    private byte[] read(long offset, int length) throws IOException {
        return JournalFormat.read(channel, offset, length, file);
    }

    private void readFully(byte[] into, long offset) throws IOException {
        JournalFormat.readFully(channel, into, offset, file);
    }
}
