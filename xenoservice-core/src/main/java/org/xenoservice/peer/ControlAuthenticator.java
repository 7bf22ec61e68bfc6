package org.xenoservice.peer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.xenoservice.peer.ControlAuthException.Reason;
import org.xenoservice.protocol.ControlSignature;

/**
 * Checks that a control call comes from the owner of an enrolled site: signed (see
 * {@link ControlSignature}) by the site's pinned key, for the site the path names, within the
 * allowed clock skew, with a nonce never seen within that window.
 *
 * <p>Checks run cheapest first and in an order that leaks nothing to strangers: headers, site
 * enrolment, clock, signature, and only then the nonce is remembered, so an attacker cannot burn
 * an owner's nonces with forged calls. Safe for concurrent use.
 */
final class ControlAuthenticator {
    /** The default allowed difference between the caller's clock and the peer's. */
    static final Duration DEFAULT_SKEW = Duration.ofMinutes(5);

    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final long MAX_NONCES = 1_000_000;

    private final Function<String, Optional<PublicKey>> keys;
    private final Clock clock;
    private final Duration skew;
    private final Cache<String, Boolean> seenNonces;

    /**
     * An authenticator over the enrolled sites' keys.
     *
     * @param keys the pinned public key of an enrolled site (lower-case host), empty for strangers
     * @param clock the peer's clock
     * @param skew how far the caller's timestamp may be from the peer's clock, either way
     */
    ControlAuthenticator(Function<String, Optional<PublicKey>> keys, Clock clock, Duration skew) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.skew = Objects.requireNonNull(skew, "skew");
        if (skew.isNegative() || skew.isZero() || skew.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("skew must be between 1 s and 1 h, but was " + skew);
        }
        this.seenNonces = Caffeine.newBuilder()
                .expireAfterWrite(skew.multipliedBy(2))
                .maximumSize(MAX_NONCES)
                .build();
    }

    /**
     * Authenticates one call.
     *
     * @param method the request method
     * @param path the request path, without query
     * @param pathSite the site the path names (e.g. from {@code /xeno/v1/sites/{site}/...})
     * @param headers the request's headers; names are matched case-insensitively
     * @return the authenticated site
     * @throws ControlAuthException with 401 or 403 and the reason
     */
    String authenticate(String method, String path, String pathSite, Map<String, String> headers)
            throws ControlAuthException {
        String site = required(headers, ControlSignature.SITE_HEADER).toLowerCase(Locale.ROOT);
        String timestamp = required(headers, ControlSignature.TIMESTAMP_HEADER);
        String nonce = required(headers, ControlSignature.NONCE_HEADER);
        String bodySha256 = required(headers, ControlSignature.CONTENT_SHA256_HEADER);
        String signatureText = required(headers, ControlSignature.SIGNATURE_HEADER);
        if (!NONCE.matcher(nonce).matches()) {
            throw new ControlAuthException(
                    Reason.MALFORMED,
                    ControlSignature.NONCE_HEADER + " must be 16 to 64 characters of A-Z, a-z, 0-9, _ and -");
        }
        if (!SHA256.matcher(bodySha256).matches()) {
            throw new ControlAuthException(
                    Reason.MALFORMED, ControlSignature.CONTENT_SHA256_HEADER + " must be 64 lower-case hex characters");
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw new ControlAuthException(
                    Reason.MALFORMED, ControlSignature.TIMESTAMP_HEADER + " must be seconds since the epoch");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatureText);
        } catch (IllegalArgumentException e) {
            throw new ControlAuthException(Reason.MALFORMED, ControlSignature.SIGNATURE_HEADER + " is not base64");
        }
        if (!site.equals(pathSite.toLowerCase(Locale.ROOT))) {
            throw new ControlAuthException(
                    Reason.STRANGER, "the call is signed for " + site + " but addresses " + pathSite);
        }
        PublicKey key = keys.apply(site)
                .orElseThrow(() -> new ControlAuthException(
                        Reason.STRANGER,
                        "site " + site
                                + " is not enrolled on this peer; ask its operator to enrol it with its public key"));
        long now = clock.instant().getEpochSecond();
        if (!ControlSignature.isFresh(seconds, now, skew.toSeconds())) {
            throw new ControlAuthException(
                    Reason.STALE,
                    "the call was signed at " + seconds + " but the peer's clock says " + now + " (more than "
                            + skew.toSeconds() + " s apart); synchronise the clocks (NTP)");
        }
        if (!ControlSignature.verify(key, method, path, timestamp, nonce, bodySha256, signature)) {
            throw new ControlAuthException(
                    Reason.BAD_SIGNATURE,
                    "the signature does not verify against the key enrolled " + "for " + site
                            + "; sign with that site's private key");
        }
        if (seenNonces.asMap().putIfAbsent(site + " " + nonce, Boolean.TRUE) != null) {
            throw new ControlAuthException(
                    Reason.REPLAYED, "nonce " + nonce + " was already used; every call needs a " + "fresh nonce");
        }
        return site;
    }

    private static String required(Map<String, String> headers, String name) throws ControlAuthException {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name)) {
                String value = header.getValue();
                if (value == null || value.isBlank()) {
                    break;
                }
                return value.strip();
            }
        }
        throw new ControlAuthException(
                Reason.UNSIGNED,
                "the call is not signed: header " + name + " is missing; "
                        + "sign control calls with the site's key (xenoservice peer push does)");
    }
}
