package org.xenoservice.peer.server;

import io.undertow.protocols.ssl.SiteSniContexts;
import java.io.IOException;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.peer.SiteCertificates;
import org.xenoservice.peer.SiteTlsContexts;
import org.xenoservice.peer.TlsEngine;

/**
 * Makes the HTTPS port's TLS context for the configured {@link TlsEngine}: the JDK's
 * ({@link SiteCertificates#serverContext()}), or a context that picks each site's OpenSSL context by
 * SNI ({@link SiteTlsContexts}) and leaves every handshake it has no OpenSSL context for (no SNI, an
 * unknown name, a site without a certificate) to the JDK's, which refuses those exactly as it does
 * on its own. Used once per start, on the starting thread.
 */
final class HttpsEngines {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsEngines.class);

    private HttpsEngines() {}

    /** The context and the engine it handshakes with ({@link TlsEngine#OPENSSL} or {@link TlsEngine#JDK}). */
    record Chosen(SSLContext context, TlsEngine engine) {}

    /**
     * The context for {@code wanted}, given why OpenSSL cannot be used ({@code openSslProblem},
     * empty when it can).
     *
     * @throws IOException when {@code wanted} is {@link TlsEngine#OPENSSL} and OpenSSL cannot be used
     */
    static Chosen choose(TlsEngine wanted, SiteCertificates certificates, Optional<String> openSslProblem)
            throws IOException {
        SSLContext jdk = certificates.serverContext();
        if (wanted == TlsEngine.JDK) {
            return new Chosen(jdk, TlsEngine.JDK);
        }
        if (openSslProblem.isPresent()) {
            if (wanted == TlsEngine.OPENSSL) {
                throw new IOException("the HTTPS port's TLS engine is OpenSSL, but OpenSSL cannot be loaded: "
                        + openSslProblem.get() + "; install libssl (OpenSSL 3 or 1.1; Debian and Ubuntu: apt-get "
                        + "install libssl3), or choose the auto or jdk engine");
            }
            LOG.warn(
                    "peer: HTTPS uses the JDK's TLS, which costs several times OpenSSL's CPU per handshake, because "
                            + "OpenSSL cannot be loaded: {}; install libssl (OpenSSL 3 or 1.1; Debian and Ubuntu: "
                            + "apt-get install libssl3), or choose the jdk engine to keep the JDK's without this warning",
                    openSslProblem.get());
            return new Chosen(jdk, TlsEngine.JDK);
        }
        SiteTlsContexts<SSLContext> sites = certificates.contexts(OpenSslTls::siteContext);
        return new Chosen(SiteSniContexts.create(jdk, sites::forServerName), TlsEngine.OPENSSL);
    }
}
