package org.xenoservice.peer;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenoservice.bundle.SiteName;
import org.xenoservice.protocol.ServedCertificate;

/**
 * The rules a site's TLS names and certificate chains must keep before a peer serves them: every
 * name is the site or a name under it, the chain parses and links, and its leaf covers the names,
 * is valid now and fits a TLS server. Each broken rule is a {@link PeerException} whose reason
 * names it and whose message says what to do. Stateless.
 */
final class CertificateChains {
    /** The most certificates a chain may hold: a leaf and a few intermediates. */
    static final int MAX_CHAIN_LENGTH = 8;

    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END ([A-Z0-9 ]+)-----");
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_USAGE = "2.5.29.37.0";
    private static final int DNS_NAME = 2;

    private CertificateChains() {}

    /**
     * The names a site may have a certificate for, lower case and without duplicates, in the order
     * given: each must be the site's host or a host name under it.
     *
     * @throws PeerException 403 {@code name-not-owned} for a name outside the site, 400
     *     {@code bad-name} for one that is not a host name (wildcards included)
     */
    static List<String> siteNames(String site, Collection<String> requested) throws PeerException {
        Set<String> names = new LinkedHashSet<>();
        for (String raw : requested) {
            String name = raw.toLowerCase(Locale.ROOT);
            Optional<String> problem = SiteName.problem(name);
            if (problem.isPresent()) {
                throw new PeerException(
                        400,
                        "bad-name",
                        "'" + printable(raw) + "' is not a name a peer certificate can cover: a name " + problem.get()
                                + " (no wildcards: name each host)");
            }
            if (!owns(site, name)) {
                throw new PeerException(
                        403,
                        "name-not-owned",
                        name + " is not " + site + " or a name under it; a site may ask for certificates for its "
                                + "own names only, such as " + site + " and www." + site);
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new PeerException(400, "bad-name", "no names; ask for at least " + site);
        }
        return List.copyOf(names);
    }

    /** Whether {@code name} (lower case) is {@code site} or a name under it. */
    static boolean owns(String site, String name) {
        return name.equals(site) || name.endsWith("." + site);
    }

    /**
     * Parses a PEM chain, leaf first: only {@code CERTIFICATE} blocks, 1 to {@value #MAX_CHAIN_LENGTH}.
     *
     * @throws PeerException 400 {@code bad-chain} when it is anything else
     */
    static List<X509Certificate> parse(String pem) throws PeerException {
        List<X509Certificate> chain = new ArrayList<>();
        Matcher block = PEM_BLOCK.matcher(pem);
        int end = 0;
        while (block.find()) {
            if (!pem.substring(end, block.start()).isBlank()) {
                throw badChain("there is text between the PEM blocks; send only the certificates");
            }
            if (!block.group(1).equals("CERTIFICATE") || !block.group(3).equals("CERTIFICATE")) {
                throw badChain("it holds a '" + block.group(1) + "' block; send only CERTIFICATE blocks "
                        + "(never a private key)");
            }
            if (chain.size() == MAX_CHAIN_LENGTH) {
                throw badChain("it holds more than " + MAX_CHAIN_LENGTH + " certificates; send the leaf and its "
                        + "intermediates");
            }
            chain.add(certificate(block.group(2)));
            end = block.end();
        }
        if (!pem.substring(end).isBlank()) {
            throw badChain("it has text after the last PEM block, or a block that is not PEM");
        }
        if (chain.isEmpty()) {
            throw badChain("it holds no certificate; send the chain in PEM, the leaf first");
        }
        return List.copyOf(chain);
    }

    /**
     * Checks a parsed chain for {@code site}: the leaf's names are the site's and cover
     * {@code names}, it is valid at {@code now} and fits a TLS server, and each certificate is
     * signed by the next. Whose key the leaf holds is the caller's check.
     */
    static void check(String site, List<String> names, List<X509Certificate> chain, Instant now) throws PeerException {
        X509Certificate leaf = chain.get(0);
        List<String> leafNames = dnsNames(leaf);
        for (String name : leafNames) {
            if (!owns(site, name)) {
                throw new PeerException(
                        403,
                        "name-not-owned",
                        "the certificate also names " + name + ", which is not " + site + " or a name under it; "
                                + "a site's certificate may name only the site's own names");
            }
        }
        List<String> uncovered =
                names.stream().filter(name -> !leafNames.contains(name)).toList();
        if (!uncovered.isEmpty()) {
            throw new PeerException(
                    400,
                    "names-not-covered",
                    "the certificate names " + leafNames + " but not " + uncovered
                            + ", which its request asked for; have it issued for every requested name");
        }
        if (now.isBefore(leaf.getNotBefore().toInstant())) {
            throw new PeerException(
                    400,
                    "certificate-not-yet-valid",
                    "the certificate is valid only from " + leaf.getNotBefore().toInstant() + ", and it is " + now
                            + "; install it once it is valid (or check the clocks)");
        }
        if (!now.isBefore(leaf.getNotAfter().toInstant())) {
            throw new PeerException(
                    400,
                    "certificate-expired",
                    "the certificate expired at " + leaf.getNotAfter().toInstant() + "; have a new one issued");
        }
        checkServerUse(leaf);
        for (int i = 0; i + 1 < chain.size(); i++) {
            checkSignedBy(chain.get(i), chain.get(i + 1), i);
        }
    }

    /** The DNS names among the certificate's subject alternative names, lower case. */
    static List<String> dnsNames(X509Certificate certificate) throws PeerException {
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw badChain("its subject alternative names cannot be read: " + e.getMessage());
        }
        List<String> names = new ArrayList<>();
        if (alternatives != null) {
            for (List<?> alternative : alternatives) {
                if (alternative.size() == 2
                        && Integer.valueOf(DNS_NAME).equals(alternative.get(0))
                        && alternative.get(1) instanceof String name) {
                    names.add(name.toLowerCase(Locale.ROOT));
                }
            }
        }
        return List.copyOf(names);
    }

