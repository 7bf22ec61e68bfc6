package org.xenoservice.backchannel;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link BackChannelGuard#verify} decided about one request that claims to come from a peer:
 * verified, with the name the origin's configuration gives the peer and the values of the headers
 * it signed, or refused, with the reason, the HTTP status to answer and a message for the caller.
 * A verified request is "a verified peer request from peer X": adapters publish {@link #peer()} to
 * the application (e.g. to give peers priority), and the intake reads only {@link #signedHeader}.
 * Immutable.
 */
public final class PeerVerdict {
    /** Why a request was refused. */
    public enum Refusal {
        /** The request names no peer key, or a signature header is missing (401). */
        UNSIGNED(401),
        /** A signature header is malformed or given twice (401). */
        MALFORMED(401),
        /** The request is signed by a key the origin does not pin for any peer (403). */
        UNKNOWN_PEER(403),
        /** The timestamp is further from the origin's clock than the allowed skew (403). */
        STALE(403),
        /** The signature does not verify against the peer's pinned key (403). */
        BAD_SIGNATURE(403),
        /** The body received is not the body that was signed (403). */
        BODY_MISMATCH(403),
        /** The nonce was seen before within the skew window: a replay (403). */
        REPLAYED(403),
        /** The body is larger than a signed peer request may be (413). */
        TOO_LARGE(413);

        private final int status;

        Refusal(int status) {
            this.status = status;
        }

        /** The HTTP status to answer. */
        public int status() {
            return status;
        }

        /** The kebab-case id used in answers and metrics, e.g. {@code bad-signature}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Optional<String> peer;
    private final Optional<Refusal> refusal;
    private final String message;
    private final Map<String, List<String>> signedHeaders;

    private PeerVerdict(
            Optional<String> peer, Optional<Refusal> refusal, String message, Map<String, List<String>> signedHeaders) {
        this.peer = peer;
        this.refusal = refusal;
        this.message = message;
        this.signedHeaders = signedHeaders;
    }

    static PeerVerdict verified(String peer, Map<String, List<String>> signedHeaders) {
        return new PeerVerdict(
                Optional.of(peer), Optional.empty(), "signed by peer " + peer, Map.copyOf(signedHeaders));
    }

    static PeerVerdict refused(Refusal refusal, String message) {
        return new PeerVerdict(
                Optional.empty(), Optional.of(Objects.requireNonNull(refusal, "refusal")), message, Map.of());
    }

    /** Whether the request is verified as a pinned peer's. */
    public boolean isVerified() {
        return peer.isPresent();
    }

    /** The name of the peer that signed it ({@code p1} for {@code peer.p1.public-key}); empty when refused. */
    public Optional<String> peer() {
        return peer;
    }

    /** Why it was refused; empty when verified. */
    public Optional<Refusal> refusal() {
        return refusal;
    }

    /** The HTTP status to answer a refused request with: 401, 403 or 413; 200 when verified. */
    public int status() {
        return refusal.map(Refusal::status).orElse(200);
    }

    /** What the caller is told: which check failed and what to do. */
    public String message() {
        return message;
    }

    /**
     * The first value of a header the peer signed, looked up case-insensitively; empty when it was
     * not signed (whatever the request holds), or when the request was refused.
     */
    public Optional<String> signedHeader(String name) {
        List<String> values = signedHeaders.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public String toString() {
        return refusal.map(r -> "PeerVerdict[refused " + r.id() + ": " + message + "]")
                .orElseGet(() -> "PeerVerdict[verified " + peer.orElseThrow() + "]");
    }
}
