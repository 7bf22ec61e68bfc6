package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StderrProgressTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final StringWriter text = new StringWriter();
    private final StderrProgress progress = new StderrProgress(new PrintWriter(text), now::get);

    @Test
    void aBuildShorterThanASecondPrintsNothing() {
        progress.progress("hashing", 10, 100);
        advance(900);
        progress.progress("writing", 100, 100);
        assertEquals("", text.toString());
    }

    @Test
    void aLongBuildPrintsAtMostOneLinePerSecond() {
        advance(1_100);
        progress.progress("hashing", 50, 100);
        advance(100);
        progress.progress("hashing", 60, 100);
        advance(100);
        progress.progress("hashing", 100, 100);
        advance(1_000);
        progress.progress("writing", 2000, 4000);
        assertEquals(
                String.join(
                        System.lineSeparator(), "hashing: 50% (50 B of 100 B)", "writing: 50% (2.0 KB of 4.0 KB)", ""),
                text.toString());
    }

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }
}
