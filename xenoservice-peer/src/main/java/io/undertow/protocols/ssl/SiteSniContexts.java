package io.undertow.protocols.ssl;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;

/**
 * An Undertow {@link SNISSLContext} whose context per SNI host name comes from a function, so that
 * the peer's HTTPS port picks a site's BoringSSL context by the peer's own lookup (the site a name is
 * or is under, live swaps) rather than by Undertow's fixed table of name patterns. Undertow's
 * {@link SNISSLEngine} reads the ClientHello, asks {@link #getContext} and then hands the
 * connection, ALPN included, to an engine of the chosen context.
 *
 * <p>It lives in Undertow's package only because {@link SNIContextMatcher}, which that engine
 * calls, has no public constructor; it uses nothing else of the package's. Safe for concurrent use
 * when the function is.
 */
public final class SiteSniContexts extends SNIContextMatcher {
    private final Function<String, Optional<SSLContext>> byHostName;

    private SiteSniContexts(SSLContext fallback, Function<String, Optional<SSLContext>> byHostName) {
        super(fallback, Map.of(), Map.of());
        this.byHostName = byHostName;
    }

    /**
     * A server context that gives each handshake the context {@code byHostName} returns for the
     * first host name of its SNI, and {@code fallback} when it returns none or the client sent no
     * host name. The fallback decides what an unknown name gets (the peer's JDK context: an alert).
     */
    public static SSLContext create(SSLContext fallback, Function<String, Optional<SSLContext>> byHostName) {
        return new SNISSLContext(new SiteSniContexts(
                Objects.requireNonNull(fallback, "fallback"), Objects.requireNonNull(byHostName, "byHostName")));
    }

    @Override
    public SSLContext getContext(List<SNIServerName> servers) {
        for (SNIServerName server : servers) {
            if (server instanceof SNIHostName host) {
                return byHostName.apply(host.getAsciiName()).orElse(getDefaultContext());
            }
        }
        return getDefaultContext();
    }
}
