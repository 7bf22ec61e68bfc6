package org.xenoservice.peer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A peer configuration file that cannot be used: unreadable, an unknown property, or a bad value.
 * The message names the file, the property and the value, and says what is expected.
 */
public final class PeerConfigException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String property;

    PeerConfigException(Path file, String property, String message, Throwable cause) {
        super(file + ": " + (property.isEmpty() ? "" : property + ": ") + message, cause);
        this.file = file;
        this.property = property;
    }

    /** The configuration file. */
    public Path file() {
        return file;
    }

    /** The property at fault, empty when the file as a whole is (e.g. it cannot be read). */
    public Optional<String> property() {
        return property.isEmpty() ? Optional.empty() : Optional.of(property);
    }
}
