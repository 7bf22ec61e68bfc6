package org.xenoservice.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.protocol.CertificateRequest;
import org.xenoservice.protocol.ServedCertificate;

/**
 * The TLS keys and certificates a peer serves its sites' HTTPS with, chosen by SNI. Each site's
 * private key is made here and never leaves the peer: the site's owner asks for a certificate
 * signing request ({@code tls/csr}), has it signed by a CA, and hands back only the chain
 * ({@code tls/certificate}). So no CA, origin or network in between ever holds a key that serves
 * the site, and a peer that is withdrawn takes its key with it. Sites whose CA has no ACME use a
 * {@link ManualCertificate} the peer's operator installed instead.
 *
 * <p>Every request gets a fresh ECDSA P-256 key, pending until a chain for it is installed; then it
 * replaces the site's current key and certificate, live: the next handshake serves the new chain
 * ({@link #serverContext()}). A chain is installed only if its leaf holds a pending key (or the
 * current one), names only the site and names under it, covers every name requested, is valid now
 * and fits a TLS server, and each certificate is signed by the next.
 *
 * <p>On disk, under the directory given to {@link #open}: {@code <site>/key.pem} (PKCS#8 PEM, mode
 * 600), {@code <site>/chain.pem}, and {@code <site>/pending/<id>.key} (mode 600) with
 * {@code <id>.pub} and {@code <id>.names} for requests not yet answered (at most {@value #MAX_PENDING} a site; a newer
 * request drops the oldest). The chain is written before the key it needs, so a crash in between is
 * finished at the next {@link #open}. Safe for concurrent use; installs for one site are serialised
 * and handshakes never wait.
 */
public final class SiteCertificates {
    /** The most requests of one site that wait for their chain; a newer one drops the oldest. */
    static final int MAX_PENDING = 4;

    private static final Logger LOG = LoggerFactory.getLogger(SiteCertificates.class);
    private static final String KEY_FILE = "key.pem";
    private static final String CHAIN_FILE = "chain.pem";
    private static final String PENDING = "pending";

    private final Clock clock;
    private final Path directory;
    /** Replaced whole by {@link #reenroll}; read by handshakes and control calls without a lock. */
    private volatile Map<String, SiteTls> sites = Map.of();

    private final AtomicLong generations = new AtomicLong();

    private SiteCertificates(Clock clock, Path directory) {
        this.clock = clock;
        this.directory = directory;
    }

    /**
     * One key and chain as served: {@code alias} names this very pair for the key manager.
     *
     * @param alias the site and a generation, unique within the peer's run
     * @param key the private key
     * @param chain the chain, leaf first
     * @param names the leaf's DNS names
     * @param served what the status reports of it
     */
    record Credential(
            String alias, PrivateKey key, List<X509Certificate> chain, List<String> names, ServedCertificate served) {
        Credential {
            chain = List.copyOf(chain);
            names = List.copyOf(names);
        }

        /** Whether the leaf covers the host name {@code name} (lower case), exactly or by a wildcard. */
        boolean covers(String name) {
            if (names.contains(name)) {
                return true;
            }
            int dot = name.indexOf('.');
            return dot > 0 && names.contains("*" + name.substring(dot));
        }

        PublicKey publicKey() {
            return chain.get(0).getPublicKey();
        }

        /** The site this credential serves (its alias without the generation). */
        String site() {
            return alias.substring(0, alias.lastIndexOf('#'));
        }

        @Override
        public String toString() {
            return "Credential[" + alias + " " + names + ", key hidden]";
        }
    }

    /** A request's key, waiting for its chain. */
    private record Pending(String id, KeyPair keys, List<String> names) {}

    /** One site's TLS state. */
    private static final class SiteTls {
        final String site;
        final Path folder;
        final boolean manual;
        volatile Credential current;
        volatile Credential previous;
        final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();

        SiteTls(String site, Path folder, boolean manual) {
            this.site = site;
            this.folder = folder;
            this.manual = manual;
        }
    }

