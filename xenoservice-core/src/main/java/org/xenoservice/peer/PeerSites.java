package org.xenoservice.peer;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.BlobKey;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.bundle.BundleException;
import org.xenoservice.bundle.BundleLimits;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestFile;
import org.xenoservice.dynamic.CapturePolicy;
import org.xenoservice.dynamic.DegradePolicy;
import org.xenoservice.dynamic.DynamicSettingException;
import org.xenoservice.dynamic.ProxyPolicy;
import org.xenoservice.protocol.SiteQuota;

/**
 * The sites a peer hosts and the version of each it serves: receives verified bundles into the
 * blob store, keeps each site's manifests on disk, activates and retires versions, and answers the
 * serving port's lookups. State survives a restart: {@link #open} reloads it.
 *
 * <p>On disk, under the state directory: {@code sites/<host>/manifests/<version>.json} (the exact
 * manifest bytes, written after the bundle verified), {@code sites/<host>/active} (the version
 * served) and {@code sites/<host>/floor} (the newest version ever activated: older ones are
 * rollbacks and are refused, also after a retirement or a restart), each written to a temporary
 * file and moved into place.
 *
 * <p><b>Blobs per tenant.</b> Each site's blobs live in its own {@linkplain BlobStore#namespace
 * namespace} of the store, written only by that site's own verified bundles. A store keeps the
 * first copy of a blob it receives, and a gzip blob is named by the digest of what it decodes to,
 * not of its own bytes; in a store shared by tenants, one tenant could stage a valid but bloated
 * gzip of a common file (a long comment) and every other site with that file would then serve
 * those bytes, billed to it. Per-site namespaces are the simplest sound answer: the bytes sent for
 * a site, in every encoding, are bytes its own signed manifest accepted (a strict gzip of exactly
 * the signed identity bytes, of the signed stored size), and a site's disk use is its own. The
 * price is that two tenants with the same file store it twice, which their quotas account anyway.
 *
 * <p><b>Garbage collection.</b> The manifests kept for a site are those not older than the newest
 * version it ever activated. A site's blobs that no kept manifest names are deleted when an upload
 * is refused, when the site is retired and when the peer starts, always under the site's lock, so
 * never while one of its uploads commits. Blobs of the shared layout of earlier releases are
 * moved into their sites' namespaces at start-up (checked against each manifest first) and the
 * rest deleted.
 *
 * <p><b>Quota.</b> What counts toward a site's {@link SiteQuota#maxStoredBytes()}: its blobs (as
 * its kept manifests list them), its uploads while they are spooled, and whatever
 * {@link #countOtherBytesOnDisk} reports for it (capture journals, dead letters, idempotency keys).
 *
 * <p>Activation is one reference swap: a request sees the old version or the new one, never a
 * mix. Control operations on one site are serialised; lookups never wait. Safe for concurrent use.
 */
public final class PeerSites implements SiteLookup {
    private static final Logger LOG = LoggerFactory.getLogger(PeerSites.class);
    /** Room in an upload for the tar headers and the manifest, beyond the blobs the quota counts. */
    private static final long UPLOAD_SLACK_BYTES = 64L << 20;

    /** How long a retired site's requests are forwarded to the origin, unless configured: 1 hour. */
    public static final Duration DEFAULT_RETIRED_FORWARDING = Duration.ofHours(1);

    private final Path stateDirectory;
    private final BlobStore store;
    private volatile Duration retiredForwarding = DEFAULT_RETIRED_FORWARDING;
    private final Map<String, Site> sites = new ConcurrentHashMap<>();
    private volatile ToLongFunction<String> otherBytesOnDisk = site -> 0;

    private PeerSites(Path stateDirectory, BlobStore store) {
        this.stateDirectory = stateDirectory;
        this.store = store;
    }

