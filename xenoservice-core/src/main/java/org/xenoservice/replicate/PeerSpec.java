package org.xenoservice.replicate;

import java.net.InetAddress;
import java.net.URI;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One peer host of the pool the site's operator contracted with: where its control port is, and the
 * addresses of its serving port that go into the site's DNS name when it is activated.
 *
 * @param name a short name for logs and status ({@code [A-Za-z0-9._-]}, at most 63 characters)
 * @param controlUrl the base URL of the peer's control port ({@code http} or {@code https})
 * @param servingAddresses the addresses clients reach the peer's serving port on, at least one
 * @param weight how strongly to prefer the peer: heavier peers are activated first (1 to 1000)
 * @param region where the peer is, for status and for the operator's own choice (may be empty)
 * @param publicKey the peer host's own Ed25519 identity key ({@code peer.<name>.public-key}): the
 *     origin trusts a proxied request or a captured request's delivery only when this key signed it
 */
public record PeerSpec(
        String name,
        URI controlUrl,
        List<InetAddress> servingAddresses,
        int weight,
        Optional<String> region,
        PublicKey publicKey) {
    /** The weight of a peer whose configuration gives none. */
    public static final int DEFAULT_WEIGHT = 1;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,63}");

    /** Checks the values and copies the list. */
    public PeerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(controlUrl, "controlUrl");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(
                publicKey,
                "publicKey: the peer's identity key, which its operator prints with" + " 'xenoservice peer identity'");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "peer name must be 1 to 63 letters, digits, '.', '_' or '-', was \"" + name + "\"");
        }
        String scheme =
                controlUrl.getScheme() == null ? "" : controlUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!controlUrl.isAbsolute()
                || !(scheme.equals("http") || scheme.equals("https"))
                || controlUrl.getHost() == null) {
            throw new IllegalArgumentException("peer " + name
                    + ": control URL must be an absolute http(s) URL with a host," + " was " + controlUrl);
        }
        servingAddresses = List.copyOf(servingAddresses);
        if (servingAddresses.isEmpty()) {
            throw new IllegalArgumentException("peer " + name + " needs at least one serving address");
        }
        if (weight < 1 || weight > 1000) {
            throw new IllegalArgumentException("peer " + name + ": weight must be between 1 and 1000, was " + weight);
        }
        if (!"Ed25519".equals(publicKey.getAlgorithm()) && !"EdDSA".equals(publicKey.getAlgorithm())) {
            throw new IllegalArgumentException("peer " + name
                    + ": the public key must be the peer's Ed25519 identity key, was " + publicKey.getAlgorithm());
        }
    }

    /** A peer of weight {@link #DEFAULT_WEIGHT} in no particular region. */
    public static PeerSpec of(String name, URI controlUrl, List<InetAddress> servingAddresses, PublicKey publicKey) {
        return new PeerSpec(name, controlUrl, servingAddresses, DEFAULT_WEIGHT, Optional.empty(), publicKey);
    }
}
