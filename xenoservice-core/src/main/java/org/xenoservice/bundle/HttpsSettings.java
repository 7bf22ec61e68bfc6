package org.xenoservice.bundle;

import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the site's owner asks of a replica's plain HTTP and HTTPS answers, signed with the rest of
 * the manifest: whether plain HTTP requests are redirected to HTTPS, and the
 * {@code Strict-Transport-Security} (HSTS, RFC 6797) value sent with every HTTPS answer. A peer
 * never decides either itself: only the owner knows whether every name of the site works over
 * HTTPS, and an HSTS value binds browsers for as long as it says.
 *
 * <p>Public because the settings cross packages: the origin's configuration
 * ({@code XenoConfig}) and replicator ({@code Replicator}) put them into the bundles it builds, and
 * the peer reads them from the {@link Manifest#https() manifest} it serves.
 *
 * <p>The HSTS value is checked here, wherever it comes from (a builder, a properties file, a
 * manifest from the network), so that no manifest can make a peer send a malformed header or inject
 * another one: {@code max-age=<digits>} (required, at most {@value #MAX_AGE_DIGITS} digits), then
 * optionally {@code includeSubDomains} and {@code preload} (names in any case, each at most once),
 * separated by {@code ;} with optional spaces, printable ASCII only, at most
 * {@value #MAX_HSTS_LENGTH} characters. Example: {@code max-age=31536000; includeSubDomains}.
 *
 * @param redirect whether a replica answers plain HTTP requests for the site with a redirect to
 *     HTTPS (301 for {@code GET} and {@code HEAD}, 308 for other methods, so that a form is posted
 *     again over HTTPS)
 * @param hsts the {@code Strict-Transport-Security} value sent over HTTPS only (RFC 6797 §7.2);
 *     empty sends none
 */
public record HttpsSettings(boolean redirect, Optional<String> hsts) {
    /** No redirect and no HSTS: what a manifest without an {@code https} field means. */
    public static final HttpsSettings NONE = new HttpsSettings(false, Optional.empty());
    /** The longest HSTS value accepted. */
    public static final int MAX_HSTS_LENGTH = 256;
    /** The most digits of {@code max-age} accepted (enough for centuries). */
    public static final int MAX_AGE_DIGITS = 10;

    private static final Set<String> FLAGS = Set.of("includesubdomains", "preload");

    /**
     * Checks the HSTS value.
     *
     * @throws IllegalArgumentException if it is not a valid {@code Strict-Transport-Security} value
     */
    public HttpsSettings {
        Objects.requireNonNull(hsts, "hsts");
        if (hsts.isPresent()) {
            Optional<String> problem = hstsProblem(hsts.get());
            if (problem.isPresent()) {
                throw new IllegalArgumentException(
                        "hsts " + problem.get() + ", but was \"" + ManifestCodec.printable(hsts.get()) + "\"");
            }
        }
    }

    /** Redirects plain HTTP to HTTPS, without HSTS. */
    public static HttpsSettings redirectOnly() {
        return new HttpsSettings(true, Optional.empty());
    }

    /** These settings with {@code value} as the HSTS value, e.g. {@code max-age=31536000; includeSubDomains}. */
    public HttpsSettings withHsts(String value) {
        return new HttpsSettings(redirect, Optional.of(Objects.requireNonNull(value, "hsts")));
    }

    /** These settings with {@code redirect} as the redirect setting. */
    public HttpsSettings withRedirect(boolean value) {
        return new HttpsSettings(value, hsts);
    }

    /** Whether these settings ask for nothing (the manifest then has no {@code https} field). */
    public boolean isNone() {
        return !redirect && hsts.isEmpty();
    }

    /**
     * Why {@code value} is not an HSTS value this library sends ("must ..."), or empty when it is one;
     * for messages that name the field or setting at fault.
     */
    public static Optional<String> hstsProblem(String value) {
        if (value.isEmpty() || value.length() > MAX_HSTS_LENGTH) {
            return Optional.of("must be 1 to " + MAX_HSTS_LENGTH + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return Optional.of("must be printable ASCII without control characters (it becomes an HTTP header)");
            }
        }
        Set<String> seen = new HashSet<>();
        for (String part : value.split(";", -1)) {
            String directive = part.strip();
            String name = directive.toLowerCase(Locale.ROOT);
            if (name.startsWith("max-age=")) {
                name = "max-age";
                if (!directive.substring("max-age=".length()).matches("[0-9]{1," + MAX_AGE_DIGITS + "}")) {
                    return Optional.of("must give max-age as 1 to " + MAX_AGE_DIGITS
                            + " digits with no spaces or quotes, e.g. max-age=31536000");
                }
            } else if (!FLAGS.contains(name)) {
                return Optional.of("must consist of max-age=<seconds> and optionally includeSubDomains and preload,"
                        + " separated by ';' (no empty or other directives)");
            }
            if (!seen.add(name)) {
                return Optional.of("must give each directive once (" + name + " is repeated)");
            }
        }
        if (!seen.contains("max-age")) {
            return Optional.of("must give max-age, e.g. max-age=31536000 (RFC 6797 requires it)");
        }
        return Optional.empty();
    }
}
