package org.xenoservice.key;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A key file that cannot be used: missing, not PEM, the wrong kind of key, or not Ed25519.
 * The message names the file and says what to do about it.
 */
public final class KeyFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Path file;

    KeyFileException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    KeyFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    /** The key file that could not be used. */
    public Path file() {
        return file;
    }
}
