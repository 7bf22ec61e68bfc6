package org.xenoservice.dns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one {@link BindServer} for a test class and stops it after the class:
 * {@code @RegisterExtension static final BindServerExtension BIND = new BindServerExtension();}
 * then {@code BIND.server()} in the tests.
 */
public final class BindServerExtension implements BeforeAllCallback, AfterAllCallback {
    private Path directory;
    private BindServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        directory = Files.createTempDirectory("xeno-bind-");
        server = BindServer.start(directory);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (server != null) {
            server.close();
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The running server. */
    public BindServer server() {
        if (server == null) {
            throw new IllegalStateException(
                    "BIND is started before the test class's tests; register the extension " + "on a static field");
        }
        return server;
    }
}
