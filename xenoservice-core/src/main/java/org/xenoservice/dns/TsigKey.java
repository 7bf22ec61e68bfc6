package org.xenoservice.dns;

import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A TSIG key (RFC 8945) shared with the DNS server: the algorithm, the key's name as the server's
 * {@code key} statement names it, and the secret. Written as {@code ALG:NAME:BASE64SECRET}, the
 * form {@code nsupdate -y} takes, e.g. {@code hmac-sha256:xeno-books:3q2+7w==}.
 *
 * <p>Immutable. {@link #toString()} never shows the secret.
 */
public final class TsigKey {
    /** The HMAC the key signs with. */
    public enum Algorithm {
        /** HMAC-SHA256, the default and what BIND's {@code tsig-keygen} makes. */
        HMAC_SHA256("hmac-sha256", "HmacSHA256"),
        /** HMAC-SHA512. */
        HMAC_SHA512("hmac-sha512", "HmacSHA512"),
        /** HMAC-SHA1, only for old servers. */
        HMAC_SHA1("hmac-sha1", "HmacSHA1");

        private final String token;
        private final String jcaName;

        Algorithm(String token, String jcaName) {
            this.token = token;
            this.jcaName = jcaName;
        }

        /** The name BIND and nsupdate use, e.g. {@code hmac-sha256}. */
        public String token() {
            return token;
        }

        String jcaName() {
            return jcaName;
        }

        /** The algorithm for a token such as {@code hmac-sha256} (case-insensitive). */
        public static Optional<Algorithm> fromToken(String token) {
            String wanted = token.toLowerCase(Locale.ROOT);
            return Arrays.stream(values()).filter(a -> a.token.equals(wanted)).findFirst();
        }
    }

    private final Algorithm algorithm;
    private final String name;
    private final byte[] secret;

    private TsigKey(Algorithm algorithm, String name, byte[] secret) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.name = checkName(name);
        if (secret.length < 16) {
            throw new IllegalArgumentException("TSIG secret of key " + name + " must be at least 16 bytes, but is "
                    + secret.length + "; make one with 'tsig-keygen -a " + algorithm.token + " " + name + "'");
        }
        this.secret = secret.clone();
    }

    /** A key from its parts; the secret is the decoded bytes. */
    public static TsigKey of(Algorithm algorithm, String name, byte[] secret) {
        return new TsigKey(algorithm, name, Objects.requireNonNull(secret, "secret"));
    }

    /** A key from its parts; the secret in base64, as in BIND's {@code key} statement. */
    public static TsigKey of(Algorithm algorithm, String name, String base64Secret) {
        return new TsigKey(algorithm, name, decode(name, base64Secret));
    }

    /**
     * Parses {@code ALG:NAME:BASE64SECRET} (or {@code NAME:BASE64SECRET}, meaning hmac-sha256).
     *
     * @throws IllegalArgumentException saying which part is wrong; the message never holds the secret
     */
    public static TsigKey parse(String text) {
        Objects.requireNonNull(text, "text");
        String[] parts = text.split(":", -1);
        if (parts.length == 2) {
            return of(Algorithm.HMAC_SHA256, parts[0], parts[1]);
        }
        if (parts.length != 3) {
            throw new IllegalArgumentException("a TSIG key is written ALG:NAME:BASE64SECRET, e.g. "
                    + "hmac-sha256:xeno-books:c2VjcmV0..., but this one has " + parts.length + " part(s)");
        }
        Algorithm algorithm = Algorithm.fromToken(parts[0])
                .orElseThrow(() -> new IllegalArgumentException("TSIG algorithm \"" + parts[0]
                        + "\" is not supported; use hmac-sha256, hmac-sha512 or hmac-sha1"));
        return of(algorithm, parts[1], parts[2]);
    }

    /** The HMAC algorithm. */
    public Algorithm algorithm() {
        return algorithm;
    }

    /** The key's name, lower case, without a trailing dot. */
    public String name() {
        return name;
    }

    byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TsigKey key
                && key.algorithm == algorithm
                && key.name.equals(name)
                && java.security.MessageDigest.isEqual(key.secret, secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, name);
    }

    /** {@code hmac-sha256:name:(secret hidden)}. */
    @Override
    public String toString() {
        return algorithm.token + ":" + name + ":(secret hidden)";
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        String trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (trimmed.isEmpty() || !trimmed.matches("[A-Za-z0-9_.-]+") || trimmed.contains("..")) {
            throw new IllegalArgumentException("TSIG key name \"" + name + "\" must be a DNS name such as xeno-books");
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }

    private static byte[] decode(String name, String base64) {
        Objects.requireNonNull(base64, "secret");
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TSIG secret of key " + name + " is not valid base64", e);
        }
    }
}
