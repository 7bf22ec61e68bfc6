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
 * certificates the client uses the JDK's trust store.
 *
 * <p>The client speaks HTTP/1.1 only. ACME calls are a few small requests at a time, so HTTP/2
 * gains nothing, and the JDK 17 client's HTTP/2 connections occasionally left a request hanging
 * until the network timeout against pebble (seen in CI: two orders in a row timed out while
 * another order on the same client went through).
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
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(settings.getTimeout())
                .proxy(settings.getProxySelector());
        context.ifPresent(builder::sslContext);
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
