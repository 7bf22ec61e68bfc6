package org.xenoservice.peer;

import java.net.URI;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.xenoservice.bundle.SiteName;
import org.xenoservice.protocol.SiteQuota;

/**
 * A site a peer's operator agreed to host: its host name, the public key its bundles and control
 * calls must be signed with, its quota, and the origins its dynamic routes may send requests to.
 * Nothing that is not enrolled is accepted.
 *
 * @param site the host name, lower case
 * @param key the site's pinned Ed25519 public key
 * @param quota what the site may use
 * @param allowedOrigins the origins ({@code scheme://host[:port]}) that the site's {@code proxy} and
 *     {@code capture} routes may reach from this peer; a route to any other is refused at
 *     activation, so a site cannot turn the peer against the operator's own network. Empty: the
 *     site may use no such route.
 * @param captureLimits how fast the peer takes captured requests for the site
 */
public record Enrollment(
        String site, PublicKey key, SiteQuota quota, List<URI> allowedOrigins, CaptureLimits captureLimits) {
    /** Lower-cases the site, checks nothing is null and every allowed origin is an http(s) origin. */
    public Enrollment {
        site = SiteName.of(Objects.requireNonNull(site, "site")).value();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(captureLimits, "captureLimits");
        allowedOrigins = List.copyOf(allowedOrigins);
        for (URI origin : allowedOrigins) {
            String scheme = origin.getScheme() == null ? "" : origin.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || origin.getHost() == null) {
                throw new IllegalArgumentException("allowed origin " + origin + " of " + site
                        + " must be an http or https origin such as https://origin.books.example:8443");
            }
        }
    }

    /** A site with {@link CaptureLimits#DEFAULT}. */
    public Enrollment(String site, PublicKey key, SiteQuota quota, List<URI> allowedOrigins) {
        this(site, key, quota, allowedOrigins, CaptureLimits.DEFAULT);
    }

    /** A site whose dynamic routes may not reach any origin (static content and {@code degrade} only). */
    public Enrollment(String site, PublicKey key, SiteQuota quota) {
        this(site, key, quota, List.of());
    }

    /** Whether {@code url} (a route's origin or intake) is on one of the allowed origins. */
    public boolean allows(URI url) {
        for (URI origin : allowedOrigins) {
            if (origin.getScheme().equalsIgnoreCase(url.getScheme())
                    && origin.getHost().equalsIgnoreCase(url.getHost())
                    && port(origin) == port(url)) {
                return true;
            }
        }
        return false;
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
