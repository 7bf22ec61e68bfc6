package org.xenoservice.samples.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.http.ssl.TLS;
import org.apache.hc.core5.util.Timeout;

/**
 * How a customer's browser reaches the shop: every request goes to the address that customer
 * resolved (origin or peer), for the site's name, as {@code http://books.demo.example:PORT/} or
 * {@code https://books.demo.example:PORT/}. Over HTTPS the name goes out by SNI and the server's
 * certificate must chain up to the one trusted root (the demo's CA, not the JDK's trust store) and
 * name the site: the JSSE's endpoint identification and Apache HttpClient's own host name check both
 * run, and nothing ever trusts all. Apache HttpClient 5 because it connects to an address given
 * with the host name ({@link HttpHost}) and pools connections per address, which the JDK's client
 * cannot do without giving up the name check. Connections are kept alive and pooled per address,
 * shared by the customers that use one client; a kept-alive customer has its own ({@link #dedicated()}),
 * and each answer says whether the server closes the connection ({@link Answer#closed()}). A handshake or verification failure is counted in
 * {@link #tlsFailures()}. Safe for concurrent use.
 */
final class ShopClient implements AutoCloseable {
    private static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(2);
    private static final Timeout RESPONSE_TIMEOUT = Timeout.ofSeconds(5);

    /**
     * A request's answer.
     *
     * @param status the status code
     * @param closed whether the server said it closes the connection ({@code Connection: close})
     */
    record Answer(int status, boolean closed) {}

    private final String scheme;
    private final String site;
    private final int port;
    private final Optional<X509Certificate> root;
    private final CloseableHttpClient client;
    private final LongAdder tlsFailures;

    private ShopClient(String site, int port, Optional<X509Certificate> root, int connections, LongAdder tlsFailures) {
        this.scheme = root.isPresent() ? "https" : "http";
        this.site = site;
        this.port = port;
        this.root = root;
        this.tlsFailures = tlsFailures;
        PoolingHttpClientConnectionManagerBuilder pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(connections)
                .setMaxConnTotal(connections * 4)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(CONNECT_TIMEOUT)
                        .setSocketTimeout(RESPONSE_TIMEOUT)
                        .build());
        root.ifPresent(trusted -> pool.setTlsSocketStrategy(ClientTlsStrategyBuilder.create()
                .setSslContext(LocalCa.trustOnly(trusted))
                .setTlsVersions(TLS.V_1_3, TLS.V_1_2)
                .setHostVerificationPolicy(HostnameVerificationPolicy.BOTH)
                .buildClassic()));
        this.client = HttpClients.custom()
                .setConnectionManager(pool.build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(RESPONSE_TIMEOUT)
                        .setResponseTimeout(RESPONSE_TIMEOUT)
                        .build())
                .disableAutomaticRetries() // a failure is the customer's to see and count, as in a browser
                .disableRedirectHandling() // the order's 303 is its answer
                .disableCookieManagement()
                .build();
    }

    /** Plain HTTP to {@code port} on whichever address a request names. */
    static ShopClient http(String site, int port, int connections) {
        return new ShopClient(site, port, Optional.empty(), connections, new LongAdder());
    }

    /** HTTPS to {@code port}, trusting only certificates that chain up to {@code root} and name {@code site}. */
    static ShopClient https(String site, int port, X509Certificate root, int connections) {
        return new ShopClient(site, port, Optional.of(root), connections, new LongAdder());
    }

    /**
     * A client of its own for one kept-alive customer: the same site, port and trust, one connection
     * per address, so that the customer's requests reuse a single connection until the server closes
     * it. Its TLS failures count in this client's {@link #tlsFailures()}; the caller closes it.
     */
    ShopClient dedicated() {
        return new ShopClient(site, port, root, 1, tlsFailures);
    }

    /** {@code http} or {@code https}. */
    String scheme() {
        return scheme;
    }

    /** The port every request goes to. */
    int port() {
        return port;
    }

    /** {@code GET path} at {@code address}; answers the status code. */
    int get(InetAddress address, String path) throws IOException {
        return send(address, new HttpGet(path)).status();
    }

    /** {@code GET path} at {@code address}; answers the status and whether the server closes the connection. */
    Answer fetch(InetAddress address, String path) throws IOException {
        return send(address, new HttpGet(path));
    }

    /** {@code POST path} of an urlencoded form, with an {@code Idempotency-Key}; answers the status code. */
    int postForm(InetAddress address, String path, String idempotencyKey, String form) throws IOException {
        return submit(address, path, idempotencyKey, form).status();
    }

    /** As {@link #postForm}, and whether the server closes the connection. */
    Answer submit(InetAddress address, String path, String idempotencyKey, String form) throws IOException {
        HttpPost post = new HttpPost(path);
        post.setHeader("Idempotency-Key", idempotencyKey);
        post.setEntity(new StringEntity(form, ContentType.APPLICATION_FORM_URLENCODED));
        return send(address, post);
    }

    /** TLS handshakes that failed, a certificate that was not trusted or did not name the site among them. */
    long tlsFailures() {
        return tlsFailures.sum();
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    private Answer send(InetAddress address, ClassicHttpRequest request) throws IOException {
        try {
            return client.execute(new HttpHost(scheme, address, site, port), request, response -> {
                EntityUtils.consume(response.getEntity());
                Header connection = response.getFirstHeader(HttpHeaders.CONNECTION);
                return new Answer(
                        response.getCode(), connection != null && "close".equalsIgnoreCase(connection.getValue()));
            });
        } catch (SSLException e) {
            tlsFailures.increment();
            throw e;
        }
    }
}
