package org.xenoservice.peer.server;

import io.undertow.protocols.alpn.ALPNProvider;
import javax.net.ssl.SSLEngine;

/**
 * Undertow's ALPN for the peer's BoringSSL engines ({@link BoringSslEngine}, made by {@link BoringSslTls}): their context offers the
 * protocols itself, so this only reports the one the handshake chose. Found by Undertow through
 * {@code META-INF/services}, ahead of the JDK's provider, whose way of setting protocols these
 * engines do not take.
 */
public final class BoringSslAlpnProvider implements ALPNProvider {
    /** Ahead of Undertow's JDK provider (200), which would take these engines for its own. */
    private static final int PRIORITY = 10_000;

    /** Made by {@link java.util.ServiceLoader}. */
    public BoringSslAlpnProvider() {}

    @Override
    public boolean isEnabled(SSLEngine engine) {
        return engine instanceof BoringSslEngine;
    }

    @Override
    public SSLEngine setProtocols(SSLEngine engine, String[] protocols) {
        return engine;
    }

    @Override
    public String getSelectedProtocol(SSLEngine engine) {
        String selected = engine.getApplicationProtocol();
        return selected == null ? "" : selected;
    }

    @Override
    public int getPriority() {
        return PRIORITY;
    }

    @Override
    public String toString() {
        return "XenoService BoringSSL ALPN";
    }
}
