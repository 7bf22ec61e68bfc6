package org.xenoservice.protocol;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.xenoservice.key.SiteKeys;

/**
 * How a peer host signs every request it sends to a site's origin (a proxied request, a captured
 * request's delivery), so that the origin trusts a request from a peer only when it is signed by
 * that peer's own key, which the origin pins ({@code peer.<name>.public-key}). It is a control
 * call's signature ({@link ControlSignature}) turned around, with the peer's key instead of the
 * site's, and with the headers the origin acts on signed too.
 *
 * <p>The signed text is, one item per line ({@code \n}): {@value #SCHEME}, the peer's key id
 * ({@link #keyId}), the method in upper case, the request target as sent (the raw path and the
 * query, e.g. {@code /search?q=a%20b}), the timestamp (seconds since the epoch), the nonce, the
 * body's SHA-256 in lower-case hex, the signed header names (lower case, comma-separated), then one
 * {@code name:value} line per value of each signed header, in that order.
 */
public final class PeerSignature {
    /** The first line of the signed text: the protocol version. */
    public static final String SCHEME = "xeno-peer/1";
    /** The signing peer's public key: the base64 of its X.509 SubjectPublicKeyInfo, one line. */
    public static final String PEER_KEY_HEADER = "X-Xeno-Peer-Key";
    /** The headers whose values are signed: lower-case names, comma-separated. */
    public static final String SIGNED_HEADERS_HEADER = "X-Xeno-Signed-Headers";
    /** The prefix of every XenoService header: a peer never forwards a client's. */
    public static final String XENO_HEADER_PREFIX = "x-xeno-";

    private PeerSignature() {}

    /**
     * The one-line id of a peer's public key, as the peer sends it in {@value #PEER_KEY_HEADER} and
     * as an origin's {@code peer.<name>.public-key} names it: the base64 of the key's X.509
     * SubjectPublicKeyInfo (60 characters for Ed25519, e.g. {@code MCowBQYDK2VwAyEA...}).
     */
    public static String keyId(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /** The request target a client sends for {@code uri}: its raw path ({@code /} when empty) and raw query. */
    public static String target(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    }

    /**
     * The headers that sign one request, to add to it.
     *
     * @param key the peer's private key
     * @param keyId the id of the peer's public key ({@link #keyId})
     * @param method e.g. {@code POST}
     * @param target the raw path and query as sent, e.g. {@code /_xeno/intake}
     * @param signedHeaders the headers to sign, as they are sent (name, value), in order; a name may repeat
     * @param bodySha256 the body's SHA-256, lower-case hex
     * @param now the signing time
     * @return header name to value, in a stable order
     */
    public static Map<String, String> sign(
            PrivateKey key,
            String keyId,
            String method,
            String target,
            List<Map.Entry<String, String>> signedHeaders,
            String bodySha256,
            Instant now) {
        Objects.requireNonNull(key, "key");
        String timestamp = Long.toString(now.getEpochSecond());
        String nonce = ControlSignature.newNonce();
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> header : signedHeaders) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        String nameList = String.join(",", names);
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : signedHeaders) {
            values.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(header.getValue());
        }
        byte[] signature = SiteKeys.sign(
                key, signedText(keyId, method, target, timestamp, nonce, bodySha256, nameList, values::get));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(PEER_KEY_HEADER, keyId);
        headers.put(ControlSignature.TIMESTAMP_HEADER, timestamp);
        headers.put(ControlSignature.NONCE_HEADER, nonce);
        headers.put(ControlSignature.CONTENT_SHA256_HEADER, bodySha256);
        headers.put(SIGNED_HEADERS_HEADER, nameList);
        headers.put(ControlSignature.SIGNATURE_HEADER, Base64.getEncoder().encodeToString(signature));
        return headers;
    }

    /** How a verifier reads the values of a signed header: all of them, in the order received; empty when absent. */
    @FunctionalInterface
    public interface HeaderValues {
        /** The values of header {@code lowerCaseName}, in order; empty when absent. */
        List<String> get(String lowerCaseName);
    }

    /**
     * Whether {@code signature} is the signature, by {@code key}, of a request with these parts, as
     * {@link #sign} made it.
     */
    public static boolean verify(
            PublicKey key,
            String keyId,
            String method,
            String target,
            String timestamp,
            String nonce,
            String bodySha256,
            String signedHeaderNames,
            HeaderValues values,
            byte[] signature) {
        Objects.requireNonNull(key, "key");
        return signature.length == SiteKeys.SIGNATURE_BYTES
                && SiteKeys.verify(
                        key,
                        signedText(keyId, method, target, timestamp, nonce, bodySha256, signedHeaderNames, values),
                        signature);
    }

    private static byte[] signedText(
            String keyId,
            String method,
            String target,
            String timestamp,
            String nonce,
            String bodySha256,
            String nameList,
            HeaderValues values) {
        StringBuilder text = new StringBuilder(256)
                .append(SCHEME)
                .append('\n')
                .append(keyId)
                .append('\n')
                .append(method.toUpperCase(Locale.ROOT))
                .append('\n')
                .append(target)
                .append('\n')
                .append(timestamp)
                .append('\n')
                .append(nonce)
                .append('\n')
                .append(bodySha256)
                .append('\n')
                .append(nameList);
        if (!nameList.isEmpty()) {
            for (String name : nameList.split(",", -1)) {
                List<String> given = values.get(name);
                for (String value : given == null ? List.<String>of() : given) {
                    text.append('\n').append(name).append(':').append(value);
                }
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
