package org.xenoservice.peer.server;

import io.undertow.util.DateUtils;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * HTTP dates ({@code Last-Modified}) formatted once per distinct second rather than once per
 * response: formatting one costs about as much as the rest of serving a small file from memory. A
 * direct-mapped table of {@value #SLOTS} entries, so it stays small whatever a bundle holds; two
 * seconds that share a slot just format again. Safe for concurrent use.
 */
final class HttpDates {
    private static final int SLOTS = 256;

    private record Formatted(long second, String text) {}

    private final AtomicReferenceArray<Formatted> slots = new AtomicReferenceArray<>(SLOTS);

    /** {@code instant}, to the second, as an HTTP date ({@code Tue, 15 Nov 1994 08:12:31 GMT}). */
    String format(Instant instant) {
        long second = instant.getEpochSecond();
        int slot = (int) (second ^ (second >>> 32)) & (SLOTS - 1);
        Formatted cached = slots.getAcquire(slot);
        if (cached != null && cached.second() == second) {
            return cached.text();
        }
        String text = DateUtils.toDateString(Date.from(Instant.ofEpochSecond(second)));
        slots.setRelease(slot, new Formatted(second, text));
        return text;
    }
}
