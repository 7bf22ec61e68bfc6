package org.xenoservice.benchmarks.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The attack testbed's network, without the (minutes-long) scenario: {@code attack-testbed.sh
 * --selftest} builds the namespaces, the bridge and the shaped links, checks every host reaches the
 * others and that the origin's 10 Mbit/s link carries roughly 10 Mbit/s, and tears it all down.
 * Needs root, iproute2 and python3 (as CI has); fails, never skips, without them.
 */
class AttackTestbedIT {
    private static final Path SCRIPT = Path.of("attack-testbed.sh").toAbsolutePath();

    @Test
    void selftestBuildsShapesAndRemovesTheWholeNetwork() throws Exception {
        Path output = Files.createTempFile("attack-selftest", ".log");
        try {
            Process process = new ProcessBuilder(SCRIPT.toString(), "--selftest")
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(180, TimeUnit.SECONDS)) {
                process.destroy();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            String log = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "the selftest failed:\n" + log);
            assertTrue(log.contains("SELFTEST OK"), log);
            assertTrue(log.contains("kbit/s over a 10mbit link"), log);
            assertEquals("", testbedNamespaces(), "namespaces left after the selftest:\n" + log);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void cleanupIsIdempotent() throws Exception {
        for (int i = 0; i < 2; i++) {
            Process process = new ProcessBuilder(SCRIPT.toString(), "--cleanup")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "cleanup did not finish");
            assertEquals(0, process.exitValue(), out);
        }
        assertEquals("", testbedNamespaces());
    }

    private static String testbedNamespaces() throws IOException, InterruptedException {
        Process list = new ProcessBuilder("ip", "netns", "list")
                .redirectErrorStream(true)
                .start();
        String namespaces = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(list.waitFor(10, TimeUnit.SECONDS));
        StringBuilder ours = new StringBuilder();
        namespaces
                .lines()
                .filter(line -> line.startsWith("xt-"))
                .forEach(line -> ours.append(line).append('\n'));
        return ours.toString();
    }
}
