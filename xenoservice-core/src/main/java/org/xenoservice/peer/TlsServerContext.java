package org.xenoservice.peer;

import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIMatcher;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.TrustManager;

/**
 * The serving side's TLS context: the JDK's, with one key manager, whose every engine speaks TLS
 * 1.3 and 1.2 only, whatever the JVM's defaults or the web server's options, so that no client can
 * talk a peer down to an older protocol, and whose every engine refuses a server name the peer
 * holds no certificate for during the ClientHello, with an {@code unrecognized_name} alert, before
 * any key is chosen. Engines only: a web server on NIO needs nothing else.
 */
final class TlsServerContext extends SSLContextSpi {
    /** The protocols a peer's HTTPS listener speaks. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SSLContext delegate;
    private final SNIMatcher serverNames;

    private TlsServerContext(SSLContext delegate, SNIMatcher serverNames) {
        this.delegate = delegate;
        this.serverNames = serverNames;
    }

    /**
     * A server context over {@code keys}, whose handshakes for a host name {@code knownName} refuses
     * end at once with an {@code unrecognized_name} alert.
     */
    static SSLContext create(KeyManager keys, Predicate<String> knownName) {
        try {
            SSLContext delegate = SSLContext.getInstance("TLS");
            delegate.init(new KeyManager[] {keys}, null, null);
            SNIMatcher serverNames = new SNIMatcher(StandardConstants.SNI_HOST_NAME) {
                @Override
                public boolean matches(SNIServerName name) {
                    try {
                        return knownName.test(new SNIHostName(name.getEncoded()).getAsciiName());
                    } catch (IllegalArgumentException e) {
                        return false;
                    }
                }
            };
            return new SSLContext(
                    new TlsServerContext(delegate, serverNames), delegate.getProvider(), delegate.getProtocol()) {};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has TLS", e);
        }
    }

    @Override
    protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
            throws KeyManagementException {
        throw new KeyManagementException("the peer's TLS context is initialised once, with its own key manager");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
        throw new UnsupportedOperationException("the peer's TLS context makes engines only");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
        throw new UnsupportedOperationException("the peer's TLS context makes engines only");
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
        return restrict(delegate.createSSLEngine());
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
        return restrict(delegate.createSSLEngine(host, port));
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
        return delegate.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
        return delegate.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
        SSLParameters parameters = delegate.getDefaultSSLParameters();
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        return parameters;
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
        return delegate.getSupportedSSLParameters();
    }

    private SSLEngine restrict(SSLEngine engine) {
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
        parameters.setSNIMatchers(List.of(serverNames));
        engine.setSSLParameters(parameters);
        return engine;
    }
}
