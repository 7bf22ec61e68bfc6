package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LegitBreakdownTest {
    private static LegitLog.Entry entry(
            long at, long latency, boolean ok, boolean byPeer, String what, CustomerKind kind) {
        return new LegitLog.Entry(at, latency, ok, byPeer, what, kind);
    }

    private static final List<LegitLog.Entry> ENTRIES = List.of(
            entry(1_000, 10, true, false, LegitLog.PAGE, CustomerKind.TTL_HONOURING),
            entry(11_000, 900, false, false, LegitLog.SEARCH, CustomerKind.TTL_HONOURING),
            entry(12_500, 30, true, true, LegitLog.PAGE, CustomerKind.TTL_HONOURING),
            entry(13_000, 40, true, true, LegitLog.ORDER, CustomerKind.TTL_HONOURING),
            entry(11_500, 20, false, true, LegitLog.PAGE, CustomerKind.BROWSER_60S),
            entry(45_000, 50, true, true, LegitLog.PAGE, CustomerKind.BROWSER_60S),
            entry(14_000, 70, true, false, LegitLog.ORDER, CustomerKind.KEEP_ALIVE));

    @Test
    void givesSuccessAndLatencyPerKind() {
        Map<String, LegitBreakdown.KindFigures> byKind = LegitBreakdown.byKind(ENTRIES, OptionalLong.of(10_000));
        assertEquals(List.of("ttl", "ttlFloor30s", "browser60s", "keepAlive"), List.copyOf(byKind.keySet()));
        LegitBreakdown.KindFigures ttl = byKind.get("ttl");
        assertEquals(40, ttl.sharePercent());
        assertEquals(4, ttl.requests());
        assertEquals(3, ttl.succeeded());
        assertEquals(75.0, ttl.successPercent());
        assertEquals(30, ttl.p50Ms());
        assertEquals(900, ttl.p95Ms());
        assertEquals(0, byKind.get("ttlFloor30s").requests());
        assertEquals(0, byKind.get("ttlFloor30s").successPercent());
    }

    @Test
    void givesPerKindTheTimeFromOnsetToTheFirstRequestAPeerAnswered() {
        Map<String, LegitBreakdown.KindFigures> byKind = LegitBreakdown.byKind(ENTRIES, OptionalLong.of(10_000));
        assertEquals(2_500, byKind.get("ttl").reachedPeersAfterMs());
        assertEquals(
                35_000, byKind.get("browser60s").reachedPeersAfterMs(), "a failed request at a peer does not count");
        assertEquals(-1, byKind.get("keepAlive").reachedPeersAfterMs(), "never reached the peers");
        assertEquals(-1, byKind.get("ttlFloor30s").reachedPeersAfterMs());
        assertEquals(
                -1,
                LegitBreakdown.byKind(ENTRIES, OptionalLong.empty()).get("ttl").reachedPeersAfterMs());
    }

    @Test
    void givesSuccessAndLatencyPerRequestTypeOverallAndPerKind() {
        Map<String, LegitBreakdown.Figures> byType = LegitBreakdown.byRequestType(ENTRIES);
        assertEquals(List.of("page", "search", "order"), List.copyOf(byType.keySet()));
        assertEquals(new LegitBreakdown.Figures(4, 3, 75.0, 20, 50), byType.get("page"));
        assertEquals(new LegitBreakdown.Figures(1, 0, 0.0, 900, 900), byType.get("search"));
        assertEquals(new LegitBreakdown.Figures(2, 2, 100.0, 40, 70), byType.get("order"));
        LegitBreakdown.KindFigures ttl =
                LegitBreakdown.byKind(ENTRIES, OptionalLong.of(10_000)).get("ttl");
        assertEquals(
                new LegitBreakdown.Figures(2, 2, 100.0, 10, 30),
                ttl.byRequestType().get("page"));
        assertEquals(
                new LegitBreakdown.Figures(1, 1, 100.0, 40, 40),
                ttl.byRequestType().get("order"));
    }
}
