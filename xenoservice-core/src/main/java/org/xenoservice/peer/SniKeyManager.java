package org.xenoservice.peer;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses, for each TLS handshake, the key and chain of the site the client named in its SNI
 * extension, from the certificates installed at that moment (so a new certificate is served from
 * the next handshake on, without a restart). A handshake without SNI, or for a name no site holds
 * a certificate for, gets no certificate at all and fails with an alert: it never gets another
 * site's. An alias names one installed credential (site and generation), so the key and chain
 * asked for by alias always belong together even while a new one is installed. Server side only;
 * safe for concurrent use.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
    private final SiteCertificates certificates;

    SniKeyManager(SiteCertificates certificates) {
        this.certificates = certificates;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return engine == null ? null : alias(keyType, engine.getHandshakeSession());
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return socket instanceof SSLSocket tls ? alias(keyType, tls.getHandshakeSession()) : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return certificates
                .byAlias(alias)
                .map(credential -> credential.chain().toArray(X509Certificate[]::new))
                .orElse(null);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return certificates.byAlias(alias).map(SiteCertificates.Credential::key).orElse(null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null; // aliases are chosen per handshake, by SNI
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    private String alias(String keyType, SSLSession handshake) {
        if (!(handshake instanceof ExtendedSSLSession session)) {
            return null;
        }
        for (SNIServerName name : session.getRequestedServerNames()) {
            if (name instanceof SNIHostName host) {
                Optional<SiteCertificates.Credential> credential = certificates.forServerName(host.getAsciiName());
                return credential
                        .filter(found -> found.key().getAlgorithm().equals(keyType))
                        .map(SiteCertificates.Credential::alias)
                        .orElse(null);
            }
        }
        return null;
    }
}
