package org.xenoservice.benchmarks.attack;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.SSLConnectionSocketFactory;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.ssl.SSLBufferMode;
import org.apache.hc.core5.util.Timeout;

/**
 * The testbed clients' TLS, as a browser's: they trust the roots in one PEM file (the testbed's CA
 * and pebble's issuing root) and nothing else, and check the chain and the host name of every
 * server (Apache HttpClient's {@link DefaultHostnameVerifier}, after the JDK's PKIX check of the
 * chain); never a trust-all manager. Failed handshakes and refused certificates are logged with the
 * detail prefix {@value #FAILURE_PREFIX}, so that the report counts them apart ({@code tlsFailures}).
 */
final class ClientTls {
    /** How a request log's detail starts when the TLS handshake or the certificate check failed. */
    static final String FAILURE_PREFIX = "tls ";

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final TrustManager[] trust;
    private final SSLContext shared;
    private final AtomicLong freshSessions = new AtomicLong();

    private ClientTls(TrustManager[] trust) {
        this.trust = trust.clone();
        this.shared = newContext();
    }

    /**
     * Trusts exactly the certificates in {@code pemFile} as roots.
     *
     * @throws IOException if the file cannot be read or holds no certificate
     */
    static ClientTls trusting(Path pemFile) throws IOException {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> roots =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (roots.isEmpty()) {
                throw new IOException("--trust " + pemFile + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate root : roots) {
                store.setCertificateEntry("root-" + i++, root);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return new ClientTls(factory.getTrustManagers());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot trust the roots in " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * A blocking HTTP/1.1 client as the testbed's clients use it: up to {@code connectionsPerAddress}
     * kept-alive connections to each address (the address is part of the pool's route), over TLS 1.3
     * or 1.2 checked against {@code tls}'s roots with the host name verified (plain HTTP when
     * {@code tls} is null), no retries and no redirects followed (a 503 or an order's 303 is what is
     * recorded), no {@code Accept-Encoding} unless the request sets one, {@code connectTimeout} to connect, {@code timeout} for the handshake and an answer.
     * With {@code resumeSessions} it resumes TLS sessions as a browser does; without, every
     * connection makes a full handshake, as from a machine that never spoke to the server before.
     */
    // the socket-factory API (deprecated in HttpClient 5.4+) is the one that takes our own SSLSocketFactory,
    // which the flood needs to refuse session resumption
    @SuppressWarnings("deprecation")
    static CloseableHttpClient httpClient(
            ClientTls tls,
            int connectionsPerAddress,
            Duration connectTimeout,
            Duration timeout,
            boolean resumeSessions) {
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(connectionsPerAddress)
                .setMaxConnTotal(connectionsPerAddress * 4)
                .setDefaultSocketConfig(
                        SocketConfig.custom().setSoTimeout(Timeout.of(timeout)).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout))
                        .setSocketTimeout(Timeout.of(timeout))
                        .build());
        if (tls != null) {
            SSLSocketFactory sockets = resumeSessions ? tls.shared.getSocketFactory() : tls.new FreshSessionSockets();
            pool.setSSLSocketFactory(
                    new SSLConnectionSocketFactory(sockets, PROTOCOLS, null, new DefaultHostnameVerifier()));
        }
        return HttpClients.custom()
                .setConnectionManager(pool.build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(timeout))
                        .setConnectionRequestTimeout(Timeout.of(timeout))
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression() // a client that wants gzip says so and gets it as sent
                .build();
    }

    /**
     * A non-blocking HTTP/1.1 client for the flood, with the same TLS as {@link #httpClient} (never
     * resuming a session): two I/O threads, up to {@code maxConnections} connections (one pool per
     * address), {@code timeout} to connect, for the handshake and for an answer; no retries, no
     * redirects, no cookies, no {@code Accept-Encoding} unless the request sets one.
     */
    static CloseableHttpAsyncClient asyncClient(ClientTls tls, int maxConnections, Duration timeout) {
        Timeout limit = Timeout.of(timeout);
        PoolingAsyncClientConnectionManagerBuilder pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnTotal(maxConnections)
                .setMaxConnPerRoute(maxConnections)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(limit)
                        .setSocketTimeout(limit)
                        .build())
                .setDefaultTlsConfig(TlsConfig.custom()
                        .setHandshakeTimeout(limit)
                        .setSupportedProtocols(PROTOCOLS)
                        .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
                        .build());
        if (tls != null) {
            pool.setTlsStrategy(ClientTlsStrategyBuilder.create()
                    .setSslContext(tls.context(false))
                    .setTlsVersions(PROTOCOLS)
                    // buffers while data is in flight only: 400 idle connections would otherwise hold ~50 KB each,
                    // which the collector copies at every pause
                    .setSslBufferMode(SSLBufferMode.DYNAMIC)
                    .setHostnameVerifier(new DefaultHostnameVerifier())
                    .buildAsync());
        }
        return HttpAsyncClients.custom()
                .setConnectionManager(pool.build())
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(2)
                        .setSoTimeout(limit)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(limit)
                        .setResponseTimeout(limit)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableConnectionState()
                .build();
    }

