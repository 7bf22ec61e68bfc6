package org.xenoservice.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * An input stream that hands out at most a given number of bytes per second, on average since it
 * was opened, by sleeping in {@code read} when it runs ahead: it paces bundle uploads.
 */
final class ThrottledInputStream extends FilterInputStream {
    private static final int MAX_CHUNK = 16 * 1024;

    private final long bytesPerSecond;
    private final long startNanos = System.nanoTime();
    private long sent;

    ThrottledInputStream(InputStream in, long bytesPerSecond) {
        super(in);
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive, was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public int read() throws IOException {
        pace(1);
        int b = super.read();
        if (b >= 0) {
            sent++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int chunk = (int) Math.min(Math.min(length, MAX_CHUNK), Math.max(1, bytesPerSecond / 10));
        pace(chunk);
        int n = super.read(buffer, offset, chunk);
        if (n > 0) {
            sent += n;
        }
        return n;
    }

    /** Sleeps until sending {@code next} more bytes keeps the average rate at or under the limit. */
    private void pace(int next) throws IOException {
        long dueNanos = (long) ((sent + next) * 1e9 / bytesPerSecond);
        long aheadNanos = dueNanos - (System.nanoTime() - startNanos);
        if (aheadNanos > 1_000_000) {
            try {
                Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("upload interrupted while pacing to " + bytesPerSecond + " bytes/s");
            }
        }
    }
}
