package org.xenoservice.acme;

import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where and as whom the origin gets its sites' HTTPS certificates by ACME (RFC 8555): the CA's
 * directory URL, the account's contact, the names besides the site's own that every certificate
 * carries (e.g. {@code www.books.example}), the file that holds the account key, and, for a CA
 * whose ACME server has a certificate from a private CA (a test CA such as pebble, or a company
 * CA), the certificates to trust for that connection instead of the JDK's.
 *
 * <pre>{@code
 * AcmeSettings settings = AcmeSettings.of(
 *         URI.create("https://acme-v02.api.letsencrypt.org/directory"),
 *         Path.of("/var/lib/xeno-origin/acme-account.key"))
 *     .withContact(URI.create("mailto:owner@books.example"))
 *     .withExtraNames(List.of("www.books.example"));
 * }</pre>
 *
 * <p>In {@code xeno.properties}: {@code acme.directory}, {@code acme.contact}, {@code acme.names}
 * (comma list of extra names) and {@code acme.trust-file} (PEM); the account key is then
 * {@value #ACCOUNT_KEY_FILE} in the state directory.
 *
 * @param directory the CA's ACME directory, an {@code https} URL
 * @param contact the account's contact ({@code mailto:}), if any; CAs use it for expiry notices
 * @param extraNames names every certificate carries besides the site's own, lower case
 * @param accountKeyFile the account's EC P-256 key (PEM), created with mode 600 if absent
 * @param trust the certificates that sign the ACME server's TLS certificate, trusted instead of
 *     the JDK's trust store; empty for a public CA
 */
public record AcmeSettings(
        URI directory,
        Optional<URI> contact,
        List<String> extraNames,
        Path accountKeyFile,
        List<X509Certificate> trust) {
    /** The name of the account key file in the state directory, when read from a properties file. */
    public static final String ACCOUNT_KEY_FILE = "acme-account.key";

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+");

    /** Checks every value and copies the lists. */
    public AcmeSettings {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(accountKeyFile, "accountKeyFile");
        if (!"https".equalsIgnoreCase(directory.getScheme()) || directory.getHost() == null) {
            throw new IllegalArgumentException("the ACME directory must be an https URL with a host (RFC 8555"
                    + " requires HTTPS), e.g. https://acme-v02.api.letsencrypt.org/directory, but was " + directory);
        }
        contact.ifPresent(AcmeSettings::checkContact);
        Set<String> names = new LinkedHashSet<>();
        for (String name : extraNames) {
            String checked = hostName("extra name", name);
            if (!names.add(checked)) {
                throw new IllegalArgumentException("extra name " + checked + " is given twice");
            }
        }
        extraNames = List.copyOf(names);
        trust = List.copyOf(trust);
    }

    /** Settings for a CA in the JDK's trust store, with no contact and no extra names. */
    public static AcmeSettings of(URI directory, Path accountKeyFile) {
        return new AcmeSettings(directory, Optional.empty(), List.of(), accountKeyFile, List.of());
    }

    /** The same settings with a contact: {@code mailto:owner@books.example}. */
    public AcmeSettings withContact(URI value) {
        return new AcmeSettings(directory, Optional.of(value), extraNames, accountKeyFile, trust);
    }

    /** The same settings with these names besides the site's own, e.g. {@code www.books.example}. */
    public AcmeSettings withExtraNames(List<String> names) {
        return new AcmeSettings(directory, contact, names, accountKeyFile, trust);
    }

    /** The same settings, trusting these certificates (and no others) for the ACME server's TLS. */
    public AcmeSettings withTrust(List<X509Certificate> certificates) {
        return new AcmeSettings(directory, contact, extraNames, accountKeyFile, certificates);
    }

    /** The names a certificate for {@code site} carries: the site's own first, then the extra names. */
    public List<String> names(String site) {
        Set<String> names = new LinkedHashSet<>();
        names.add(hostName("site", site));
        names.addAll(extraNames);
        return List.copyOf(names);
    }

    /**
     * Reads a contact as written in a properties file: {@code mailto:owner@books.example}, or the
     * bare address.
     */
    public static URI parseContact(String text) {
        Objects.requireNonNull(text, "contact");
        String value = text.strip();
        URI uri = URI.create(value.regionMatches(true, 0, "mailto:", 0, 7) ? value : "mailto:" + value);
        checkContact(uri);
        return uri;
    }

    /** Reads a comma list of host names, as {@code acme.names} holds them; blanks are skipped. */
    public static List<String> parseNames(String text) {
        List<String> names = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (!part.isBlank()) {
                names.add(part.strip());
            }
        }
        return names;
    }

    /** A DNS host name, lower case without a trailing dot, as certificates carry it. */
    static String hostName(String what, String name) {
        Objects.requireNonNull(name, what);
        String value = name.strip().toLowerCase(Locale.ROOT);
        if (value.endsWith(".")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.startsWith("*.")) {
            throw new IllegalArgumentException(what + " \"" + name + "\" is a wildcard name; certificates are"
                    + " requested for each name a site answers on, so list the names themselves");
        }
        String[] labels = value.split("\\.", -1);
        boolean valid = labels.length >= 2 && value.length() <= 253;
        for (String label : labels) {
            valid &= LABEL.matcher(label).matches();
        }
        if (!valid) {
            throw new IllegalArgumentException(what + " \"" + name + "\" is not a host name such as books.example");
        }
        return value;
    }

    /** The settings, with the trusted certificates by subject only. */
    @Override
    public String toString() {
        return "AcmeSettings{directory=" + directory + ", contact="
                + contact.map(URI::toString).orElse("none")
                + ", extraNames=" + extraNames + ", accountKeyFile=" + accountKeyFile + ", trust="
                + (trust.isEmpty()
                        ? "the JDK's"
                        : trust.stream()
                                .map(c -> c.getSubjectX500Principal().getName())
                                .toList())
                + "}";
    }

    private static void checkContact(URI contact) {
        if (!"mailto".equalsIgnoreCase(contact.getScheme())
                || !EMAIL.matcher(contact.getSchemeSpecificPart()).matches()) {
            throw new IllegalArgumentException("the ACME contact must be one e-mail address, as"
                    + " mailto:owner@books.example, but was " + contact);
        }
    }
}
