package org.xenoservice.backchannel;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.backchannel.PeerVerdict.Refusal;
import org.xenoservice.protocol.CapturedRequest;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.PeerSignature;

/**
 * The origin's check of its peers' requests: a request that names a peer key
 * ({@value PeerSignature#PEER_KEY_HEADER}) is a peer's only if the key is one the origin pins
 * ({@code peer.<name>.public-key}), the timestamp is within {@link #DEFAULT_SKEW} of the origin's
 * clock, the signature ({@link PeerSignature}) verifies over the method, the target as received,
 * the signed headers' values and the body's digest, the body received is the body signed, and the
 * nonce was not seen before. Anything else is refused, with the reason counted
 * ({@link #refusedCounts()}). Both adapters call {@link #verify} before anything reaches the
 * application or the intake; the intake takes only verified requests.
 *
 * <p>Checks run cheapest first, and the nonce is remembered only once everything else holds, so a
 * forger cannot burn a peer's nonces. The nonces are kept for twice the skew and at most
 * {@value #MAX_NONCES} of them (Caffeine, by size), so memory is bounded whatever the peers send.
 * Safe for concurrent use.
 */
public final class BackChannelGuard {
    private static final Logger LOG = LoggerFactory.getLogger(BackChannelGuard.class);

    /** How far a peer's timestamp may be from the origin's clock, either way. */
    public static final Duration DEFAULT_SKEW = Duration.ofMinutes(5);
    /** The largest body of a peer request the origin reads and verifies (413 above). */
    public static final int MAX_BODY_BYTES = CapturedRequest.MAX_BODY_BYTES;

    static final long MAX_NONCES = 200_000;
    private static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern NAME_LIST =
            Pattern.compile("([a-z0-9!#$%&'*+.^_`|~-]{1,64}(,[a-z0-9!#$%&'*+.^_`|~-]{1,64}){0,63})?");

