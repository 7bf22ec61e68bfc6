package org.xenoservice.peer.server;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.util.zip.GZIPInputStream;
import org.xnio.channels.StreamSinkChannel;

/**
 * Where the bytes of a file's answer come from, written to the response channel a bounded piece at
 * a time and never blocking on the client: a view of a cached blob, a region of a blob file
 * (zero-copy where the channel allows), or a gzip blob inflated on the fly. {@link PacedBody} drives
 * it on the I/O thread. Confined to one exchange, one thread at a time.
 */
abstract class BodySource implements Closeable {
    /** What {@link #writeTo} returns when it did some work but wrote nothing and should be called again soon. */
    static final long YIELD = -1;

    private static final int DECODE_BUFFER_BYTES = 32 * 1024;
    /** Identity bytes skipped (inflated and dropped) per call, so that a deep range never holds the I/O thread long. */
    private static final long SKIP_STEP_BYTES = 1 << 20;

    /** Bytes still to write. */
    abstract long remaining();

    /**
     * Writes at most {@code max} bytes to {@code channel} without blocking.
     *
     * @return the bytes written, 0 when the channel takes no more now, or {@link #YIELD}
     */
    abstract long writeTo(StreamSinkChannel channel, long max) throws IOException;

    @Override
    public void close() throws IOException {}

    /** The remaining bytes of {@code view} (a cached blob; the caller's position and limit are used). */
    static BodySource of(ByteBuffer view) {
        return new Held(view);
    }

    /** {@code length} bytes of {@code file} from {@code offset}, as stored. Takes over the file. */
    static BodySource region(FileChannel file, long offset, long length) {
        return new Region(file, offset, length);
    }

    /**
     * {@code length} identity bytes from {@code offset} of the gzip stream {@code stored} (a cached
     * blob's bytes or a blob file's), inflated as they are sent. Takes over the stream.
     */
    static BodySource inflating(InputStream stored, String blob, long offset, long length) throws IOException {
        return new Inflating(new GZIPInputStream(stored, DECODE_BUFFER_BYTES), blob, offset, length);
    }

    /**
     * The {@code length} identity bytes that {@code decoded} yields (a page decoded by the store,
     * which refuses to yield more), read a buffer at a time as they are sent. Takes over the stream.
     */
    static BodySource decoded(InputStream decoded, String name, long length) {
        return new Inflating(decoded, name, 0, length);
    }

    /** A blob file as a buffered stream for {@link #inflating}. */
    static InputStream stream(FileChannel file) {
        return new BufferedInputStream(Channels.newInputStream(file), DECODE_BUFFER_BYTES);
    }

    /** Writes at most {@code max} of {@code buffer}'s remaining bytes, leaving its limit as it was. */
    private static int writeSome(StreamSinkChannel channel, ByteBuffer buffer, long max) throws IOException {
        int limit = buffer.limit();
        buffer.limit((int) Math.min(limit, buffer.position() + max));
        try {
            return channel.write(buffer);
        } finally {
            buffer.limit(limit);
        }
    }

    private static final class Held extends BodySource {
        private final ByteBuffer view;

        Held(ByteBuffer view) {
            this.view = view;
        }

        @Override
        long remaining() {
            return view.remaining();
        }

        @Override
        long writeTo(StreamSinkChannel channel, long max) throws IOException {
            return writeSome(channel, view, max);
        }
    }

    private static final class Region extends BodySource {
        private final FileChannel file;
        private final long end;
        private long position;

        Region(FileChannel file, long offset, long length) {
            this.file = file;
            this.position = offset;
            this.end = offset + length;
        }

        @Override
        long remaining() {
            return end - position;
        }

        @Override
        long writeTo(StreamSinkChannel channel, long max) throws IOException {
            // Some of Undertow's conduits read from the file's own position, others from the one given: both agree.
            file.position(position);
            long written = channel.transferFrom(file, position, Math.min(max, end - position));
            position += written;
            return written;
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }

    private static final class Inflating extends BodySource {
        private final InputStream in;
        private final String blob;
        private final ByteBuffer pending =
                ByteBuffer.allocate(DECODE_BUFFER_BYTES).limit(0);
        private long toSkip;
        /** Identity bytes not yet inflated into {@link #pending}. */
        private long toInflate;

        Inflating(InputStream in, String blob, long offset, long length) {
            this.in = in;
            this.blob = blob;
            this.toSkip = offset;
            this.toInflate = length;
        }

        @Override
        long remaining() {
            return pending.remaining() + toInflate;
        }

        @Override
        long writeTo(StreamSinkChannel channel, long max) throws IOException {
            if (toSkip > 0) {
                long step = Math.min(toSkip, SKIP_STEP_BYTES);
                while (step > 0) {
                    long skipped = in.skip(step);
                    if (skipped <= 0) {
                        throw short_();
                    }
                    step -= skipped;
                    toSkip -= skipped;
                }
                return YIELD;
            }
            if (!pending.hasRemaining()) {
                int wanted = (int) Math.min(pending.capacity(), toInflate);
                int read = in.readNBytes(pending.array(), 0, wanted);
                if (read < wanted) {
                    throw short_();
                }
                pending.position(0).limit(read);
                toInflate -= read;
            }
            return writeSome(channel, pending, max);
        }

        private EOFException short_() {
            return new EOFException("blob " + blob + " decodes to fewer bytes than the manifest says");
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