    /**
     * Opens (creating when needed) a peer's state for the enrolled sites, and reloads their
     * manifests and active versions.
     *
     * @throws IOException if the state cannot be read, or an active version's blobs are missing
     */
    public static PeerSites open(Path stateDirectory, BlobStore store, Collection<Enrollment> enrollments)
            throws IOException {
        PeerSites peer = new PeerSites(stateDirectory.toAbsolutePath().normalize(), store);
        for (Enrollment enrollment : enrollments) {
            Site site = new Site(enrollment, store.namespace(enrollment.site()));
            if (peer.sites.putIfAbsent(enrollment.site(), site) != null) {
                throw new IllegalArgumentException("site " + enrollment.site() + " is enrolled twice");
            }
        }
        for (Site site : peer.sites.values()) {
            peer.load(site);
        }
        long legacy = store.collect(Set.of());
        if (legacy > 0) {
            LOG.info("peer: removed {} bytes of blobs of the shared store layout, now kept per site", legacy);
        }
        return peer;
    }

    /**
     * Changes the enrolled sites to {@code enrollments} while requests are served, as a reload of the
     * peer's configuration asks: a new site's state is read from disk as {@link #open} reads it, a
     * dropped site stops being served (its state stays on disk for a later enrolment), and a site
     * enrolled again keeps its versions under its new key, quota and allowed origins. Everything is
     * checked before anything changes: either all of it applies or none.
     *
     * @throws IOException if a new site's state cannot be read (nothing changed)
     * @throws PeerException if a served version has a route to an origin the site's new enrolment
     *     no longer allows (nothing changed; the message names the route and the setting)
     */
    public void reenroll(Collection<Enrollment> enrollments) throws IOException, PeerException {
        Map<String, Site> added = new HashMap<>();
        Map<String, Enrollment> next = new HashMap<>();
        for (Enrollment enrollment : enrollments) {
            if (next.put(enrollment.site(), enrollment) != null) {
                throw new IllegalArgumentException("site " + enrollment.site() + " is enrolled twice");
            }
            Site known = sites.get(enrollment.site());
            if (known == null) {
                Site site = new Site(enrollment, store.namespace(enrollment.site()));
                load(site);
                added.put(enrollment.site(), site);
            } else {
                ServedSite active = known.active;
                if (active != null) {
                    checkRoutes(enrollment, active.manifest());
                }
            }
        }
        sites.putAll(added);
        for (Map.Entry<String, Enrollment> entry : next.entrySet()) {
            sites.get(entry.getKey()).enrollment = entry.getValue();
        }
        sites.keySet().retainAll(next.keySet());
    }

    /**
     * Counts {@code otherBytes} toward each site's storage quota besides its blobs and uploads: the
     * bytes the peer keeps on disk for the site elsewhere (capture journals, dead letters, kept
     * idempotency keys). Nothing by default. The function is called on control threads and must be
     * safe for concurrent use and cheap.
     */
    public void countOtherBytesOnDisk(ToLongFunction<String> otherBytes) {
        this.otherBytesOnDisk = Objects.requireNonNull(otherBytes, "otherBytes");
    }

    /**
     * The bytes the peer keeps on disk for {@code site}: its blobs' namespace (blobs and uploads
     * being verified), its manifests, its uploads being spooled and its
     * {@linkplain #countOtherBytesOnDisk other bytes}. Walks the site's directory: for status, not
     * for the request path.
     */
    public long diskBytes(String site) throws PeerException, IOException {
        Site known = site(site);
        long manifestBytes = 0;
        synchronized (known) {
            for (Manifest manifest : known.manifests.values()) {
                manifestBytes += manifest.bytes().length;
            }
        }
        return known.store.bytesOnDisk()
                + manifestBytes
                + known.spooling.get()
                + otherBytesOnDisk.applyAsLong(known.enrollment.site());
    }

    /**
     * The bytes an upload for {@code site} may still spool: its quota less its stored blobs, its other
     * bytes on disk and the uploads already spooling, plus {@link #UPLOAD_SLACK_BYTES} for the
     * archive's headers and manifest. At least 1.
     */
    long uploadRoom(String site) throws PeerException {
        Site known = site(site);
        long used;
        synchronized (known) {
            used = storedBytes(known);
        }
        long room = known.enrollment.quota().maxStoredBytes()
                - used
                - otherBytesOnDisk.applyAsLong(known.enrollment.site())
                - known.spooling.get();
        return Math.max(1, room + UPLOAD_SLACK_BYTES);
    }

