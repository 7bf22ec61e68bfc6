package org.xenoservice.protocol;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.xenoservice.key.SiteKeys;

/**
 * How a site owner signs a call to a peer's control port: an Ed25519 signature, by the site's
 * key, over the method, the path, a timestamp, a fresh nonce and the SHA-256 of the body, carried in
 * five headers. The origin's client signs with {@link #sign}; the peer checks the headers with
 * {@link #verify} (its {@code ControlAuthenticator} adds the enrolment, clock and nonce checks).
 *
 * <p>The signed text is, one item per line ({@code \n}): {@value #SCHEME}, the method in upper
 * case, the request path (without query), the timestamp (seconds since the epoch), the nonce, the
 * body's SHA-256 in lower-case hex (of zero bytes when there is no body).
 */
public final class ControlSignature {
    /** The first line of the signed text: the protocol version. */
    public static final String SCHEME = "xeno-control/1";
    /** The site the call is for, which must match the path's site. */
    public static final String SITE_HEADER = "X-Xeno-Site";
    /** Seconds since the epoch when the call was signed. */
    public static final String TIMESTAMP_HEADER = "X-Xeno-Timestamp";
    /** A random value used once: 16 to 64 characters of [A-Za-z0-9_-]. */
    public static final String NONCE_HEADER = "X-Xeno-Nonce";
    /** The SHA-256 of the body, lower-case hex. */
    public static final String CONTENT_SHA256_HEADER = "X-Xeno-Content-SHA256";
    /** The Ed25519 signature of the signed text, base64. */
    public static final String SIGNATURE_HEADER = "X-Xeno-Signature";
    /** SHA-256 of no bytes. */
    public static final String EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static final SecureRandom RANDOM = new SecureRandom();

    private ControlSignature() {}

    /**
     * The headers that sign one call.
     *
     * @param site the site's host name
     * @param method e.g. {@code POST}
     * @param path e.g. {@code /xeno/v1/sites/books.example/activate}
     * @param bodySha256 the body's SHA-256 in lower-case hex ({@link #EMPTY_BODY_SHA256} for none)
     * @param now the signing time
     * @return header name → value, in a stable order
     */
    public static Map<String, String> sign(
            PrivateKey key, String site, String method, String path, String bodySha256, Instant now) {
        return sign(key, site, method, path, bodySha256, now, newNonce());
    }

    /** As {@link #sign(PrivateKey, String, String, String, String, Instant)} with a given nonce. */
    public static Map<String, String> sign(
            PrivateKey key, String site, String method, String path, String bodySha256, Instant now, String nonce) {
        Objects.requireNonNull(key, "key");
        String timestamp = Long.toString(now.getEpochSecond());
        byte[] signature = SiteKeys.sign(key, signedText(method, path, timestamp, nonce, bodySha256));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(SITE_HEADER, site.toLowerCase(Locale.ROOT));
        headers.put(TIMESTAMP_HEADER, timestamp);
        headers.put(NONCE_HEADER, nonce);
        headers.put(CONTENT_SHA256_HEADER, bodySha256);
        headers.put(SIGNATURE_HEADER, Base64.getEncoder().encodeToString(signature));
        return headers;
    }

    /** A fresh random nonce: 24 characters of base64url. */
    public static String newNonce() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The SHA-256 of {@code body} in lower-case hex. */
    public static String sha256(byte[] body) {
        try {
            return HexFormat.of()
                    .formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Whether {@code signature} is {@code key}'s signature of one call, as {@link #sign} made it from
     * the same method, path, timestamp (the header's text), nonce and body SHA-256.
     */
    public static boolean verify(
            PublicKey key,
            String method,
            String path,
            String timestamp,
            String nonce,
            String bodySha256,
            byte[] signature) {
        Objects.requireNonNull(key, "key");
        return signature.length == SiteKeys.SIGNATURE_BYTES
                && SiteKeys.verify(key, signedText(method, path, timestamp, nonce, bodySha256), signature);
    }

    /**
     * Whether a call signed at {@code signedSeconds} is within {@code skewSeconds} of
     * {@code nowSeconds}, either way. Exact for every {@code long}: a timestamp so far from now that
     * the difference overflows (e.g. now − 2<sup>63</sup>) is stale, never fresh.
     */
    public static boolean isFresh(long signedSeconds, long nowSeconds, long skewSeconds) {
        long difference;
        try {
            difference = Math.subtractExact(nowSeconds, signedSeconds);
        } catch (ArithmeticException overflow) {
            return false;
        }
        return difference >= -skewSeconds && difference <= skewSeconds;
    }

    private static byte[] signedText(String method, String path, String timestamp, String nonce, String bodySha256) {
        String text = SCHEME + "\n" + method.toUpperCase(Locale.ROOT) + "\n" + path + "\n" + timestamp + "\n" + nonce
                + "\n" + bodySha256;
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
