package org.xenoservice.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each control body read back as it was written, and the refusals of bodies that are not one. */
class ControlCodecTest {
    private static final String SHA = "a".repeat(64);
    private static final SiteQuota QUOTA = new SiteQuota(10L << 20, 100, 0.5);

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Test
    void statusOfAServedSiteRoundTrips() {
        SiteStatus status = new SiteStatus(
                "books.example",
                OptionalLong.of(2),
                Optional.of(SHA),
                List.of(1L, 2L),
                4096,
                10,
                2048,
                3,
                QUOTA,
                Optional.empty());
        assertEquals(status, ControlCodec.readStatus(ControlCodec.writeStatus(status)));
    }

    @Test
    void statusOfASiteNotServedWritesNulls() {
        SiteStatus status = new SiteStatus(
                "books.example",
                OptionalLong.empty(),
                Optional.empty(),
                List.of(),
                0,
                0,
                0,
                0,
                SiteQuota.DEFAULT,
                Optional.empty());
        byte[] body = ControlCodec.writeStatus(status);
        assertTrue(text(body).contains("\"activeVersion\":null,\"activeManifestSha256\":null"), text(body));
        assertEquals(status, ControlCodec.readStatus(body));
    }

    @Test
    void statusFieldsAreWrittenInTheProtocolsOrder() {
        SiteStatus status = new SiteStatus(
                "books.example",
                OptionalLong.of(2),
                Optional.of(SHA),
                List.of(2L),
                1,
                2,
                3,
                4,
                QUOTA,
                Optional.empty());
        assertEquals(
                "{\"site\":\"books.example\",\"activeVersion\":2,\"activeManifestSha256\":\"" + SHA + "\","
                        + "\"versions\":[2],\"storedBytes\":1,\"requests\":2,\"bytesSent\":3,\"rejectedRequests\":4,"
                        + "\"quota\":{\"maxStoredBytes\":10485760,\"requestsPerSecond\":100.0,\"bandwidthShare\":0.5},"
                        + "\"certificate\":null,\"diskBytes\":1}",
                text(ControlCodec.writeStatus(status)));
    }

    @Test
    void aStatusWithoutDiskBytesFromAnEarlierPeerCountsItsStoredBytes() {
        String earlier = "{\"site\":\"books.example\",\"activeVersion\":null,\"activeManifestSha256\":null,"
                + "\"versions\":[],\"storedBytes\":7,\"requests\":0,\"bytesSent\":0,\"rejectedRequests\":0,"
                + "\"quota\":{\"maxStoredBytes\":10485760,\"requestsPerSecond\":100.0,\"bandwidthShare\":0.5},"
                + "\"certificate\":null}";
        assertEquals(
                7,
                ControlCodec.readStatus(earlier.getBytes(StandardCharsets.UTF_8))
                        .diskBytes());
    }

    @Test
    void statusAnswerMissingAFieldNamesIt() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ControlCodec.readStatus(json("{\"site\":\"books.example\",\"versions\":[]}")));
        assertEquals("no whole number storedBytes", e.getMessage());
        assertEquals(
                "no versions list",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> ControlCodec.readStatus(json("{\"site\":\"books.example\"}")))
                        .getMessage());
        assertEquals(
                "an answer that is not a JSON object",
                assertThrows(IllegalArgumentException.class, () -> ControlCodec.readStatus(json("[1]")))
                        .getMessage());
    }

    @Test
    void stagedBundleRoundTrips() {
        StagedBundle staged = new StagedBundle("books.example", 7, SHA);
        byte[] body = ControlCodec.writeStaged(staged);
        assertTrue(text(body).endsWith("\"staged\":true}"), text(body));
        assertEquals(staged, ControlCodec.readStaged(body));
    }

    @Test
    void digestsRoundTripAndMissingKeepsTheOrder() {
        List<String> digests = List.of(SHA, "b".repeat(64));
        assertEquals(digests, ControlCodec.readDigests(ControlCodec.writeDigests(digests)));
        assertEquals(
                List.of("b".repeat(64), SHA),
                List.copyOf(ControlCodec.readMissing(ControlCodec.writeMissing(List.of("b".repeat(64), SHA)))));
        assertEquals(Set.of(), ControlCodec.readMissing(ControlCodec.writeMissing(List.of())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"digests\":\"x\"}", "{\"digests\":[\"ABC\"]}", "{\"digests\":[1]}"})
    void refusesADigestsRequestThatIsNotOne(String body) {
        assertThrows(IllegalArgumentException.class, () -> ControlCodec.readDigests(json(body)));
    }

    @Test
    void refusesARequestThatIsNotAJsonObject() {
        assertEquals(
                "the body must be a JSON object",
                assertThrows(IllegalArgumentException.class, () -> ControlCodec.readActivate(json("[]")))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ControlCodec.readActivate(json("{")))
                .getMessage()
                .startsWith("the body is not JSON: "));
    }

    @Test
    void activateTakesAWholeVersion() {
        assertEquals(9, ControlCodec.readActivate(ControlCodec.writeActivate(9)));
        assertEquals(
                "activate takes {\"version\": N}",
                assertThrows(IllegalArgumentException.class, () -> ControlCodec.readActivate(json("{\"version\":1.5}")))
                        .getMessage());
    }

    @Test
    void servingAnswersSayWhetherTheSiteIsServed() {
        assertTrue(ControlCodec.readServing(ControlCodec.writeServing("books.example", 3)));
        assertFalse(ControlCodec.readServing(ControlCodec.writeRetired("books.example")));
    }

    @Test
    void errorRoundTripsAndAnythingElseIsNoError() {
        ControlError error = new ControlError("rollback", "push a newer version");
        assertEquals(
                "{\"error\":\"rollback\",\"message\":\"push a newer version\"}", text(ControlCodec.writeError(error)));
        assertEquals(Optional.of(error), ControlCodec.readError(ControlCodec.writeError(error)));
        assertEquals(Optional.of(new ControlError("quota", "")), ControlCodec.readError(json("{\"error\":\"quota\"}")));
        assertEquals(Optional.empty(), ControlCodec.readError(json("<html>502 Bad Gateway</html>")));
        assertEquals(Optional.empty(), ControlCodec.readError(json("{\"error\":404}")));
    }
}
