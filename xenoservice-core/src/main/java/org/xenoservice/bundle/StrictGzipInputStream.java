package org.xenoservice.bundle;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decodes exactly one gzip member (RFC 1952) and insists that nothing follows it: a blob served
 * as {@code Content-Encoding: gzip} must be what a browser decodes, no more. The JDK's
 * {@code GZIPInputStream} silently ignores trailing bytes, hence this class. Checks the header,
 * the CRC-32 and the length in the trailer.
 */
final class StrictGzipInputStream extends InputStream {
    private static final int FTEXT = 1;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;

    private final InputStream in;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] input = new byte[16 * 1024];
    private int inputEnd;
    private int inputPos;
    private long identityBytes;
    private boolean finished;

    StrictGzipInputStream(InputStream in) throws IOException {
        this.in = in;
        readHeader();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (finished) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        try {
            while (true) {
                int n = inflater.inflate(buffer, offset, length);
                if (n > 0) {
                    crc.update(buffer, offset, n);
                    identityBytes += n;
                    return n;
                }
                if (inflater.finished()) {
                    inputPos = inputEnd - inflater.getRemaining();
                    readTrailer();
                    finished = true;
                    return -1;
                }
                if (inflater.needsDictionary()) {
                    throw new ZipException("gzip data needs a preset dictionary, which gzip never uses");
                }
                if (inflater.needsInput()) {
                    fill();
                    inflater.setInput(input, 0, inputEnd);
                }
            }
        } catch (DataFormatException e) {
            throw new ZipException("corrupt deflate data: " + e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }

    private void fill() throws IOException {
        inputEnd = in.read(input, 0, input.length);
        inputPos = 0;
        if (inputEnd < 0) {
            inputEnd = 0;
            throw new EOFException("gzip data ends early");
        }
    }

    private int nextByte() throws IOException {
        if (inputPos >= inputEnd) {
            fill();
            while (inputEnd == 0) {
                fill();
            }
        }
        return input[inputPos++] & 0xff;
    }

    private void readHeader() throws IOException {
        if (nextByte() != 0x1f || nextByte() != 0x8b) {
            throw new ZipException("not gzip data (bad magic number)");
        }
        if (nextByte() != 8) {
            throw new ZipException("gzip compression method is not deflate");
        }
        int flags = nextByte();
        if ((flags & ~(FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT)) != 0) {
            throw new ZipException("gzip header has reserved flags set");
        }
        for (int i = 0; i < 6; i++) {
            nextByte(); // MTIME, XFL, OS
        }
        if ((flags & FEXTRA) != 0) {
            int extra = nextByte() | nextByte() << 8;
            for (int i = 0; i < extra; i++) {
                nextByte();
            }
        }
        if ((flags & FNAME) != 0) {
            while (nextByte() != 0) {
                // skip the zero-terminated original file name
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (nextByte() != 0) {
                // skip the zero-terminated comment
            }
        }
        if ((flags & FHCRC) != 0) {
            nextByte();
            nextByte();
        }
        inflater.setInput(input, inputPos, inputEnd - inputPos);
    }

    private void readTrailer() throws IOException {
        long expectedCrc = readLittleEndianInt();
        long expectedSize = readLittleEndianInt();
        if (expectedCrc != crc.getValue()) {
            throw new ZipException("gzip CRC-32 does not match the data");
        }
        if (expectedSize != (identityBytes & 0xffffffffL)) {
            throw new ZipException("gzip length in trailer does not match the data");
        }
        if (inputPos < inputEnd || in.read() >= 0) {
            throw new ZipException("bytes follow the gzip member (only one member, nothing after it)");
        }
    }

    private long readLittleEndianInt() throws IOException {
        long value = 0;
        for (int i = 0; i < 4; i++) {
            value |= (long) nextByte() << (8 * i);
        }
        return value;
    }
}