    private final Map<String, Peer> peersByKey;
    private final Clock clock;
    private final long skewSeconds;
    private final Cache<String, Boolean> seenNonces;
    private final LongAdder verified = new LongAdder();
    private final Map<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);

    private record Peer(String name, PublicKey key) {}

    private BackChannelGuard(Map<String, Peer> peersByKey, Clock clock, Duration skew) {
        this.peersByKey = peersByKey;
        this.clock = clock;
        this.skewSeconds = skew.toSeconds();
        this.seenNonces = Caffeine.newBuilder()
                .expireAfterWrite(skew.multipliedBy(2))
                .maximumSize(MAX_NONCES)
                .build();
        for (Refusal refusal : Refusal.values()) {
            refused.put(refusal, new LongAdder());
        }
    }

    /**
     * A guard that trusts the peers in {@code pinned} (name to public key), by {@code clock}.
     *
     * @throws IllegalArgumentException if two peers have the same key
     */
    public static BackChannelGuard create(Map<String, PublicKey> pinned, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        Map<String, Peer> byKey = new LinkedHashMap<>();
        pinned.forEach((name, key) -> {
            Peer previous = byKey.put(PeerSignature.keyId(key), new Peer(name, key));
            if (previous != null) {
                throw new IllegalArgumentException("peers " + previous.name() + " and " + name
                        + " have the same public key; every peer host has its own identity");
            }
        });
        return new BackChannelGuard(Map.copyOf(byKey), clock, DEFAULT_SKEW);
    }

    /** Whether a request claims to come from a peer: it names a peer key, so it must be verified. */
    public static boolean claimsPeer(Function<String, Optional<String>> header) {
        return header.apply(PeerSignature.PEER_KEY_HEADER).isPresent();
    }

    /**
     * Verifies one request that claims to come from a peer.
     *
     * @param method the request method
     * @param target the request target as received: the raw (not decoded) path and the query
     * @param headers every value of a header by its lower-case name, in the order received
     * @param body the body as received, of which the adapter reads at most {@link #MAX_BODY_BYTES} + 1 bytes
     * @return verified with the peer's name, or refused with the reason
     */
    public PeerVerdict verify(String method, String target, PeerSignature.HeaderValues headers, byte[] body) {
        PeerVerdict verdict = decide(method, target, headers, body);
        if (verdict.isVerified()) {
            verified.increment();
        } else {
            Refusal refusal = verdict.refusal().orElseThrow();
            refused.get(refusal).increment();
            LOG.debug("back-channel: refused {} {}: {}: {}", method, target, refusal.id(), verdict.message());
        }
        return verdict;
    }

    private PeerVerdict decide(String method, String target, PeerSignature.HeaderValues headers, byte[] body) {
        if (body.length > MAX_BODY_BYTES) {
            return PeerVerdict.refused(
                    Refusal.TOO_LARGE, "a peer request's body must be at most " + MAX_BODY_BYTES + " bytes");
        }
        String[] values = new String[6];
        String[] names = {
            PeerSignature.PEER_KEY_HEADER,
            ControlSignature.TIMESTAMP_HEADER,
            ControlSignature.NONCE_HEADER,
            ControlSignature.CONTENT_SHA256_HEADER,
            PeerSignature.SIGNED_HEADERS_HEADER,
            ControlSignature.SIGNATURE_HEADER
        };
        for (int i = 0; i < names.length; i++) {
            List<String> given = headers.get(names[i].toLowerCase(Locale.ROOT));
            if (given == null || given.isEmpty()) {
                return PeerVerdict.refused(
                        Refusal.UNSIGNED,
                        "the request is not signed: header " + names[i] + " is missing; only the site's peers,"
                                + " signing with their own key, may send requests that name a peer");
            }
            if (given.size() > 1) {
                return PeerVerdict.refused(Refusal.MALFORMED, "header " + names[i] + " is given more than once");
            }
            values[i] = given.get(0).strip();
        }
        return check(method, target, headers, body, values);
    }

    private PeerVerdict check(
            String method, String target, PeerSignature.HeaderValues headers, byte[] body, String[] values) {
        String keyId = values[0];
        String timestamp = values[1];
        String nonce = values[2];
        String bodySha256 = values[3];
        String signedNames = values[4];
        if (!NONCE.matcher(nonce).matches()) {
            return PeerVerdict.refused(
                    Refusal.MALFORMED,
                    ControlSignature.NONCE_HEADER + " must be 16 to 64 characters of A-Z, a-z, 0-9, _ and -");
        }
        if (!SHA256.matcher(bodySha256).matches()) {
            return PeerVerdict.refused(
                    Refusal.MALFORMED,
                    ControlSignature.CONTENT_SHA256_HEADER + " must be 64 lower-case hex characters");
        }
        if (!NAME_LIST.matcher(signedNames).matches()) {
            return PeerVerdict.refused(
                    Refusal.MALFORMED,
                    PeerSignature.SIGNED_HEADERS_HEADER
                            + " must be up to 200 lower-case header names, comma-separated");
        }
        long seconds;
        byte[] signature;
        try {
            seconds = Long.parseLong(timestamp);
            signature = Base64.getDecoder().decode(values[5]);
        } catch (IllegalArgumentException e) {
            return PeerVerdict.refused(
                    Refusal.MALFORMED,
                    ControlSignature.TIMESTAMP_HEADER + " must be seconds since the epoch and "
                            + ControlSignature.SIGNATURE_HEADER + " base64");
        }
        Peer peer = peersByKey.get(keyId);
        if (peer == null) {
            return PeerVerdict.refused(
                    Refusal.UNKNOWN_PEER,
                    "the request is signed by a peer key this origin does not pin; its operator adds it as"
                            + " peer.<name>.public-key");
        }
        long now = clock.instant().getEpochSecond();
        if (!ControlSignature.isFresh(seconds, now, skewSeconds)) {
            return PeerVerdict.refused(
                    Refusal.STALE,
                    "the request was signed at " + seconds + " but the origin's clock says " + now + " (more than "
                            + skewSeconds + " s apart); synchronise the clocks (NTP)");
        }
        if (!PeerSignature.verify(
                peer.key(), keyId, method, target, timestamp, nonce, bodySha256, signedNames, headers, signature)) {
            return PeerVerdict.refused(
                    Refusal.BAD_SIGNATURE,
                    "the signature does not verify against the key pinned for peer " + peer.name()
                            + " over this method, target, headers and body digest");
        }
        if (!ControlSignature.sha256(body).equals(bodySha256)) {
            return PeerVerdict.refused(
                    Refusal.BODY_MISMATCH, "the body received is not the body peer " + peer.name() + " signed");
        }
        if (seenNonces.asMap().putIfAbsent(keyId + ' ' + nonce, Boolean.TRUE) != null) {
            return PeerVerdict.refused(
                    Refusal.REPLAYED, "nonce " + nonce + " was already used; every request needs a fresh nonce");
        }
        Map<String, List<String>> signed = new LinkedHashMap<>();
        if (!signedNames.isEmpty()) {
            for (String name : signedNames.split(",", -1)) {
                List<String> given = headers.get(name);
                signed.put(name, given == null ? List.of() : List.copyOf(given));
            }
        }
        return PeerVerdict.verified(peer.name(), signed);
    }

    /** How many peer requests were verified. */
    public long verifiedCount() {
        return verified.sum();
    }

    /** How many requests claiming to be a peer's were refused, by reason (every reason, 0 included). */
    public Map<Refusal, Long> refusedCounts() {
        Map<Refusal, Long> counts = new EnumMap<>(Refusal.class);
        refused.forEach((refusal, count) -> counts.put(refusal, count.sum()));
        return counts;
    }

    /** The names of the pinned peers. */
    public List<String> peers() {
        return peersByKey.values().stream().map(Peer::name).sorted().toList();
    }
}