    /**
     * Opens (creating when needed) the TLS state of the enrolled sites under {@code directory},
     * and loads each manual certificate, checked as an installed chain is.
     *
     * @param manual the certificates the operator installed, one at most per site, for enrolled sites
     * @param clock the clock certificates' validity is checked against
     * @throws IOException if the state cannot be read, or a manual certificate breaks a rule (the
     *     message names its files and the rule)
     */
    public static SiteCertificates open(
            Path directory, Collection<Enrollment> enrollments, Collection<ManualCertificate> manual, Clock clock)
            throws IOException {
        SiteCertificates certificates =
                new SiteCertificates(Objects.requireNonNull(clock, "clock"), directory.toAbsolutePath());
        certificates.sites = certificates.prepare(enrollments, manual, Map.of());
        return certificates;
    }

    /**
     * Reads and checks manual certificates as {@link #open} and {@link #reenroll} would, changing
     * nothing: a reload checks its new files with this before it changes anything.
     *
     * @throws IOException if one breaks a rule (the message names its files and the rule)
     */
    public static void check(Collection<ManualCertificate> manual, Clock clock) throws IOException {
        for (ManualCertificate installed : manual) {
            checkManualChain(installed, readManualKey(installed), clock.instant());
        }
    }

    /**
     * Follows a reload of the peer's configuration: opens the TLS state of newly enrolled sites,
     * drops that of sites no longer enrolled, and reads every manual certificate again (an operator
     * renews one by replacing its files and reloading). Everything is read and checked before
     * anything changes; a handshake under way finishes with the credential it chose.
     *
     * @return the sites whose served certificate changed (a renewed or newly installed manual one,
     *     or a new site's)
     * @throws IOException if a manual certificate breaks a rule or a new site's state cannot be
     *     read; nothing changed then
     */
    public synchronized Set<String> reenroll(Collection<Enrollment> enrollments, Collection<ManualCertificate> manual)
            throws IOException {
        Map<String, SiteTls> before = sites;
        Map<String, SiteTls> after = prepare(enrollments, manual, before);
        sites = after;
        Set<String> changed = new TreeSet<>();
        for (SiteTls site : after.values()) {
            SiteTls known = before.get(site.site);
            Credential was = known == null ? null : known.current;
            Credential now = site.current;
            if (now != null && (was == null || !was.chain().equals(now.chain()))) {
                changed.add(site.site);
            }
        }
        return changed;
    }

    /**
     * The TLS state of {@code enrollments}: that of {@code known} where a site's certificates stay
     * managed by its owner, else read afresh (a manual certificate unchanged keeps its credential).
     */
    private Map<String, SiteTls> prepare(
            Collection<Enrollment> enrollments, Collection<ManualCertificate> manual, Map<String, SiteTls> known)
            throws IOException {
        Map<String, ManualCertificate> manualBySite = new HashMap<>();
        for (ManualCertificate certificate : manual) {
            if (manualBySite.put(certificate.site(), certificate) != null) {
                throw new IllegalArgumentException("site " + certificate.site() + " has two manual certificates");
            }
        }
        Map<String, SiteTls> next = new HashMap<>();
        List<SiteTls> fresh = new ArrayList<>();
        for (Enrollment enrollment : enrollments) {
            String site = enrollment.site();
            boolean isManual = manualBySite.containsKey(site);
            SiteTls old = known.get(site);
            if (old != null && !old.manual && !isManual) {
                next.put(site, old);
            } else {
                SiteTls created = new SiteTls(site, directory.resolve(site), isManual);
                next.put(site, created);
                fresh.add(created);
            }
        }
        for (String site : manualBySite.keySet()) {
            if (!next.containsKey(site)) {
                throw new IllegalArgumentException("a manual certificate for " + site + ", which is not enrolled");
            }
        }
        for (SiteTls site : fresh) {
            ManualCertificate installed = manualBySite.get(site.site);
            if (installed == null) {
                load(site);
                continue;
            }
            PrivateKey key = readManualKey(installed);
            List<X509Certificate> chain = checkManualChain(installed, key, clock.instant());
            SiteTls old = known.get(site.site);
            Credential was = old == null ? null : old.current;
            boolean same = was != null && was.chain().equals(chain) && was.key().equals(key);
            site.current = same ? was : credential(site.site, key, chain);
            site.previous = same || was == null ? null : was;
        }
        return Map.copyOf(next);
    }