    /** Counts {@code bytes} (negative: released) of an upload being spooled for {@code site}. */
    void spooling(String site, long bytes) {
        Site known = sites.get(site.toLowerCase(Locale.ROOT));
        if (known != null) {
            known.spooling.addAndGet(bytes);
        }
    }

    @Override
    public Optional<ServedSite> find(String host) {
        Site site = sites.get(host.toLowerCase(Locale.ROOT));
        return site == null ? Optional.empty() : Optional.ofNullable(site.active);
    }

    /**
     * The active version of {@code host}, or after retirement the one that served last (after a
     * restart: the newest version held), so that requests captured while it served are still
     * delivered to the intake its routes name.
     */
    @Override
    public Optional<ServedSite> lastServed(String host) {
        Site site = sites.get(host.toLowerCase(Locale.ROOT));
        if (site == null) {
            return Optional.empty();
        }
        synchronized (site) {
            if (site.active != null) {
                return Optional.of(site.active);
            }
            if (site.lastServed == null && !site.manifests.isEmpty()) {
                try {
                    site.lastServed = ServedSite.of(site.manifests.lastEntry().getValue(), site.store);
                } catch (IllegalArgumentException e) {
                    return Optional.empty();
                }
            }
            return Optional.ofNullable(site.lastServed);
        }
    }

    /**
     * The version that served {@code host} last, for {@link #forwardRetiredFor the grace period}
     * after its retirement; not after a restart, which forgets when a site was retired.
     */
    @Override
    public Optional<ServedSite> forwarding(String host) {
        Site site = sites.get(host.toLowerCase(Locale.ROOT));
        if (site == null || site.active != null) {
            return Optional.empty();
        }
        Instant retired = site.retiredAt;
        if (retired == null || !Instant.now().isBefore(retired.plus(retiredForwarding))) {
            return Optional.empty();
        }
        return lastServed(host);
    }

