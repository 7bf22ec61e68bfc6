package org.xenoservice.acme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.xenoservice.dns.BindServer;

/**
 * Starts a {@link BindServer} and a {@link PebbleServer} that checks its challenges against it, for
 * a test class, and stops both after the class:
 * {@code @RegisterExtension static final PebbleServerExtension CA = new PebbleServerExtension();}
 * then {@code CA.pebble().directory()} and {@code CA.bind().key(BindServer.ACME_KEY)} in the tests.
 */
public final class PebbleServerExtension implements BeforeAllCallback, AfterAllCallback {
    private Path directory;
    private BindServer bind;
    private PebbleServer pebble;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        directory = Files.createTempDirectory("xeno-acme-");
        bind = BindServer.start(directory.resolve("bind"));
        pebble = PebbleServer.start(directory.resolve("pebble"), bind);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (pebble != null) {
            pebble.close();
        }
        if (bind != null) {
            bind.close();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The running BIND that pebble checks challenges against. */
    public BindServer bind() {
        return started(bind);
    }

    /**
     * Starts BIND again after a test closed it (its keys, zone and port as before, so that pebble,
     * which was told that port, checks challenges against it again), and returns it.
     */
    public BindServer restartBind() throws IOException, InterruptedException {
        bind = started(bind).restart();
        return bind;
    }

    /** The running pebble. */
    public PebbleServer pebble() {
        return started(pebble);
    }

    private static <T> T started(T server) {
        if (server == null) {
            throw new IllegalStateException(
                    "BIND and pebble are started before the test class's tests; register the extension on a static"
                            + " field");
        }
        return server;
    }
}
