package org.xenoservice.peer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Which TLS implementation a peer's HTTPS port handshakes with. It exists because the JDK's TLS
 * costs a peer several times BoringSSL's CPU per handshake (its X25519 and ECDSA are computed in
 * Java), so a peer whose clients open many short connections serves far fewer of them per core on
 * the JDK alone. Either engine serves the same certificates, chosen by SNI in the same way
 * ({@link SiteCertificates}), over TLS 1.3 and 1.2 with HTTP/2 by ALPN.
 */
public enum TlsEngine {
    /** BoringSSL when its native library loads on this platform, otherwise the JDK's, with a warning that says why. */
    AUTO,
    /**
     * BoringSSL, Google's fork of OpenSSL, as netty-tcnative builds it into the peer's jar for
     * Linux (glibc) and macOS on x86-64 and ARM64 and for Windows on x86-64 (no system library
     * needed); the peer does not start when it cannot be loaded. Also named {@code openssl}, its
     * name before it replaced the system's OpenSSL.
     */
    BORINGSSL,
    /** The JDK's own TLS (JSSE), which needs nothing outside the JVM. */
    JDK;

    /** The name in a properties file or on a command line: {@code auto}, {@code boringssl} or {@code jdk}. */
    public String propertyValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The engine a {@linkplain #propertyValue() property value} names (any case), if any;
     * {@code openssl} names {@link #BORINGSSL}.
     */
    public static Optional<TlsEngine> fromPropertyValue(String value) {
        String name = value.strip();
        if (name.equalsIgnoreCase("openssl")) {
            return Optional.of(BORINGSSL);
        }
        return Arrays.stream(values())
                .filter(engine -> engine.propertyValue().equalsIgnoreCase(name))
                .findFirst();
    }
}
