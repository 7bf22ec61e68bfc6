package org.xenoservice.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RenewalTest {
    private static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aNinetyDayCertificateIsRenewedThirtyDaysBeforeItEnds() {
        Instant notAfter = ISSUED.plus(Duration.ofDays(90));
        assertEquals(ISSUED.plus(Duration.ofDays(60)), Renewal.whenAThirdIsLeft(ISSUED, notAfter));
    }

    @Test
    void aSixDayCertificateIsRenewedTwoDaysBeforeItEnds() {
        Instant notAfter = ISSUED.plus(Duration.ofDays(6));
        assertEquals(ISSUED.plus(Duration.ofDays(4)), Renewal.whenAThirdIsLeft(ISSUED, notAfter));
    }

    @Test
    void refusesAnEmptyLifetime() {
        assertThrows(IllegalArgumentException.class, () -> Renewal.whenAThirdIsLeft(ISSUED, ISSUED));
    }

    @Test
    void picksTheTimeInTheCasWindowAsFarInAsTheFractionSays() {
        Instant start = ISSUED.plus(Duration.ofDays(60));
        Instant end = ISSUED.plus(Duration.ofDays(62));
        Instant notAfter = ISSUED.plus(Duration.ofDays(90));
        assertEquals(start, Renewal.inWindow(start, end, 0, ISSUED, notAfter));
        assertEquals(ISSUED.plus(Duration.ofDays(61)), Renewal.inWindow(start, end, 0.5, ISSUED, notAfter));
    }

    @Test
    void aWindowThatHasPassedMeansRenewNow() {
        Instant now = ISSUED.plus(Duration.ofDays(70));
        assertEquals(
                now,
                Renewal.inWindow(
                        ISSUED.plus(Duration.ofDays(60)),
                        ISSUED.plus(Duration.ofDays(62)),
                        0.3,
                        now,
                        ISSUED.plus(Duration.ofDays(90))));
    }

    @Test
    void aTimeInAWindowThatStartedAlreadyButBeforeNowMeansNow() {
        Instant now = ISSUED.plus(Duration.ofDays(61));
        assertEquals(
                now,
                Renewal.inWindow(
                        ISSUED.plus(Duration.ofDays(60)),
                        ISSUED.plus(Duration.ofDays(62)),
                        0.1,
                        now,
                        ISSUED.plus(Duration.ofDays(90))));
    }

    @Test
    void neverRenewsAfterTheCertificateEnds() {
        Instant notAfter = ISSUED.plus(Duration.ofDays(90));
        assertEquals(
                notAfter,
                Renewal.inWindow(notAfter.minusSeconds(10), notAfter.plus(Duration.ofDays(5)), 1, ISSUED, notAfter));
    }

    @Test
    void refusesAWindowThatEndsBeforeItStartsAndFractionsOutsideZeroToOne() {
        Instant notAfter = ISSUED.plus(Duration.ofDays(90));
        assertThrows(IllegalArgumentException.class, () -> Renewal.inWindow(notAfter, ISSUED, 0.5, ISSUED, notAfter));
        assertThrows(IllegalArgumentException.class, () -> Renewal.inWindow(ISSUED, notAfter, 1.5, ISSUED, notAfter));
        assertThrows(
                IllegalArgumentException.class, () -> Renewal.inWindow(ISSUED, notAfter, Double.NaN, ISSUED, notAfter));
    }
}
