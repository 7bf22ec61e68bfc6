package org.xenoservice.peer;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sites' TLS server contexts for a TLS engine other than the JDK's (BoringSSL, say), one per
 * site's current certificate, chosen by SNI exactly as {@link SiteCertificates#serverContext()}
 * chooses a certificate: the site the name is or is under, only if its certificate covers the name,
 * never another site's. It exists so that such an engine reuses the peer's one lookup and its live
 * swaps instead of keeping a second copy of the rules; the engine itself stays outside core.
 *
 * <p>A site's context is made by the {@link Factory} on the first handshake that needs it and again
 * on the first handshake after a new certificate is installed, so the next connection gets the new
 * certificate without a restart. A context the factory cannot make is logged once and reported as
 * absent, so that the caller can fall back to the JDK's context for that site. Safe for concurrent
 * use; a lookup that finds its context made takes no lock.
 *
 * @param <C> the engine's context type
 */
public final class SiteTlsContexts<C> {
    private static final Logger LOG = LoggerFactory.getLogger(SiteTlsContexts.class);

    /**
     * Makes one engine's server context from one site's key and chain (leaf first). Called at most
     * once per installed certificate, possibly on a handshake thread, for one site at a time.
     *
     * @param <C> the engine's context type
     */
    @FunctionalInterface
    public interface Factory<C> {
        /**
         * A server context that serves {@code chain} with {@code key}.
         *
         * @throws GeneralSecurityException if the engine cannot use them
         */
        C create(PrivateKey key, List<X509Certificate> chain) throws GeneralSecurityException;
    }

    /** The context made for one credential (by its alias), or none when the factory failed. */
    private record Made<C>(String alias, Optional<C> context) {}

    private final SiteCertificates certificates;
    private final Factory<C> factory;
    private final ConcurrentMap<String, Made<C>> bySite = new ConcurrentHashMap<>();

    SiteTlsContexts(SiteCertificates certificates, Factory<C> factory) {
        this.certificates = certificates;
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /**
     * The context for a handshake whose SNI names {@code serverName}: that of the site whose
     * certificate {@link SiteCertificates} serves for the name, or empty when it serves none (an
     * unknown name, a site without a certificate yet) or the engine could not use that certificate.
     */
    public Optional<C> forServerName(String serverName) {
        Optional<SiteCertificates.Credential> found = certificates.forServerName(serverName);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        SiteCertificates.Credential credential = found.get();
        Made<C> made = bySite.get(credential.site());
        if (made == null || !made.alias().equals(credential.alias())) {
            made = bySite.compute(
                    credential.site(),
                    (site, old) -> old != null && old.alias().equals(credential.alias()) ? old : make(credential));
        }
        return made.context();
    }

    private Made<C> make(SiteCertificates.Credential credential) {
        try {
            return new Made<>(credential.alias(), Optional.of(factory.create(credential.key(), credential.chain())));
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.warn(
                    "peer: the TLS engine cannot use the certificate of {} ({}): {}; its handshakes use the JDK's TLS",
                    credential.site(),
                    credential.names(),
                    e.toString());
            return new Made<>(credential.alias(), Optional.empty());
        }
    }
}