    /**
     * The detail a request log gets for {@code failure}: its class name, or for a TLS failure
     * {@value #FAILURE_PREFIX}, the TLS exception's class name and the first words of its message
     * (which say why: "PKIX path building failed", "No subject alternative DNS name matching ...").
     */
    static String describe(Throwable failure) {
        Throwable tls = tlsCause(failure);
        if (tls == null) {
            return failure.getClass().getSimpleName();
        }
        String message = tls.getMessage() == null ? "" : tls.getMessage();
        return FAILURE_PREFIX + tls.getClass().getSimpleName() + " "
                + (message.length() > 100 ? message.substring(0, 100) : message);
    }

    private static Throwable tlsCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return t;
            }
        }
        return null;
    }

    /** How many TLS connections were opened with a fresh session (each a full handshake). */
    long freshSessions() {
        return freshSessions.get();
    }

    /** The context for a client: the shared one (sessions resumed), or one that never resumes a session. */
    private SSLContext context(boolean resumeSessions) {
        return resumeSessions ? shared : new FreshSessionContext();
    }

    private SSLContext freshContext() {
        freshSessions.incrementAndGet();
        return newContext();
    }

    private SSLContext newContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * A client context whose every engine and socket comes from a new context of its own, so that no
     * session is ever resumed: each connection costs the server a full handshake (a certificate
     * signature and a key exchange), as a connection from a new machine does. Trust and host-name
     * checks are those of every other connection.
     */
    private final class FreshSessionContext extends SSLContext {
        FreshSessionContext() {
            super(new FreshSessions(), shared.getProvider(), shared.getProtocol());
        }
    }

    /** The engine of {@link FreshSessionContext}. */
    private final class FreshSessions extends SSLContextSpi {
        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trustManagers, SecureRandom random) {
            throw new UnsupportedOperationException("a fresh-session context is made initialised");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new FreshSessionSockets();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("a client context has no server sockets");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return freshContext().createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return freshContext().createSSLEngine(host, port);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return shared.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return shared.getClientSessionContext();
        }
    }

    /** The sockets of {@link FreshSessionContext}: each from a new context. */
    private final class FreshSessionSockets extends SSLSocketFactory {
        @Override
        public String[] getDefaultCipherSuites() {
            return shared.getSocketFactory().getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return shared.getSocketFactory().getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
            return freshContext().getSocketFactory().createSocket(socket, host, port, autoClose);
        }

        @Override
        public Socket createSocket() throws IOException {
            return freshContext().getSocketFactory().createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return freshContext().getSocketFactory().createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return freshContext().getSocketFactory().createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return freshContext().getSocketFactory().createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return freshContext().getSocketFactory().createSocket(address, port, localAddress, localPort);
        }
    }
}
