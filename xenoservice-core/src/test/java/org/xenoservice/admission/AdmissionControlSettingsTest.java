package org.xenoservice.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Settings out of range are refused when set or built, with a message that names the value and the rule. */
class AdmissionControlSettingsTest {
    @Test
    void defaultsBuild() {
        AdmissionControl admission = AdmissionControl.builder().build();
        assertEquals(AdmissionControl.DEFAULT_INITIAL_LIMIT, admission.limit());
        assertEquals(10, admission.counts().peerReserve());
    }

    @Test
    void rejectsMinimumAboveMaximum() {
        refused(
                () -> AdmissionControl.builder().minLimit(300).maxLimit(200).build(),
                "minLimit must not exceed maxLimit, but minLimit was 300 and maxLimit 200: lower minLimit or raise"
                        + " maxLimit");
    }

    @Test
    void rejectsInitialLimitOutsideTheBounds() {
        refused(
                () -> AdmissionControl.builder().initialLimit(300).build(),
                "initialLimit must be between minLimit (4) and maxLimit (200), but was 300");
        refused(
                () -> AdmissionControl.builder().minLimit(30).build(),
                "initialLimit must be between minLimit (30) and maxLimit (200), but was 20");
    }

    @Test
    void rejectsALimitUnderTwo() {
        refused(
                () -> AdmissionControl.builder().minLimit(1),
                "minLimit must be between 2 and 100000 requests, but was 1");
        refused(
                () -> AdmissionControl.builder().maxLimit(0),
                "maxLimit must be between 2 and 100000 requests, but was 0");
        refused(
                () -> AdmissionControl.builder().initialLimit(-5),
                "initialLimit must be between 2 and 100000 requests, but was -5");
    }

    @Test
    void rejectsALimitAboveTheCap() {
        refused(
                () -> AdmissionControl.builder().maxLimit(Integer.MAX_VALUE),
                "maxLimit must be between 2 and 100000 requests, but was 2147483647");
    }

    @Test
    void rejectsAPeerShareOutsideZeroToOne() {
        for (double share : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            refused(
                    () -> AdmissionControl.builder().peerShare(share),
                    "peerShare must be greater than 0 and less than 1, but was " + share);
        }
    }

    @Test
    void rejectsALatencyToleranceOutsideOneToTen() {
        for (double tolerance : new double[] {0.9, 11, Double.NaN, Double.POSITIVE_INFINITY}) {
            refused(
                    () -> AdmissionControl.builder().latencyTolerance(tolerance),
                    "latencyTolerance must be between 1 and 10, but was " + tolerance);
        }
    }

    @Test
    void rejectsASmoothingOutsideZeroToOne() {
        for (double smoothing : new double[] {0, -1, 1.01, Double.NaN}) {
            refused(
                    () -> AdmissionControl.builder().smoothing(smoothing),
                    "smoothing must be greater than 0 and at most 1, but was " + smoothing);
        }
    }

    @Test
    void rejectsARetryAfterOutsideOneSecondToOneHour() {
        refused(
                () -> AdmissionControl.builder().retryAfter(Duration.ofMillis(500)),
                "retryAfter must be between 1 s and 1 hour, but was 500 ms");
        refused(
                () -> AdmissionControl.builder().retryAfter(Duration.ofHours(2)),
                "retryAfter must be between 1 s and 1 hour, but was 7200000 ms");
    }

    @Test
    void rejectsMissingValues() {
        assertThrows(
                NullPointerException.class, () -> AdmissionControl.builder().clock(null));
        assertThrows(
                NullPointerException.class, () -> AdmissionControl.builder().retryAfter(null));
        AdmissionControl admission = AdmissionControl.builder().build();
        assertThrows(NullPointerException.class, () -> admission.tryAcquire(null));
        long permit = admission.tryAcquire(Traffic.DIRECT);
        assertThrows(NullPointerException.class, () -> admission.release(permit, null));
        assertEquals(1, admission.counts().inFlight());
    }

    private static void refused(Executable setting, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setting);
        assertEquals(message, e.getMessage());
    }
}
