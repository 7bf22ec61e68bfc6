package org.xenoservice.acme;

import java.io.IOException;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * acme4j's provider for any {@code https} directory, with the HTTP client built on a TLS context
 * that trusts the given certificates instead of the JDK's trust store, for an ACME server whose
 * certificate comes from a private CA (pebble in the tests, a company CA). The JDK's HTTP client
 * still checks the chain and the host name as always: nothing is trusted blindly. With no
 * certificates the client is acme4j's default one.
 *
 * <p>Immutable; safe for concurrent use.
 */
final class TrustingProvider extends GenericAcmeProvider {
    private final Optional<SSLContext> context;

    TrustingProvider(List<X509Certificate> trust) {
        this.context = trust.isEmpty() ? Optional.empty() : Optional.of(contextTrusting(trust));
    }

    @Override
    public HttpClient createHttpClient(NetworkSettings settings) {
        if (context.isEmpty()) {
            return super.createHttpClient(settings);
        }
        HttpClient.Builder builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(settings.getTimeout())
                .proxy(settings.getProxySelector())
                .sslContext(context.get());
        if (settings.getAuthenticator() != null) {
            builder.authenticator(settings.getAuthenticator());
        }
        return builder.build();
    }

    private static SSLContext contextTrusting(List<X509Certificate> trust) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trust.size(); i++) {
                store.setCertificateEntry("acme-trust-" + i, trust.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS context trusting the ACME trust certificates", e);
        }
    }
}
