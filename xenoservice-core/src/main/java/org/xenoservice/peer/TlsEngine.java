package org.xenoservice.peer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Which TLS implementation a peer's HTTPS port handshakes with. It exists because the JDK's TLS
 * costs a peer several times OpenSSL's CPU per handshake (its X25519 and ECDSA are computed in
 * Java), so a peer whose clients open many short connections serves far fewer of them per core on
 * the JDK alone. Either engine serves the same certificates, chosen by SNI in the same way
 * ({@link SiteCertificates}), over TLS 1.3 and 1.2 with HTTP/2 by ALPN.
 */
public enum TlsEngine {
    /** OpenSSL when the system's libssl (1.1 or 3) loads, otherwise the JDK's, with a warning that says why. */
    AUTO,
    /** OpenSSL (the system's libssl, 1.1 or 3); the peer does not start when it cannot be loaded. */
    OPENSSL,
    /** The JDK's own TLS (JSSE), which needs nothing outside the JVM. */
    JDK;

    /** The name in a properties file or on a command line: {@code auto}, {@code openssl} or {@code jdk}. */
    public String propertyValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The engine a {@linkplain #propertyValue() property value} names (any case), if any. */
    public static Optional<TlsEngine> fromPropertyValue(String value) {
        return Arrays.stream(values())
                .filter(engine -> engine.propertyValue().equalsIgnoreCase(value.strip()))
                .findFirst();
    }
}