    /**
     * A TLS server context that serves each site's current certificate by SNI (none without SNI or
     * for an unknown name), TLS 1.3 and 1.2 only. A web server creates its engines from it.
     */
    public SSLContext serverContext() {
        return TlsServerContext.create(
                new SniKeyManager(this), name -> forServerName(name).isPresent());
    }

    /**
     * The sites' server contexts for a TLS engine other than the JDK's, made by {@code factory} from
     * each site's current key and chain and chosen by SNI as {@link #serverContext()} chooses; see
     * {@link SiteTlsContexts}.
     */
    public <C> SiteTlsContexts<C> contexts(SiteTlsContexts.Factory<C> factory) {
        return new SiteTlsContexts<>(this, factory);
    }

    /** The certificate served for {@code site}, if it has one. */
    public Optional<ServedCertificate> served(String site) {
        SiteTls known = sites.get(site.toLowerCase(Locale.ROOT));
        Credential current = known == null ? null : known.current;
        return current == null ? Optional.empty() : Optional.of(current.served());
    }

    /**
     * Makes a fresh key for {@code site} and a request for {@code names} signed by it; the key
     * waits for its chain.
     *
     * @throws PeerException 404 for a site not enrolled, 409 {@code operator-managed} for a site with
     *     a manual certificate, 403 {@code name-not-owned} or 400 {@code bad-name} for a name the
     *     site may not have
     */
    CertificateRequest request(String site, List<String> names) throws PeerException, IOException {
        SiteTls known = site(site);
        List<String> checked = CertificateChains.siteNames(known.site, names);
        KeyPair keys = TlsKeys.generate();
        String pem = TlsKeys.request(keys, checked);
        Pending pending = new Pending(id(keys.getPublic()), keys, checked);
        synchronized (known) {
            Path folder = known.folder.resolve(PENDING);
            TlsKeys.writeAtomically(
                    folder.resolve(pending.id() + ".names"),
                    String.join("\n", checked).getBytes(StandardCharsets.US_ASCII),
                    false);
            TlsKeys.writeAtomically(
                    folder.resolve(pending.id() + ".pub"),
                    TlsKeys.pem("PUBLIC KEY", keys.getPublic().getEncoded()).getBytes(StandardCharsets.US_ASCII),
                    false);
            TlsKeys.writePrivateKey(folder.resolve(pending.id() + ".key"), keys.getPrivate());
            known.pending.put(pending.id(), pending);
            while (known.pending.size() > MAX_PENDING) {
                Pending oldest = known.pending.values().iterator().next();
                known.pending.remove(oldest.id());
                deletePending(known, oldest.id());
            }
        }
        LOG.info("peer: made a TLS key and a certificate request for {} ({})", known.site, checked);
        return new CertificateRequest(checked, pem);
    }

    /**
     * Installs a chain (PEM, leaf first) for {@code site}, served from the next handshake on.
     *
     * @return what is served now
     * @throws PeerException 409 {@code unknown-key} for a leaf whose key is neither pending nor
     *     current, {@code operator-managed} for a manual site; 400 or 403 with the rule for a chain
     *     that breaks one ({@link CertificateChains})
     */
    ServedCertificate install(String site, String chainPem) throws PeerException, IOException {
        SiteTls known = site(site);
        List<X509Certificate> chain = CertificateChains.parse(chainPem);
        X509Certificate leaf = chain.get(0);
        synchronized (known) {
            Pending pending = null;
            for (Pending candidate : known.pending.values()) {
                if (CertificateChains.holds(leaf, candidate.keys().getPublic())) {
                    pending = candidate;
                }
            }
            Credential current = known.current;
            PrivateKey key;
            List<String> requested;
            if (pending != null) {
                key = pending.keys().getPrivate();
                requested = pending.names();
            } else if (current != null && CertificateChains.holds(leaf, current.publicKey())) {
                key = current.key();
                requested = current.names();
            } else {
                throw new PeerException(
                        409,
                        "unknown-key",
                        "the certificate is for a key this peer does not hold for " + known.site
                                + " (not one of its pending requests, nor the key it serves); ask for a new "
                                + "request (tls/csr) and install the chain issued for that one");
            }
            CertificateChains.check(known.site, requested, chain, clock.instant());
            TlsKeys.writeAtomically(
                    known.folder.resolve(CHAIN_FILE), chainPem(chain).getBytes(StandardCharsets.US_ASCII), false);
            if (pending != null) {
                TlsKeys.writePrivateKey(known.folder.resolve(KEY_FILE), key);
                known.pending.remove(pending.id());
                deletePending(known, pending.id());
            }
            Credential next = credential(known.site, key, chain);
            known.previous = current;
            known.current = next;
            LOG.info(
                    "peer: serving a new TLS certificate for {}: {} until {}",
                    known.site,
                    next.names(),
                    next.served().notAfter());
            return next.served();
        }
    }