    /** What the status reports of a served chain's leaf. */
    static ServedCertificate describe(X509Certificate leaf) {
        List<String> names;
        try {
            names = dnsNames(leaf);
        } catch (PeerException e) {
            names = List.of();
        }
        return new ServedCertificate(
                names,
                leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant(),
                leaf.getSerialNumber().toString(16));
    }

    /** Whether the leaf holds {@code key}. */
    static boolean holds(X509Certificate leaf, PublicKey key) {
        return java.util.Arrays.equals(leaf.getPublicKey().getEncoded(), key.getEncoded());
    }

    private static void checkServerUse(X509Certificate leaf) throws PeerException {
        List<String> usages;
        try {
            usages = leaf.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw badChain("its extended key usage cannot be read: " + e.getMessage());
        }
        if (usages != null && !usages.contains(SERVER_AUTH) && !usages.contains(ANY_USAGE)) {
            throw new PeerException(
                    400,
                    "not-a-server-certificate",
                    "the certificate's extended key usage " + usages + " does not allow TLS servers (serverAuth, "
                            + SERVER_AUTH + "); have a server certificate issued");
        }
    }

    private static void checkSignedBy(X509Certificate certificate, X509Certificate issuer, int index)
            throws PeerException {
        boolean named = certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
        boolean signed;
        try {
            certificate.verify(issuer.getPublicKey());
            signed = true;
        } catch (GeneralSecurityException | RuntimeException e) {
            signed = false;
        }
        if (!named || !signed) {
            throw new PeerException(
                    400,
                    "chain-broken",
                    "certificate " + index + " of the chain (" + certificate.getSubjectX500Principal()
                            + ") is not signed by the next one (" + issuer.getSubjectX500Principal()
                            + "); send the leaf first, then each issuer in order");
        }
    }

    private static X509Certificate certificate(String base64) throws PeerException {
        byte[] der;
        try {
            der = java.util.Base64.getMimeDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw badChain("a CERTIFICATE block is not base64");
        }
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw badChain("a CERTIFICATE block is not an X.509 certificate (" + e.getMessage() + ")");
        }
    }

    private static PeerException badChain(String problem) {
        return new PeerException(400, "bad-chain", "the certificate chain cannot be used: " + problem);
    }

    private static String printable(String text) {
        String cut = text.length() > 80 ? text.substring(0, 80) + "…" : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
