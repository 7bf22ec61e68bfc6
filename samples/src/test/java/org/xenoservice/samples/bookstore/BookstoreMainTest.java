package org.xenoservice.samples.bookstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The command line of the plain shop. */
class BookstoreMainTest {
    @Test
    void readsEveryOptionAndDefaultsTheBackChannelToTheListener() {
        BookstoreMain.Arguments args = BookstoreMain.Arguments.parse(
                "tomcat",
                "--state",
                "/tmp/shop",
                "--port",
                "9090",
                "--workers",
                "2",
                "--queue",
                "5",
                "--cost-ms",
                "20",
                "--burn-cpu");
        assertTrue(args.tomcat);
        assertEquals(Path.of("/tmp/shop"), args.state);
        assertEquals(9090, args.port);
        assertEquals(2, args.workers);
        assertEquals(5, args.queue);
        assertEquals(Duration.ofMillis(20), args.cost);
        assertTrue(args.burnCpu);
        assertEquals(URI.create("http://127.0.0.1:9090"), args.backChannel);
    }

    @Test
    void refusesWhatItCannotUse() {
        assertThrows(IllegalArgumentException.class, () -> BookstoreMain.Arguments.parse("--port", "80"));
        assertThrows(IllegalArgumentException.class, () -> BookstoreMain.Arguments.parse("jetty", "--state", "s"));
        assertThrows(
                IllegalArgumentException.class, () -> BookstoreMain.Arguments.parse("--state", "s", "--port", "70000"));
        assertThrows(
                IllegalArgumentException.class, () -> BookstoreMain.Arguments.parse("--state", "s", "--port", "x"));
        assertThrows(
                IllegalArgumentException.class, () -> BookstoreMain.Arguments.parse("--state", "s", "--port", "0"));
        assertThrows(
                IllegalArgumentException.class, () -> BookstoreMain.Arguments.parse("--state", "s", "--bogus", "1"));
        assertThrows(IllegalArgumentException.class, () -> BookstoreMain.Arguments.parse("--state"));
    }
}
