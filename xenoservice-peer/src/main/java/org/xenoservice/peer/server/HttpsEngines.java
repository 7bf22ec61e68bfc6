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
 * ({@link SiteCertificates#serverContext()}), or a context that picks each site's BoringSSL context
 * by SNI ({@link SiteTlsContexts}) and leaves every handshake it has no BoringSSL context for (no
 * SNI, an unknown name, a site without a certificate) to the JDK's, which refuses those exactly as
 * it does on its own. Used once per start, on the starting thread.
 */
final class HttpsEngines {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsEngines.class);

    private HttpsEngines() {}

    /** The context and the engine it handshakes with ({@link TlsEngine#BORINGSSL} or {@link TlsEngine#JDK}). */
    record Chosen(SSLContext context, TlsEngine engine) {}

    /**
     * The context for {@code wanted}, given why BoringSSL cannot be used ({@code boringSslProblem},
     * empty when it can).
     *
     * @throws IOException when {@code wanted} is {@link TlsEngine#BORINGSSL} and BoringSSL cannot be used
     */
    static Chosen choose(TlsEngine wanted, SiteCertificates certificates, Optional<String> boringSslProblem)
            throws IOException {
        SSLContext jdk = certificates.serverContext();
        if (wanted == TlsEngine.JDK) {
            return new Chosen(jdk, TlsEngine.JDK);
        }
        if (boringSslProblem.isPresent()) {
            if (wanted == TlsEngine.BORINGSSL) {
                throw new IOException("the HTTPS port's TLS engine is BoringSSL, but BoringSSL cannot be loaded: "
                        + boringSslProblem.get() + "; netty-tcnative ships it for Linux (glibc) and macOS on "
                        + "x86-64 and ARM64 and for Windows on x86-64 only: elsewhere choose the auto or jdk engine, or "
                        + "check that java.io.tmpdir allows executables");
            }
            LOG.warn(
                    "peer: HTTPS uses the JDK's TLS, which costs several times BoringSSL's CPU per handshake, "
                            + "because BoringSSL cannot be loaded: {}; netty-tcnative ships it for Linux (glibc) "
                            + "and macOS on x86-64 and ARM64 and for Windows on x86-64, unpacked into java.io.tmpdir; "
                            + "choose the jdk engine to keep the JDK's "
                            + "without this warning",
                    boringSslProblem.get());
            return new Chosen(jdk, TlsEngine.JDK);
        }
        SiteTlsContexts<SSLContext> sites = certificates.contexts(BoringSslTls::siteContext);
        return new Chosen(SiteSniContexts.create(jdk, sites::forServerName), TlsEngine.BORINGSSL);
    }
}
