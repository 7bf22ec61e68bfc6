package org.xenoservice.peer.server;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * A BoringSSL engine as Undertow needs it, for two differences from the JDK's engine that Undertow
 * relies on. Undertow's SNI engine copies its settings to the engine it hands over to, including
 * {@code setEnableSessionCreation(true)}, which netty's engine refuses (it always creates
 * sessions); this engine accepts it. And netty's engine wraps each buffer of a gathering write in a
 * record of its own, so a response's headers and body went out as two records in two packets, which
 * cost both ends a second read and decryption per response; this engine joins the buffers of a write
 * that fit in one record, as the JDK's does. It also closes without netty's exception for a client
 * that hangs up without a close_notify ({@link #closeInbound()}). Used by one connection at a time,
 * like any engine.
 */
final class BoringSslEngine extends SSLEngine {
    /** The most plaintext one TLS record carries. */
    static final int MAX_RECORD_PLAINTEXT = 16 * 1024;

    /** Where a write's buffers are joined, one per I/O thread: an engine wraps on its connection's. */
    private static final ThreadLocal<ByteBuffer> JOINED =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(MAX_RECORD_PLAINTEXT));

    private final SSLEngine netty;

    BoringSslEngine(SSLEngine netty) {
        super(netty.getPeerHost(), netty.getPeerPort());
        this.netty = netty;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
        int total = 0;
        int nonEmpty = 0;
        for (int i = offset; i < offset + length; i++) {
            int remaining = srcs[i].remaining();
            total += remaining;
            nonEmpty += remaining > 0 ? 1 : 0;
        }
        if (nonEmpty < 2 || total > MAX_RECORD_PLAINTEXT) {
            return netty.wrap(srcs, offset, length, dst);
        }
        ByteBuffer joined = JOINED.get().clear();
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer src = srcs[i];
            joined.put(joined.position(), src, src.position(), src.remaining());
            joined.position(joined.position() + src.remaining());
        }
        joined.flip();
        SSLEngineResult result = netty.wrap(joined, dst);
        int consumed = result.bytesConsumed();
        for (int i = offset; i < offset + length && consumed > 0; i++) {
            ByteBuffer src = srcs[i];
            int taken = Math.min(consumed, src.remaining());
            src.position(src.position() + taken);
            consumed -= taken;
        }
        return result;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return netty.wrap(src, dst);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        return netty.unwrap(src, dsts, offset, length);
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return netty.unwrap(src, dst);
    }

    @Override
    public Runnable getDelegatedTask() {
        return netty.getDelegatedTask();
    }

    /**
     * Closes the inbound side. When the outbound side is closed already (the response went out with
     * the server's close_notify), the connection's native state is freed at once, without netty's
     * "truncation attack" exception for a client that closed without a close_notify of its own: a
     * server that has answered loses nothing by it, and the exception's stack trace cost more than
     * the rest of closing.
     */
    @Override
    public void closeInbound() throws SSLException {
        if (netty.isOutboundDone() && netty instanceof ReferenceCountedOpenSslEngine openSsl) {
            openSsl.shutdown();
            return;
        }
        netty.closeInbound();
    }

    @Override
    public boolean isInboundDone() {
        return netty.isInboundDone();
    }

    @Override
    public void closeOutbound() {
        netty.closeOutbound();
    }

    @Override
    public boolean isOutboundDone() {
        return netty.isOutboundDone();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return netty.getSupportedCipherSuites();
    }

    @Override
    public String[] getEnabledCipherSuites() {
        return netty.getEnabledCipherSuites();
    }

    @Override
    public void setEnabledCipherSuites(String[] suites) {
        netty.setEnabledCipherSuites(suites);
    }

    @Override
    public String[] getSupportedProtocols() {
        return netty.getSupportedProtocols();
    }

    @Override
    public String[] getEnabledProtocols() {
        return netty.getEnabledProtocols();
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        netty.setEnabledProtocols(protocols);
    }

    @Override
    public SSLSession getSession() {
        return netty.getSession();
    }

    @Override
    public SSLSession getHandshakeSession() {
        return netty.getHandshakeSession();
    }

    @Override
    public void beginHandshake() throws SSLException {
        netty.beginHandshake();
    }

    @Override
    public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
        return netty.getHandshakeStatus();
    }

    @Override
    public void setUseClientMode(boolean client) {
        netty.setUseClientMode(client);
    }

    @Override
    public boolean getUseClientMode() {
        return netty.getUseClientMode();
    }

    @Override
    public void setNeedClientAuth(boolean need) {
        netty.setNeedClientAuth(need);
    }

    @Override
    public boolean getNeedClientAuth() {
        return netty.getNeedClientAuth();
    }

    @Override
    public void setWantClientAuth(boolean want) {
        netty.setWantClientAuth(want);
    }

    @Override
    public boolean getWantClientAuth() {
        return netty.getWantClientAuth();
    }

    /** Accepts {@code true} (BoringSSL always creates sessions); {@code false} is passed on. */
    @Override
    public void setEnableSessionCreation(boolean create) {
        if (!create) {
            netty.setEnableSessionCreation(false);
        }
    }

    @Override
    public boolean getEnableSessionCreation() {
        return netty.getEnableSessionCreation();
    }

    @Override
    public SSLParameters getSSLParameters() {
        return netty.getSSLParameters();
    }

    @Override
    public void setSSLParameters(SSLParameters parameters) {
        netty.setSSLParameters(parameters);
    }

    @Override
    public String getApplicationProtocol() {
        return netty.getApplicationProtocol();
    }

    @Override
    public String getHandshakeApplicationProtocol() {
        return netty.getHandshakeApplicationProtocol();
    }

    /** Unsupported: the protocols are the context's, offered by BoringSSL itself. */
    @Override
    public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        throw new UnsupportedOperationException("the BoringSSL context offers its own application protocols");
    }

    @Override
    public String toString() {
        return "BoringSSL engine " + netty;
    }
}
