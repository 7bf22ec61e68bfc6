package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogLinesTest {
    private static LogRecord hostile() {
        LogRecord record = new LogRecord(Level.WARNING, "a \"quoted\" line\nand a second\\ with \u0001 in it");
        record.setLoggerName("org.xenoservice.peer.server.PeerServer");
        record.setThrown(new IOException("disk\nfull", new IllegalStateException("cause")));
        return record;
    }

    @Test
    void jsonIsOneParseableObjectPerEventWhateverTheMessageHolds() throws IOException {
        String line = new LogLines(LogLines.Format.JSON).format(hostile());
        assertEquals(1, line.lines().count(), line);
        JsonNode event = new ObjectMapper().readTree(line);
        assertEquals("WARN", event.get("level").asText());
        assertEquals(
                "org.xenoservice.peer.server.PeerServer", event.get("logger").asText());
        assertEquals(
                "a \"quoted\" line\nand a second\\ with \u0001 in it",
                event.get("message").asText());
        assertTrue(event.get("error").asText().contains("caused by java.lang.IllegalStateException: cause"));
        assertTrue(event.get("timestamp").asText().endsWith("Z"));
    }

    @Test
    void textIsOneLinePerEventWithLevelAndLogger() {
        String line = new LogLines(LogLines.Format.TEXT).format(hostile());
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains(" WARN PeerServer a \"quoted\" line\\nand a second"), line);
        assertTrue(line.contains("| java.io.IOException: disk\\nfull"), line);
    }
}