    /**
     * The credential served for an SNI host name: that of the enrolled site the name is or is
     * under (the nearest), if its certificate covers the name; never another site's.
     */
    Optional<Credential> forServerName(String serverName) {
        String name = serverName.toLowerCase(Locale.ROOT);
        for (String candidate = name; ; ) {
            SiteTls site = sites.get(candidate);
            if (site != null) {
                Credential current = site.current;
                return current != null && current.covers(name) ? Optional.of(current) : Optional.empty();
            }
            int dot = candidate.indexOf('.');
            if (dot < 0) {
                return Optional.empty();
            }
            candidate = candidate.substring(dot + 1);
        }
    }

    /** The credential an alias from {@link #forServerName} names, while it is current or just replaced. */
    Optional<Credential> byAlias(String alias) {
        int hash = alias == null ? -1 : alias.lastIndexOf('#');
        SiteTls site = hash < 0 ? null : sites.get(alias.substring(0, hash));
        if (site == null) {
            return Optional.empty();
        }
        for (Credential credential : new Credential[] {site.current, site.previous}) {
            if (credential != null && credential.alias().equals(alias)) {
                return Optional.of(credential);
            }
        }
        return Optional.empty();
    }

    /**
     * Reads a manual certificate's key.
     *
     * @throws IOException naming the key file and what is wrong with it
     */
    static PrivateKey readManualKey(ManualCertificate manual) throws IOException {
        try {
            return TlsKeys.readPrivateKey(manual.keyFile());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot read the key " + manual.keyFile() + " (no such file)", e);
        }
    }

