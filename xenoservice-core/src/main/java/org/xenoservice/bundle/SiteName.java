package org.xenoservice.bundle;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A site's host name, the one rule for it everywhere XenoService takes one (a manifest, a
 * configuration, an enrolment, a control call): a DNS host name of 1 to 253 characters in
 * dot-separated labels of {@code a-z}, {@code 0-9} and {@code -} (1 to 63 characters, no leading
 * or trailing {@code -}), without a trailing dot, compared and kept in lower case.
 *
 * @param value the host name, lower case, e.g. {@code books.example}
 */
public record SiteName(String value) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_LENGTH = 253;

    /**
     * Checks the name is a host name in lower case.
     *
     * @throws IllegalArgumentException naming the rule it breaks
     */
    public SiteName {
        Objects.requireNonNull(value, "value");
        Optional<String> problem = problem(value);
        if (problem.isPresent()) {
            throw new IllegalArgumentException("a site " + problem.get() + ", but was '" + printable(value) + "'");
        }
    }

    /**
     * The site name of {@code host}, in any case ({@code Books.Example} is {@code books.example}).
     *
     * @throws IllegalArgumentException if it is not a host name
     */
    public static SiteName of(String host) {
        return new SiteName(Objects.requireNonNull(host, "host").toLowerCase(Locale.ROOT));
    }

    /**
     * Why {@code host} is not a lower-case site name ("must be ..."), or empty when it is one; for
     * messages that name the setting or field at fault.
     */
    public static Optional<String> problem(String host) {
        if (host.isEmpty() || host.length() > MAX_LENGTH) {
            return Optional.of("must be a host name of 1 to " + MAX_LENGTH + " characters, such as books.example");
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.of("must be a lower-case host name such as books.example (labels of a-z, 0-9 and '-', "
                        + "1 to 63 characters, no leading or trailing '-')");
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }

    private static String printable(String text) {
        return ManifestCodec.printable(
                text.length() > MAX_LENGTH + 10 ? text.substring(0, MAX_LENGTH + 10) + "…" : text);
    }
}
