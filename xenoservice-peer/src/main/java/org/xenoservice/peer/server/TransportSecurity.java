package org.xenoservice.peer.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.peer.ServedSite;

/**
 * Applies a site's signed {@link HttpsSettings} on the serving port: over plain HTTP it redirects
 * to HTTPS when the site asks and the peer can serve it there; over HTTPS it adds the site's
 * {@code Strict-Transport-Security} value to every answer, and never over plain HTTP (RFC 6797
 * §7.2: a header anyone on the path could have added or removed means nothing).
 *
 * <p>Whether a request came over TLS is read from the connection, never from anything the client
 * wrote (an absolute-form {@code https://} target, a forwarding header). The redirect names the
 * site's enrolled host, never the raw {@code Host} header, so it cannot send a client to another
 * host; the path and query are the request's own, re-encoded where needed, with a leading run of
 * slashes folded into one.
 *
 * <p>Safe for concurrent use.
 */
final class TransportSecurity {
    private static final Logger LOG = LoggerFactory.getLogger(TransportSecurity.class);

    static final HttpString STRICT_TRANSPORT_SECURITY = new HttpString("Strict-Transport-Security");
    /**
     * How long a browser may keep a redirect: long enough to spare the peer during a flood, short
     * enough that turning redirects off takes effect soon (HSTS is the owner's tool for more).
     */
    static final String REDIRECT_CACHE_CONTROL = "max-age=300";

    private static final int DEFAULT_HTTPS_PORT = 443;
    private static final String PATH_CHARACTERS = "-._~!$&'()*+,;=:@/";
    private static final String QUERY_CHARACTERS = PATH_CHARACTERS + "?";

    private final IntSupplier httpsPort;
    private final Predicate<String> certified;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param httpsPort the port of the peer's HTTPS listener, asked on each redirect; 0 or less
     *     while the peer serves no HTTPS
     * @param certified whether the peer holds a certificate for a site, so that a redirect leads
     *     somewhere
     */
    TransportSecurity(IntSupplier httpsPort, Predicate<String> certified) {
        this.httpsPort = httpsPort;
        this.certified = certified;
    }

    /** Settings for a handler that never redirects: the peer serves no HTTPS. */
    static TransportSecurity plainOnly() {
        return new TransportSecurity(() -> 0, site -> false);
    }

    /** Whether the exchange came over TLS, as the connection (not the client) says. */
    static boolean secure(HttpServerExchange exchange) {
        return exchange.getConnection().getSslSessionInfo() != null;
    }

    /**
     * Over HTTPS, makes every answer for the site carry its HSTS value, whichever path answers it
     * (files, 304, 404, dynamic routes, errors): the header is set as the response is committed.
     */
    void addHsts(HttpServerExchange exchange, ServedSite site) {
        Optional<String> hsts = site.manifest().https().hsts();
        if (hsts.isPresent() && secure(exchange)) {
            exchange.addResponseCommitListener(new Hsts(hsts.get()));
        }
    }

    /**
     * Over plain HTTP, for a site that asks for it, answers with a redirect to HTTPS: 301 for
     * {@code GET} and {@code HEAD}, 308 for other methods (so that a browser posts a form again
     * over HTTPS rather than turning it into a {@code GET}, and a capture route never journals it
     * in the clear). A request whose path does not start with {@code /} is answered 400.
     *
     * @return whether the exchange was answered
     */
    boolean redirected(HttpServerExchange exchange, ServedSite site, SiteHandler.Sent sent) {
        if (!site.manifest().https().redirect() || secure(exchange)) {
            return false;
        }
        int port = httpsPort.getAsInt();
        if (port <= 0 || !certified.test(site.host())) {
            if (warned.add(site.host())) {
                LOG.warn(
                        "{} asks for plain HTTP to be redirected to HTTPS, but this peer {}; serving it over plain"
                                + " HTTP instead",
                        site.host(),
                        port <= 0
                                ? "serves no HTTPS (set https-port)"
                                : "holds no certificate for it yet (tls/csr and tls/certificate, or a manual one)");
            }
            return false;
        }
        Optional<String> location = location(
                site.host(), port, exchange.getRequestURI(), exchange.getRequestPath(), exchange.getQueryString());
        if (location.isEmpty()) {
            SiteHandler.sendText(exchange, 400, "400 Bad Request: malformed path\n", sent);
            return true;
        }
        boolean safe =
                Methods.GET.equals(exchange.getRequestMethod()) || Methods.HEAD.equals(exchange.getRequestMethod());
        exchange.setStatusCode(safe ? 301 : 308);
        exchange.getResponseHeaders()
                .put(Headers.LOCATION, location.get())
                .put(Headers.CACHE_CONTROL, REDIRECT_CACHE_CONTROL);
        if (!safe) {
            // The body of a POST is not read; close rather than leave it in the connection.
            exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
        }
        SiteHandler.sendInline(exchange, ByteBuffer.allocate(0), sent);
        return true;
    }

    /**
     * The HTTPS URL of a plain request: {@code https://host[:port]/path[?query]}, with the port only
     * when it is not 443. The path is the raw request target when it is in origin form and plainly
     * encoded, else the decoded path encoded again; empty when the request names no path.
     */
    static Optional<String> location(String host, int port, String rawTarget, String decodedPath, String query) {
        String path;
        if (rawTarget.startsWith("/")) {
            path = encode(rawTarget, PATH_CHARACTERS);
        } else if (decodedPath.startsWith("/")) {
            path = RequestTargets.encodePath(decodedPath);
        } else {
            return Optional.empty();
        }
        int slashes = 0;
        while (slashes < path.length() && path.charAt(slashes) == '/') {
            slashes++;
        }
        StringBuilder location = new StringBuilder(16 + host.length() + path.length() + query.length());
        location.append("https://").append(host);
        if (port != DEFAULT_HTTPS_PORT) {
            location.append(':').append(port);
        }
        location.append('/').append(path, slashes, path.length());
        if (!query.isEmpty()) {
            location.append('?').append(encode(query, QUERY_CHARACTERS));
        }
        return Optional.of(location.toString());
    }

    /**
     * {@code raw} with every character RFC 3986 does not allow in this part percent-encoded (as
     * UTF-8), and a {@code %} kept only where it starts a valid escape.
     */
    static String encode(String raw, String allowed) {
        StringBuilder out = null;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            boolean keep = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || allowed.indexOf(c) >= 0
                    || (c == '%' && i + 2 < raw.length() && hex(raw.charAt(i + 1)) && hex(raw.charAt(i + 2)));
            if (keep) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(raw.length() + 16).append(raw, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < raw.length() ? i + 2 : i + 1;
            for (byte b : raw.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
            i = end - 1;
        }
        return out == null ? raw : out.toString();
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** Sets the HSTS header as the response is committed, over whatever the answer set before. */
    private static final class Hsts implements ResponseCommitListener {
        private final String value;

        Hsts(String value) {
            this.value = value;
        }

        @Override
        public void beforeCommit(HttpServerExchange exchange) {
            exchange.getResponseHeaders().put(STRICT_TRANSPORT_SECURITY, value);
        }
    }
}
