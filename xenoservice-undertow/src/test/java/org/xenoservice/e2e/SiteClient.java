package org.xenoservice.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;
import org.apache.hc.core5.io.CloseMode;

/**
 * How the end-to-end clients reach the site once they picked one of the addresses DNS gave for it:
 * as a browser would, by the site's name. A peer's address is asked
 * {@code https://<site>:<https-port>/…}: the name is pinned to that address (a {@link DnsResolver}
 * that knows only the site), so that SNI, {@code Host} and the certificate check all use the site's
 * name, and the chain is verified against the one root the client trusts (pebble's issuing root),
 * with the host name checked twice over (the JDK's endpoint identification and HttpClient's own
 * verifier). Never a trust-all manager: a peer serving no certificate, another tenant's, or one for
 * another name fails the request with an {@link SSLException}, which {@link #isTlsFailure} tells
 * apart from other failures.
 *
 * <p>The origin's address is asked {@code http://<site>:<port>/…}, still by name. Its listener is
 * the application's own (here an Undertow or Tomcat connector on loopback, in production often a
 * TLS terminator in front of it) and holds a certificate XenoService neither makes nor serves; what
 * these tests verify is that every address the replicator puts into the name serves the site's
 * certificate. The peers answer plain HTTP on the same port as the origin too, but the clients
 * never use it.
 *
 * <p>One connection pool per address (pools are keyed by the name, so one pool for all addresses
 * would send a request for one address down a connection to another); no automatic retries or
 * redirects, so that every failure counts. Safe for concurrent use.
 */
final class SiteClient implements AutoCloseable {
    /** An answer: status and body (decoded if the server compressed it). */
    @SuppressWarnings("ArrayRecordComponent") // read by the tests, never compared as a value
    record Response(int statusCode, byte[] body) {}

    private final String site;
    private final String originAddress;
    private final int port;
    private final int httpsPort;
    private final SSLContext tls;
    private final Map<String, CloseableHttpClient> clients = new ConcurrentHashMap<>();

    /**
     * @param root the only root the client trusts for HTTPS
     * @param originAddress the address asked over plain HTTP on {@code port}; every other one over HTTPS
     */
    SiteClient(String site, String originAddress, int port, int httpsPort, X509Certificate root) {
        this.site = site;
        this.originAddress = originAddress;
        this.port = port;
        this.httpsPort = httpsPort;
        this.tls = trusting(root);
    }

    /** GETs {@code path} from {@code address}. */
    Response get(String address, String path) throws IOException {
        return send(address, ClassicRequestBuilder.get(uri(address, path)).build());
    }

    /** POSTs a form to {@code path} at {@code address}, with an {@code Idempotency-Key}. */
    Response post(String address, String path, String idempotencyKey, String form) throws IOException {
        return send(
                address,
                ClassicRequestBuilder.post(uri(address, path))
                        .addHeader("Idempotency-Key", idempotencyKey)
                        .setEntity(form, ContentType.APPLICATION_FORM_URLENCODED)
                        .build());
    }

    /**
     * The leaf certificate {@code address} presented (after verification) on the connection that
     * answered a GET of {@code path}; empty over plain HTTP.
     */
    Optional<X509Certificate> servedCertificate(String address, String path) throws IOException {
        HttpClientContext context = HttpClientContext.create();
        clients.computeIfAbsent(address, this::clientFor)
                .execute(ClassicRequestBuilder.get(uri(address, path)).build(), context, response -> {
                    EntityUtils.consume(response.getEntity());
                    return response.getCode();
                });
        SSLSession session = context.getSSLSession();
        if (session == null) {
            return Optional.empty();
        }
        return Optional.of((X509Certificate) session.getPeerCertificates()[0]);
    }

    /** The URL a browser at {@code address} asks for {@code path}: https but for the origin's address. */
    URI uri(String address, String path) {
        boolean origin = address.equals(originAddress);
        return URI.create((origin ? "http" : "https") + "://" + site + ":" + (origin ? port : httpsPort) + path);
    }

    /** Whether {@code failure} is a TLS handshake or certificate failure (anywhere in its causes). */
    static boolean isTlsFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        clients.values().forEach(client -> client.close(CloseMode.IMMEDIATE));
        clients.clear();
    }

    private Response send(String address, ClassicHttpRequest request) throws IOException {
        return clients.computeIfAbsent(address, this::clientFor)
                .execute(
                        request,
                        response -> new Response(
                                response.getCode(),
                                response.getEntity() == null
                                        ? new byte[0]
                                        : EntityUtils.toByteArray(response.getEntity())));
    }

    private CloseableHttpClient clientFor(String address) {
        InetAddress pinned;
        try {
            pinned = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
        DnsResolver resolver = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                if (!host.toLowerCase(Locale.ROOT).equals(site)) {
                    throw new UnknownHostException(host + ": this client resolves only " + site);
                }
                return new InetAddress[] {pinned};
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(resolver)
                        .setTlsSocketStrategy(ClientTlsStrategyBuilder.create()
                                .setSslContext(tls)
                                .setHostVerificationPolicy(HostnameVerificationPolicy.BOTH)
                                .buildClassic())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(5, TimeUnit.SECONDS)
                                .setSocketTimeout(10, TimeUnit.SECONDS)
                                .setValidateAfterInactivity(200, TimeUnit.MILLISECONDS)
                                .build())
                        .setMaxConnPerRoute(16)
                        .setMaxConnTotal(16)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .build();
    }

    private static SSLContext trusting(X509Certificate root) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("root", root);
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a context trusting " + root.getSubjectX500Principal(), e);
        }
    }
}
