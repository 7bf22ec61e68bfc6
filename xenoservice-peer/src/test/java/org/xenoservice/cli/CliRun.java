package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

/** What one run of the tool did: its exit code and what it printed. */
record CliRun(int code, String out, String err) {

    /** The lines printed on stderr. */
    List<String> errLines() {
        return err.isEmpty() ? List.of() : List.of(err.split("\n"));
    }

    /** Asserts the run failed with {@code expectedCode} and said why on exactly one stderr line. */
    CliRun failedWith(int expectedCode) {
        assertEquals(expectedCode, code, () -> "exit code; stdout: " + out + " stderr: " + err);
        assertEquals(1, errLines().size(), () -> "errors must be one line on stderr, got: " + err);
        return this;
    }

    /** Asserts the run succeeded. */
    CliRun succeeded() {
        assertEquals(XenoCli.OK, code, () -> "exit code; stdout: " + out + " stderr: " + err);
        return this;
    }
}
