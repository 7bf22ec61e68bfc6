package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.protocol.SiteQuota;

/** Per-site accounting and rate quotas: one tenant over its rate does not touch another. */
class PeerAccountingTest {
    private final AtomicLong now = new AtomicLong(0);
    private final PeerAccounting accounting = new PeerAccounting(
            List.of(
                    new Enrollment("books.example", SiteKeys.generate().getPublic(), new SiteQuota(1L << 30, 10, 1.0)),
                    new Enrollment(
                            "maps.example", SiteKeys.generate().getPublic(), new SiteQuota(1L << 30, 1_000, 1.0))),
            now::get);

    @Test
    void aSiteOverItsRateIsRefusedWhileAnotherIsNot() {
        int admitted = 0;
        for (int i = 0; i < 100; i++) {
            if (accounting.admit("books.example")) {
                admitted++;
            }
            assertTrue(accounting.admit("maps.example"), "maps.example stays within its own rate");
        }
        assertEquals(10, admitted, "a burst of one second's worth");
        assertEquals(90, accounting.snapshot("books.example").rejected());
        assertEquals(0, accounting.snapshot("maps.example").rejected());
        now.addAndGet(500_000_000L);
        int later = 0;
        for (int i = 0; i < 100; i++) {
            if (accounting.admit("books.example")) {
                later++;
            }
        }
        assertEquals(5, later, "half a second refills half the bucket");
        assertFalse(accounting.admit("books.example"));
    }

    @Test
    void countsRequestsBytesAndNotFoundPerSite() {
        accounting.served("books.example", 200, 1_000);
        accounting.served("Books.Example", 304, 0);
        accounting.served("books.example", 404, 120);
        accounting.served("stranger.example", 200, 99);
        assertEquals(new PeerAccounting.Snapshot(3, 1_120, 0, 1, 0), accounting.snapshot("books.example"));
        assertEquals(new PeerAccounting.Snapshot(0, 0, 0, 0, 0), accounting.snapshot("stranger.example"));
    }

    @Test
    void exportsPrometheusText() {
        accounting.served("books.example", 200, 1_000);
        accounting.admit("maps.example");
        String text = accounting.prometheus(Map.of("books.example", 4_096L));
        assertTrue(text.contains("# TYPE xeno_peer_requests_total counter\n"), text);
        assertTrue(text.contains("xeno_peer_requests_total{site=\"books.example\"} 1\n"), text);
        assertTrue(text.contains("xeno_peer_sent_bytes_total{site=\"books.example\"} 1000\n"), text);
        assertTrue(text.contains("xeno_peer_stored_bytes{site=\"books.example\"} 4096\n"), text);
        assertTrue(text.contains("xeno_peer_stored_bytes{site=\"maps.example\"} 0\n"), text);
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void bytesSentDoNotRefuseRequests() {
        // The share is paced where the bytes go out (BandwidthLimiter); a big answer that completes
        // must not turn the site's next requests away.
        accounting.served("maps.example", 200, 1L << 30);
        assertTrue(accounting.admit("maps.example"));
        assertEquals(1L << 30, accounting.snapshot("maps.example").bytesSent());
    }
}
