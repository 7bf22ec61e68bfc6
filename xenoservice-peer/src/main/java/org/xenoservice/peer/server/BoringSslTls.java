package org.xenoservice.peer.server;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * BoringSSL as the HTTPS port's TLS engine, through netty-tcnative's statically linked build (no
 * system library needed), because the JDK's handshakes cost several times BoringSSL's CPU. One
 * {@link SSLContext} per site certificate ({@link #siteContext}), which offers HTTP/2 and HTTP/1.1
 * by ALPN itself; {@link BoringSslAlpnProvider} tells Undertow what was chosen. Safe for concurrent use.
 */
final class BoringSslTls {
    /** The protocols the peer's HTTPS port speaks, as on the JDK's engine. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static final Provider PROVIDER = new Provider("XenoServiceBoringSSL", "1", "BoringSSL site contexts") {
        private static final long serialVersionUID = 1L;
    };

    private BoringSslTls() {}

    /** Why BoringSSL cannot serve this peer's HTTPS (no native library for this platform), or empty when it can. */
    static Optional<String> unavailable() {
        if (OpenSsl.isAvailable()) {
            return Optional.empty();
        }
        Throwable cause = OpenSsl.unavailabilityCause();
        return Optional.of(cause == null ? "netty-tcnative did not load" : String.valueOf(cause.getMessage()));
    }

    /**
     * A BoringSSL server context serving {@code chain} (leaf first) with {@code key}, whose engines
     * speak TLS 1.3 and 1.2 only and offer HTTP/2 and HTTP/1.1 by ALPN.
     *
     * @throws GeneralSecurityException if BoringSSL is unavailable or refuses the key or a certificate
     */
    static SSLContext siteContext(PrivateKey key, List<X509Certificate> chain) throws GeneralSecurityException {
        Optional<String> problem = unavailable();
        if (problem.isPresent()) {
            throw new KeyManagementException("BoringSSL is unavailable: " + problem.get());
        }
        SslContext context;
        try {
            context = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.OPENSSL)
                    .protocols(PROTOCOLS)
                    .option(OpenSslContextOption.USE_TASKS, false)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (SSLException | RuntimeException e) {
            throw new KeyManagementException("BoringSSL refused the key or the certificate: " + e.getMessage(), e);
        }
        return new SSLContext(new Engines(context), PROVIDER, "TLS") {};
    }

    /** A context that makes BoringSSL server engines only. */
    private static final class Engines extends SSLContextSpi {
        private final SslContext context;

        Engines(SslContext context) {
            this.context = context;
        }

        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("a site's BoringSSL context is initialised once, with its certificate");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return new BoringSslEngine(context.newEngine(UnpooledByteBufAllocator.DEFAULT));
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return new BoringSslEngine(context.newEngine(UnpooledByteBufAllocator.DEFAULT, host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return context.sessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw new UnsupportedOperationException("the peer's BoringSSL contexts are server contexts");
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(PROTOCOLS.clone());
            return parameters;
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return engineGetDefaultSSLParameters();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw new UnsupportedOperationException("the peer's BoringSSL contexts make engines only");
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("the peer's BoringSSL contexts make engines only");
        }
    }
}
