package org.xenoservice.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThrottledInputStreamTest {
    @Test
    void passesEveryByteThroughUnchanged() throws IOException {
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        try (InputStream in = new ThrottledInputStream(new ByteArrayInputStream(data), 100L << 20)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    @Test
    void neverRunsAheadOfItsRate() throws IOException {
        // 200 KB at 400 KB/s cannot take less than half a second, however fast the machine.
        byte[] data = new byte[200_000];
        long start = System.nanoTime();
        try (InputStream in = new ThrottledInputStream(new ByteArrayInputStream(data), 400_000)) {
            in.readAllBytes();
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 450, "200 KB at 400 KB/s took only " + tookMillis + " ms");
    }

    @Test
    void handsOutSmallChunksSoThatTheRateIsSmooth() throws IOException {
        try (InputStream in = new ThrottledInputStream(new ByteArrayInputStream(new byte[100_000]), 50_000)) {
            int first = in.read(new byte[65_536], 0, 65_536);
            assertTrue(first <= 5_000, "a tenth of a second's worth at most, was " + first);
        }
    }

    @Test
    void refusesARateOfZero() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new ThrottledInputStream(new ByteArrayInputStream(new byte[1]), 0));
    }
}
