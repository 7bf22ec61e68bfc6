package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The scripted demo, shortened (calm 5 s, flood 15 s, calm 10 s), with a real BIND and a real ACME
 * CA (pebble), over HTTPS: every peer gets a certificate for its own key before the flood, the
 * flood is detected, peers enter DNS and leave it again, customers are served with every
 * certificate verified against pebble's root alone (no TLS failure), and every order placed is
 * recorded once. Fails (never skips) when {@code named} or {@code pebble} is missing: ./test.sh
 * installs bind9 and pebble.
 */
class ScriptedDemoIT {
    @Test
    void aFloodIsAbsorbedAndNoOrderIsLostOrDuplicated() throws Exception {
        assertTrue(LocalBind.findNamed().isPresent(), "named (BIND 9) is not installed: apt-get install bind9");
        assertTrue(LocalPebble.find().isPresent(), "pebble (an ACME test CA) is not installed: apt-get install pebble");
        Path out = Path.of("target", "scripted-demo-it");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DemoOptions options = DemoOptions.parse(
                "--scripted",
                "--calm-seconds",
                "5",
                "--flood-seconds",
                "15",
                "--after-seconds",
                "10",
                "--dashboard-port",
                "0",
                "--out",
                out.toString());
        int exit;
        try (PrintStream stream = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            exit = DemoMain.run(
                    options, new PrintStream(new TeeStream(stream, System.out), true, StandardCharsets.UTF_8));
        }
        String log = printed.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, log);
        JsonNode report = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        assertEquals("bind", report.path("dnsMode").asText());
        assertEquals("https", report.path("scheme").asText(), report.toString());
        assertEquals(0, report.path("tlsFailures").asLong(), "every customer's handshake verified: " + report);
        assertTrue(
                report.path("certificatesIssued").asLong() >= Demo.PEER_ADDRESSES.size(),
                "each peer got a certificate: " + report);
        Path root = Path.of(report.path("caCertificate").asText());
        assertEquals(out.toAbsolutePath().resolve(DemoHttps.ROOT_FILE), root, report.toString());
        assertTrue(Files.readString(root).startsWith("-----BEGIN CERTIFICATE-----"), "the root the customers trusted");
        assertTrue(report.path("detectedAfterMs").asLong() >= 0, "the flood was detected: " + report);
        assertTrue(report.path("dnsUpdatedAfterMs").asLong() >= 0, "peers entered DNS: " + report);
        assertTrue(report.path("peersActivated").asInt() >= 1, report.toString());
        assertTrue(report.path("withdrawnAfterMs").asLong() >= 0, "peers left DNS after the flood: " + report);
        assertTrue(report.path("ordersPlaced").asLong() > 0, report.toString());
        assertEquals(
                report.path("ordersPlaced").asLong(),
                report.path("ordersRecorded").asLong(),
                report.toString());
        assertEquals(0, report.path("ordersDuplicated").asLong(), report.toString());
        assertEquals(0, report.path("ordersLost").asLong(), report.toString());
        assertTrue(report.path("ordersCapturedByPeers").asLong() > 0, "peers captured orders: " + report);
        assertTrue(
                report.path("legitSucceeded").asDouble()
                        >= 0.85 * report.path("legitRequests").asDouble(),
                "customers were served: " + report);
        assertTrue(report.path("legitServedByPeers").asLong() > 0, report.toString());
        assertEquals(0, report.path("clientErrorsDuringWithdrawal").asLong(), report.toString());
        assertTrue(
                report.path("withdrawalWindowMs").asLong() >= 60_000,
                "customers went on until every cache from before the withdrawal ran out: " + report);
        assertTrue(Files.size(out.resolve("timeline.png")) > 10_000, "the chart was drawn");
    }

    /** Writes to two streams: the test's record and the console. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream first;
        private final java.io.OutputStream second;

        TeeStream(java.io.OutputStream first, java.io.OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws java.io.IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }
    }
}