    /**
     * How long a retired site's requests are forwarded to the origin before they get 421 (default
     * {@link #DEFAULT_RETIRED_FORWARDING}; zero: never forwarded).
     */
    public void forwardRetiredFor(Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException(
                    "the time a retired site is forwarded must be 0 (never) or more, was " + grace);
        }
        this.retiredForwarding = grace;
    }

    /** The enrolment of {@code site}, if it is enrolled. */
    public Optional<Enrollment> enrollment(String site) {
        Site known = sites.get(site.toLowerCase(Locale.ROOT));
        return known == null ? Optional.empty() : Optional.of(known.enrollment);
    }

    /** The enrolled sites' host names. */
    public Set<String> enrolledSites() {
        return Set.copyOf(sites.keySet());
    }

    /**
     * The digests among {@code digests} that the peer does not hold for {@code site}: a pusher sends
     * only those. Blobs other sites pushed do not count, so a site learns nothing about another's
     * content.
     */
    public Set<String> missing(String site, Collection<String> digests) throws PeerException {
        Site known = site(site);
        synchronized (known) {
            Set<String> held = new HashSet<>();
            for (BlobKey key : known.blobs()) {
                if (known.store.contains(key)) {
                    held.add(key.sha256());
                }
            }
            Set<String> missing = new LinkedHashSet<>(digests);
            missing.removeAll(held);
            return missing;
        }
    }

    /**
     * Reads a (possibly thin) bundle for {@code site}: verified against the site's pinned key, newer
     * than every version held, within the site's storage quota; its blobs go to the store and its
     * manifest is staged (not yet served). A delta bundle is accepted on any version held (staged or
     * served); on another base it is refused with reason {@code bundle-base}, naming the base it
     * lacks and the versions held.
     *
     * @throws PeerException 409 for a version not newer than one held, 413 over the quota, 400 for
     *     any other broken rule (the reason names the rule, e.g. {@code bundle-signature})
     */
    public Manifest receive(String site, InputStream bundle) throws PeerException, IOException {
        Site known = site(site);
        synchronized (known) {
            long quota = known.enrollment.quota().maxStoredBytes();
            long other = otherBytesOnDisk.applyAsLong(known.enrollment.site());
            long room = quota - storedBytes(known) - other;
            BundleReader.Builder reader = BundleReader.builder(known.enrollment.key())
                    .site(known.enrollment.site())
                    .heldBlobs(known.blobs())
                    .heldManifests(known.manifests.values())
                    .limits(BundleLimits.DEFAULTS.withMaxBundleBytes(Math.max(1, room) + UPLOAD_SLACK_BYTES))
                    .servedVersion(Math.max(known.floor, known.manifests.isEmpty() ? 0 : known.manifests.lastKey()));
            Manifest manifest;
            try {
                manifest = reader.build().read(bundle, known.store);
            } catch (BundleException e) {
                throw refusal(known, e);
            }
            known.manifests.put(manifest.version(), manifest);
            long after = storedBytes(known);
            try {
                if (after + other > quota) {
                    throw new PeerException(
                            413,
                            "quota",
                            "site " + known.enrollment.site() + " would store " + after + " bytes of blobs"
                                    + (other > 0 ? " and keeps " + other + " bytes of captured requests" : "")
                                    + ", over its quota of " + quota + "; retire old versions or "
                                    + "ask the peer's operator for more");
                }
                writeAtomically(manifestFile(known, manifest.version()), manifest.bytes());
            } catch (PeerException | IOException | RuntimeException e) {
                known.manifests.remove(manifest.version());
                collect(known);
                throw e;
            }
            known.storedBytes = after;
            LOG.info(
                    "peer: staged {} v{} ({} files, {} bytes stored for the site)",
                    manifest.site(),
                    manifest.version(),
                    manifest.files().size(),
                    after);
            return manifest;
        }
    }

    /**
     * Starts serving {@code version} of {@code site}, atomically.
     *
     * @throws PeerException 404 if that version was not received, 409 if it is not newer than the
     *     version served or older than the newest version ever activated (no rollbacks, also not
     *     by a retirement in between)
     */
    public ServedSite activate(String site, long version) throws PeerException, IOException {
        Site known = site(site);
        synchronized (known) {
            ServedSite current = known.active;
            if (version < known.floor || (current != null && version <= current.version())) {
                long newest = Math.max(known.floor, current == null ? 0 : current.version());
                throw new PeerException(
                        409,
                        "rollback",
                        "version " + version + " is not newer than version " + newest
                                + (current != null
                                        ? " being served"
                                        : ", the newest this peer ever served for " + known.enrollment.site())
                                + "; rollbacks are refused, push a newer version");
            }
            Manifest manifest = known.manifests.get(version);
            if (manifest == null) {
                throw new PeerException(
                        404,
                        "not-staged",
                        "version " + version + " of " + known.enrollment.site()
                                + " was not received; push its bundle first (held: " + known.manifests.keySet() + ")");
            }
            checkRoutes(known.enrollment, manifest);
            ServedSite next;
            try {
                next = ServedSite.of(manifest, known.store);
            } catch (IllegalArgumentException e) {
                throw new PeerException(409, "blobs-missing", e.getMessage(), e);
            }
            if (version > known.floor) {
                // the floor first: a crash between the two writes must not allow a rollback
                writeAtomically(floorFile(known), Long.toString(version).getBytes(StandardCharsets.US_ASCII));
                known.floor = version;
            }
            writeAtomically(activeFile(known), Long.toString(version).getBytes(StandardCharsets.US_ASCII));
            known.active = next;
            known.lastServed = next;
            known.retiredAt = null;
            LOG.info("peer: serving {} v{}", known.enrollment.site(), version);
            return next;
        }
    }

    /**
     * Stops serving {@code site}. The newest version activated and the versions staged after it
     * stay, so that a newer one can be activated (or that one again); older versions could only be
     * rollbacks, so their manifests are dropped and their blobs deleted.
     */
    public void retire(String site) throws PeerException, IOException {
        Site known = site(site);
        synchronized (known) {
            Files.deleteIfExists(activeFile(known));
            if (known.active != null) {
                known.retiredAt = Instant.now();
            }
            known.active = null;
            long freed = prune(known);
            LOG.info("peer: retired {} ({} bytes of blobs freed)", known.enrollment.site(), freed);
        }
    }

    /**
     * The bytes of {@code site}'s blobs in the store (0 for a site not enrolled): what its captures'
     * storage quota check adds their own bytes to. Lock-free: it never waits for an upload.
     */
    public long storedBytes(String site) {
        Site known = sites.get(site.toLowerCase(Locale.ROOT));
        return known == null ? 0 : known.storedBytes;
    }

    /**
     * What the peer holds and serves for one site: the part of its {@code status} that the site
     * store knows (the accounting adds what was served).
     *
     * @param site the host name
     * @param activeVersion the version served, empty when none is
     * @param activeManifestSha256 the SHA-256 of the active manifest, empty when none is served
     * @param versions the versions the peer holds (staged or active), ascending
     * @param storedBytes the bytes of the site's blobs in the store
     * @param quota the site's quota
     */
    record Holdings(
            String site,
            OptionalLong activeVersion,
            Optional<String> activeManifestSha256,
            List<Long> versions,
            long storedBytes,
            SiteQuota quota) {
        Holdings {
            versions = List.copyOf(versions);
        }
    }

    /** What the peer holds and serves for {@code site}. */
    Holdings holdings(String site) throws PeerException {
        Site known = site(site);
        synchronized (known) {
            ServedSite active = known.active;
            return new Holdings(
                    known.enrollment.site(),
                    active == null ? OptionalLong.empty() : OptionalLong.of(active.version()),
                    active == null
                            ? Optional.empty()
                            : Optional.of(active.manifest().sha256()),
                    new ArrayList<>(known.manifests.keySet()),
                    storedBytes(known),
                    known.enrollment.quota());
        }
    }

    /**
     * Refuses a version whose {@code proxy} or {@code capture} routes would send requests anywhere
     * but the origins the operator allowed for the site, or whose route settings are invalid.
     */
    private static void checkRoutes(Enrollment enrollment, Manifest manifest) throws PeerException {
        for (DynamicRoute route : manifest.dynamic()) {
            URI target;
            try {
                target = switch (route.policy()) {
                    case PROXY -> ProxyPolicy.of(route).origin();
                    case CAPTURE -> CapturePolicy.of(route).intake();
                    case DEGRADE -> {
                        DegradePolicy.of(route);
                        yield null;
                    }
                };
            } catch (DynamicSettingException e) {
                throw new PeerException(
                        409,
                        "dynamic-settings",
                        "route " + route.prefix() + " of " + manifest.site() + " v" + manifest.version() + ": "
                                + e.getMessage(),
                        e);
            }
            if (target != null && !enrollment.allows(target)) {
                throw new PeerException(
                        403,
                        "origin-not-allowed",
                        "route " + route.prefix() + " would send requests to "
                                + target + ", which this peer's operator has not allowed for " + manifest.site()
                                + "; ask them to add its "
                                + "origin to site." + manifest.site() + ".allowed-origins");
            }
        }
    }

    private Site site(String site) throws PeerException {
        Site known = sites.get(site.toLowerCase(Locale.ROOT));
        if (known == null) {
            throw new PeerException(404, "not-enrolled", "site " + site + " is not enrolled on this peer");
        }
        return known;
    }

    private long storedBytes(Site site) {
        long bytes = 0;
        Set<BlobKey> counted = new HashSet<>();
        for (Manifest manifest : site.manifests.values()) {
            for (ManifestFile file : manifest.files()) {
                if (counted.add(file.blob())) {
                    bytes += file.storedSize();
                }
            }
        }
        return bytes;
    }

    private static PeerException refusal(Site site, BundleException e) {
        return switch (e.rule()) {
            case VERSION ->
                new PeerException(
                        409,
                        "version",
                        e.getMessage() + " (" + site.enrollment.site() + " holds versions " + site.manifests.keySet()
                                + ")",
                        e);
            case LIMIT -> new PeerException(413, "too-large", e.getMessage(), e);
            default -> new PeerException(400, "bundle-" + e.rule().id(), e.getMessage(), e);
        };
    }

    private void load(Site site) throws IOException {
        Path manifests = siteDirectory(site).resolve("manifests");
        if (Files.isDirectory(manifests)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(manifests, "*.json")) {
                for (Path file : files) {
                    Manifest manifest = Manifest.parseStored(Files.readAllBytes(file));
                    if (!manifest.site().equals(site.enrollment.site())) {
                        throw new IOException(
                                file + " holds a manifest of " + manifest.site() + ", not " + site.enrollment.site());
                    }
                    site.manifests.put(manifest.version(), manifest);
                }
            }
        }
        Path active = activeFile(site);
        OptionalLong activeVersion = Files.exists(active)
                ? OptionalLong.of(Long.parseLong(Files.readString(active).strip()))
                : OptionalLong.empty();
        Path floor = floorFile(site);
        // a peer of an earlier release kept no floor: the active version is the best known one
        site.floor = Math.max(
                Files.exists(floor) ? Long.parseLong(Files.readString(floor).strip()) : 0, activeVersion.orElse(0));
        prune(site);
        LegacyBlobs.moveIntoNamespace(store, site.store, site.manifests.values());
        if (activeVersion.isPresent()) {
            long version = activeVersion.getAsLong();
            Manifest manifest = site.manifests.get(version);
            if (manifest == null) {
                throw new IOException(
                        active + " names version " + version + " but its manifest is not in " + manifests);
            }
            try {
                site.active = ServedSite.of(manifest, site.store);
            } catch (IllegalArgumentException e) {
                throw new IOException(
                        "cannot serve " + site.enrollment.site() + " v" + version + " after a restart: "
                                + e.getMessage(),
                        e);
            }
            LOG.info("peer: serving {} v{} (reloaded)", site.enrollment.site(), version);
        }
        long freed = collect(site);
        if (freed > 0) {
            LOG.info("peer: removed {} bytes of blobs no manifest of {} names", freed, site.enrollment.site());
        }
    }

    /**
     * Drops the manifests older than the newest version ever activated (they could only be
     * rollbacks) and deletes the blobs no kept manifest names. Called with the site's lock held.
     *
     * @return the bytes of blobs freed
     */
    private long prune(Site site) throws IOException {
        while (!site.manifests.isEmpty() && site.manifests.firstKey() < site.floor) {
            long version = site.manifests.pollFirstEntry().getKey();
            Files.deleteIfExists(manifestFile(site, version));
        }
        site.storedBytes = storedBytes(site);
        return collect(site);
    }

    /** Deletes the site's blobs that no kept manifest names; called with the site's lock held. */
    private static long collect(Site site) throws IOException {
        return site.store.collect(site.blobs());
    }

    private Path floorFile(Site site) {
        return siteDirectory(site).resolve("floor");
    }

    private Path siteDirectory(Site site) {
        return stateDirectory.resolve("sites").resolve(site.enrollment.site());
    }

    private Path manifestFile(Site site, long version) {
        return siteDirectory(site).resolve("manifests").resolve(version + ".json");
    }

    private Path activeFile(Site site) {
        return siteDirectory(site).resolve("active");
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".part");
        try {
            Files.write(temporary, bytes);
            try (var channel = java.nio.channels.FileChannel.open(temporary, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (var directory =
                    java.nio.channels.FileChannel.open(file.getParent(), java.nio.file.StandardOpenOption.READ)) {
                directory.force(true); // the rename itself, durable
            } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException e) {
                // a platform that cannot open directories (Windows) orders renames itself
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * One enrolled site: its blobs' namespace, its manifests by version, the version served and the
     * newest ever served. Guarded by its own monitor, except {@code active} (read by requests) and
     * {@code spooling} (counted by uploads before they take the lock).
     */
    private static final class Site {
        /** Replaced by {@link PeerSites#reenroll}; read without the lock. */
        volatile Enrollment enrollment;

        final BlobStore store;
        final TreeMap<Long, Manifest> manifests = new TreeMap<>();
        final AtomicLong spooling = new AtomicLong();
        volatile ServedSite active;
        ServedSite lastServed;
        /** When the site was last retired while it served; null before, or after a restart. */
        volatile Instant retiredAt;

        long floor;
        /** {@link PeerSites#storedBytes(Site)} as of the last change of the manifests, for lock-free reads. */
        volatile long storedBytes;

        Site(Enrollment enrollment, BlobStore store) {
            this.enrollment = enrollment;
            this.store = store;
        }

        Set<BlobKey> blobs() {
            Set<BlobKey> blobs = new HashSet<>();
            for (Manifest manifest : manifests.values()) {
                blobs.addAll(manifest.blobs());
            }
            return blobs;
        }
    }
}