    /**
     * Reads a manual certificate's chain and checks it as an installed one is, for the site's own
     * name, and that its leaf holds {@code key}.
     *
     * @throws IOException naming the chain file and the rule it breaks
     */
    static List<X509Certificate> checkManualChain(ManualCertificate manual, PrivateKey key, Instant now)
            throws IOException {
        String text;
        try {
            if (Files.size(manual.chainFile()) > org.xenoservice.protocol.ControlCodec.MAX_CHAIN_CHARS) {
                throw new IOException(manual.chainFile() + " is too large for a certificate chain");
            }
            text = Files.readString(manual.chainFile(), StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("cannot read the chain " + manual.chainFile() + " (no such file)", e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(manual.chainFile() + " is not PEM text", e);
        }
        try {
            List<X509Certificate> chain = CertificateChains.parse(text);
            CertificateChains.check(manual.site(), List.of(manual.site()), chain, now);
            if (!matches(key, chain.get(0).getPublicKey())) {
                throw new PeerException(
                        400,
                        "key-mismatch",
                        "the certificate is not for the key " + manual.keyFile() + "; give the key the certificate "
                                + "was issued for");
            }
            return chain;
        } catch (PeerException e) {
            throw new IOException(manual.chainFile() + ": " + e.getMessage() + " (" + e.reason() + ")", e);
        }
    }

    private static boolean matches(PrivateKey key, PublicKey certified) {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] probe = "xenoservice key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private Credential credential(String site, PrivateKey key, List<X509Certificate> chain) {
        X509Certificate leaf = chain.get(0);
        ServedCertificate served = CertificateChains.describe(leaf);
        return new Credential(site + "#" + generations.incrementAndGet(), key, chain, served.names(), served);
    }

    /** Reloads a site's key, pending requests and chain; finishes an install a crash cut short. */
    private void load(SiteTls site) throws IOException {
        Path keyFile = site.folder.resolve(KEY_FILE);
        PrivateKey key = Files.exists(keyFile) ? TlsKeys.readPrivateKey(keyFile) : null;
        loadPending(site);
        Path chainFile = site.folder.resolve(CHAIN_FILE);
        if (!Files.exists(chainFile)) {
            return;
        }
        List<X509Certificate> chain;
        try {
            chain = CertificateChains.parse(Files.readString(chainFile, StandardCharsets.US_ASCII));
        } catch (PeerException e) {
            LOG.warn("peer: ignoring {} ({}); {} gets no HTTPS until a chain is installed", chainFile, e, site.site);
            return;
        }
        X509Certificate leaf = chain.get(0);
        if (key == null || !matches(key, leaf.getPublicKey())) {
            Pending finished = null;
            for (Pending pending : site.pending.values()) {
                if (CertificateChains.holds(leaf, pending.keys().getPublic())) {
                    finished = pending;
                }
            }
            if (finished == null) {
                LOG.warn(
                        "peer: {} is for no key the peer holds; {} gets no HTTPS until a chain is installed",
                        chainFile,
                        site.site);
                return;
            }
            key = finished.keys().getPrivate();
            TlsKeys.writePrivateKey(keyFile, key);
            site.pending.remove(finished.id());
            deletePending(site, finished.id());
        }
        site.current = credential(site.site, key, chain);
        if (!clock.instant().isBefore(leaf.getNotAfter().toInstant())) {
            LOG.warn("peer: the TLS certificate of {} expired at {}; install a new one", site.site, leaf.getNotAfter());
        }
    }

    private void loadPending(SiteTls site) throws IOException {
        Path folder = site.folder.resolve(PENDING);
        if (!Files.isDirectory(folder)) {
            return;
        }
        List<Path> keys = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.names")) {
            files.forEach(keys::add);
        }
        keys.sort((a, b) -> {
            try {
                return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
            } catch (IOException e) {
                return 0;
            }
        });
        for (Path namesFile : keys) {
            String id = namesFile.getFileName().toString().replaceFirst("\\.names$", "");
            Path keyFile = folder.resolve(id + ".key");
            Path publicFile = folder.resolve(id + ".pub");
            if (!Files.exists(keyFile) || !Files.exists(publicFile)) {
                deletePending(site, id); // a request cut short before it was answered
                continue;
            }
            PrivateKey key = TlsKeys.readPrivateKey(keyFile);
            List<String> names = List.of(
                    Files.readString(namesFile, StandardCharsets.US_ASCII).split("\n", -1));
            site.pending.put(id, new Pending(id, new KeyPair(readPublicKey(publicFile), key), names));
        }
    }

    private static PublicKey readPublicKey(Path file) throws IOException {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII)
                    .replace("-----BEGIN PUBLIC KEY-----", "")
                    .replace("-----END PUBLIC KEY-----", "");
            byte[] der = java.util.Base64.getMimeDecoder().decode(text.strip());
            return java.security.KeyFactory.getInstance("EC")
                    .generatePublic(new java.security.spec.X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException(file + " is not the public key of a pending TLS key: " + e.getMessage(), e);
        }
    }

    private static void deletePending(SiteTls site, String id) throws IOException {
        Path folder = site.folder.resolve(PENDING);
        Files.deleteIfExists(folder.resolve(id + ".key"));
        Files.deleteIfExists(folder.resolve(id + ".names"));
        Files.deleteIfExists(folder.resolve(id + ".pub"));
    }

    private SiteTls site(String site) throws PeerException {
        SiteTls known = sites.get(site.toLowerCase(Locale.ROOT));
        if (known == null) {
            throw new PeerException(404, "not-enrolled", "site " + site + " is not enrolled on this peer");
        }
        if (known.manual) {
            throw new PeerException(
                    409,
                    "operator-managed",
                    "the certificate of " + known.site + " is managed by the peer's operator "
                            + "(site." + known.site + ".tls-certificate); ask them to renew it, or to remove it so "
                            + "that the peer makes its own key");
        }
        return known;
    }

    private static String chainPem(List<X509Certificate> chain) throws PeerException {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate certificate : chain) {
            try {
                pem.append(TlsKeys.pem("CERTIFICATE", certificate.getEncoded()));
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new PeerException(400, "bad-chain", "a certificate cannot be encoded: " + e.getMessage(), e);
            }
        }
        return pem.toString();
    }

    private static String id(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
