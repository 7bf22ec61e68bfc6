package org.xenoservice.peer.server;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.wildfly.openssl.OpenSSLContextSPI;
import org.wildfly.openssl.OpenSSLProvider;
import org.wildfly.openssl.SSL;

/**
 * OpenSSL as the HTTPS port's TLS engine, through wildfly-openssl (its {@code libwfssl} over the
 * system's {@code libssl}), because the JDK's handshakes cost several times OpenSSL's CPU. One
 * {@link SSLContext} per site certificate ({@link #siteContext}); Undertow recognises its engines
 * and negotiates ALPN through them.
 *
 * <p>wildfly-openssl hands a key to OpenSSL only under an RSA or DSA PEM label, which OpenSSL 3
 * refuses for the peer's ECDSA keys, and it has no public way to set a key otherwise. So the key and
 * chain are set on the native context through its own {@code setCertificate}, with the key as
 * PKCS#8 under the generic {@code PRIVATE KEY} label, by reflection; {@link #unavailable()} checks
 * that this still works before a peer relies on it. Safe for concurrent use.
 */
final class OpenSslTls {
    /** The protocols the peer's HTTPS port speaks, as on the JDK's engine. */
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private OpenSslTls() {}

    /** Loaded once per JVM: OpenSSL either loads or does not. */
    private static final class Native {
        static final Optional<String> PROBLEM;
        static final Provider PROVIDER;
        static final Field CONTEXT_HANDLE;
        static final Method SET_CERTIFICATE;

        static {
            Optional<String> problem = Optional.empty();
            Provider provider = null;
            Field handle = null;
            Method setCertificate = null;
            try {
                SSL.getInstance();
                provider = new OpenSSLProvider();
                handle = OpenSSLContextSPI.class.getDeclaredField("ctx");
                handle.setAccessible(true);
                setCertificate = SSL.class.getDeclaredMethod(
                        "setCertificate", long.class, byte[].class, byte[][].class, byte[].class, int.class);
                setCertificate.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                problem = Optional.of(describe(e));
            }
            PROBLEM = problem;
            PROVIDER = provider;
            CONTEXT_HANDLE = handle;
            SET_CERTIFICATE = setCertificate;
        }
    }

    /**
     * Why OpenSSL cannot serve this peer's HTTPS (no {@code libssl} found, no {@code libwfssl} for
     * this platform, a wildfly-openssl whose internals changed), or empty when it can.
     */
    static Optional<String> unavailable() {
        return Native.PROBLEM;
    }

    /**
     * An OpenSSL server context serving {@code chain} (leaf first) with {@code key}, whose engines
     * speak TLS 1.3 and 1.2 only.
     *
     * @throws GeneralSecurityException if OpenSSL is unavailable or refuses the key or a certificate
     */
    static SSLContext siteContext(PrivateKey key, List<X509Certificate> chain) throws GeneralSecurityException {
        if (Native.PROBLEM.isPresent()) {
            throw new KeyManagementException("OpenSSL is unavailable: " + Native.PROBLEM.get());
        }
        OpenSSLContextSPI spi;
        try {
            spi = new OpenSSLContextSPI.OpenSSLTLSContextSpi();
        } catch (javax.net.ssl.SSLException e) {
            throw new KeyManagementException("OpenSSL cannot make a TLS context: " + describe(e), e);
        }
        SSLContext openssl = new SSLContext(spi, Native.PROVIDER, "openssl.TLS") {};
        openssl.init(null, null, null);
        byte[][] intermediates = new byte[chain.size() - 1][];
        for (int i = 1; i < chain.size(); i++) {
            intermediates[i - 1] = chain.get(i).getEncoded();
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        try {
            Object set = Native.SET_CERTIFICATE.invoke(
                    SSL.getInstance(),
                    Native.CONTEXT_HANDLE.getLong(spi),
                    chain.get(0).getEncoded(),
                    intermediates,
                    pem.getBytes(StandardCharsets.US_ASCII),
                    0);
            if (!Boolean.TRUE.equals(set)) {
                throw new KeyManagementException("OpenSSL refused the key or the certificate");
            }
        } catch (InvocationTargetException e) {
            throw new KeyManagementException("OpenSSL refused the key or the certificate: " + describe(e), e);
        } catch (IllegalAccessException e) {
            throw new KeyManagementException("cannot reach wildfly-openssl's setCertificate: " + e, e);
        }
        return new SSLContext(new Restricted(openssl), Native.PROVIDER, "TLS") {};
    }

    private static String describe(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.toString() : message.strip();
    }

    /** An OpenSSL context whose engines speak TLS 1.3 and 1.2 only, and which makes nothing else. */
    private static final class Restricted extends SSLContextSpi {
        private final SSLContext delegate;

        Restricted(SSLContext delegate) {
            this.delegate = delegate;
        }

        @Override
        protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
                throws KeyManagementException {
            throw new KeyManagementException("a site's OpenSSL context is initialised once, with its certificate");
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
            parameters.setProtocols(PROTOCOLS.clone());
            return parameters;
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw new UnsupportedOperationException("the peer's OpenSSL contexts make engines only");
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw new UnsupportedOperationException("the peer's OpenSSL contexts make engines only");
        }

        private static SSLEngine restrict(SSLEngine engine) {
            engine.setEnabledProtocols(PROTOCOLS.clone());
            return engine;
        }
    }
}
