package org.xenoservice.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.BundleException.Rule;
import org.xenoservice.key.SiteKeys;

/**
 * Verifies an untrusted bundle as it streams, and stores its blobs only if every rule of the
 * format holds: the signature verifies against the site's pinned key; entries are
 * {@code manifest.json}, {@code manifest.sig}, then {@code blobs/<sha256>}, each a regular file,
 * none twice; every blob hashes to its name, has the manifest's sizes and is referenced; every
 * file's blob is in the bundle or the base; the version is newer than the one served; and the
 * {@link BundleLimits} hold. The first broken rule rejects the whole bundle with a
 * {@link BundleException} naming it, and nothing of it is kept.
 *
 * <pre>{@code
 * BundleReader reader = BundleReader.builder(SiteKeys.readPublicKey(Path.of("site.pub")))
 *     .site("books.example")
 *     .servedVersion(41)
 *     .build();
 * try (InputStream in = Files.newInputStream(Path.of("books-42.xsb"))) {
 *   Manifest manifest = reader.read(in, BlobStore.open(Path.of("store")));
 * }
 * }</pre>
 *
 * <p>A reader is immutable and safe for concurrent use.
 */
public final class BundleReader {
    private static final Logger LOG = LoggerFactory.getLogger(BundleReader.class);

    private final PublicKey siteKey;
    private final Optional<String> site;
    private final BundleLimits limits;
    private final List<Manifest> heldManifests;
    private final OptionalLong servedVersion;
    private final Set<BlobKey> heldBlobs;

    private BundleReader(Builder builder) {
        this.siteKey = builder.siteKey;
        this.site = builder.site;
        this.limits = builder.limits;
        this.heldManifests = builder.heldManifests;
        this.servedVersion = builder.servedVersion;
        this.heldBlobs = builder.heldBlobs;
    }

    private BundleReader(BundleReader settings, List<Manifest> heldManifests) {
        this.siteKey = settings.siteKey;
        this.site = settings.site;
        this.limits = settings.limits;
        this.heldManifests = heldManifests;
        this.servedVersion = settings.servedVersion;
        this.heldBlobs = settings.heldBlobs;
    }

    /** This reader with {@code base} as the manifest whose blobs the caller holds (see {@link Builder#base}). */
    public BundleReader withBase(Manifest base) {
        return new BundleReader(this, List.of(Objects.requireNonNull(base, "base")));
    }

    /** Starts a reader that trusts only bundles signed by {@code siteKey}'s private key. */
    public static Builder builder(PublicKey siteKey) {
        return new Builder(siteKey);
    }

    /** Configures a {@link BundleReader}. */
    public static final class Builder {
        private final PublicKey siteKey;
        private Optional<String> site = Optional.empty();
        private BundleLimits limits = BundleLimits.DEFAULTS;
        private List<Manifest> heldManifests = List.of();
        private OptionalLong servedVersion = OptionalLong.empty();
        private Set<BlobKey> heldBlobs = Set.of();

        private Builder(PublicKey siteKey) {
            this.siteKey = Objects.requireNonNull(siteKey, "siteKey");
            if (!SiteKeys.ALGORITHM.equals(siteKey.getAlgorithm()) && !"EdDSA".equals(siteKey.getAlgorithm())) {
                throw new IllegalArgumentException(
                        "siteKey must be an Ed25519 public key, but is " + siteKey.getAlgorithm());
            }
        }

        /** Accept only bundles for this host name (any site by default). */
        public Builder site(String site) {
            this.site = Optional.of(Objects.requireNonNull(site, "site"));
            return this;
        }

        /** The limits to enforce; {@link BundleLimits#DEFAULTS} by default. */
        public Builder limits(BundleLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * The manifest whose blobs the caller already holds, for delta bundles. A delta must name
         * exactly this manifest as its base; a full bundle ignores it. Same as
         * {@code heldManifests(List.of(base))}.
         */
        public Builder base(Manifest base) {
            return heldManifests(List.of(Objects.requireNonNull(base, "base")));
        }

        /**
         * The manifests whose blobs the caller already holds (a peer's staged and served versions of
         * the site): a delta bundle is accepted when it names one of them as its base, and refused
         * with {@link Rule#BASE} otherwise (the exception's {@link BundleException#missingBase()} names
         * the base it lacks). A full bundle ignores them. None by default.
         */
        public Builder heldManifests(Collection<Manifest> manifests) {
            this.heldManifests = List.copyOf(manifests);
            return this;
        }

        /** Accept only versions greater than this one (the version being served). */
        public Builder servedVersion(long version) {
            this.servedVersion = OptionalLong.of(version);
            return this;
        }

        /**
         * Blobs the caller already holds for this site (a peer's blobs from the site's earlier pushes):
         * a bundle may leave them out whatever its base, so that a pusher sends only what the peer
         * lacks. They must also be in the store {@link BundleReader#read} fills; the signed manifest
         * still names every file's digest, so nothing unsigned gets served.
         */
        public Builder heldBlobs(Set<BlobKey> blobs) {
            this.heldBlobs = Set.copyOf(blobs);
            return this;
        }

        /** Builds the reader. */
        public BundleReader build() {
            return new BundleReader(this);
        }
    }

    /**
     * Verifies a bundle and, only if it is valid, moves its blobs into {@code store}.
     *
     * @return the verified manifest
     * @throws BundleException if the bundle breaks a rule; nothing is stored
     * @throws IOException if reading the stream or writing the store fails; nothing is stored
     */
    public Manifest read(InputStream bundle, BlobStore store) throws IOException {
        try (BlobStore.Staging staging = store.stage()) {
            Manifest manifest = process(bundle, Optional.of(store), Optional.of(staging));
            staging.commit();
            LOG.debug("stored {}", manifest);
            return manifest;
        }
    }

    /**
     * Verifies a bundle without storing anything.
     *
     * @return the verified manifest
     * @throws BundleException if the bundle breaks a rule
     */
    public Manifest verify(InputStream bundle) throws IOException {
        return process(bundle, Optional.empty(), Optional.empty());
    }

    /**
     * Reads a bundle's manifest <em>without verifying its signature or blobs</em>, for tools that
     * only look (diff, building a delta on one's own previous bundle). Never serve from it.
     *
     * @throws BundleException if the bundle does not start with a well-formed manifest
     */
    public static Manifest peekManifest(InputStream bundle) throws IOException {
        return new BundleSession(BundleLimits.DEFAULTS, bundle).readManifestEntry();
    }

    private Manifest process(InputStream bundle, Optional<BlobStore> store, Optional<BlobStore.Staging> staging)
            throws IOException {
        BundleSession session = new BundleSession(limits, bundle);
        Manifest manifest = session.readSignedManifest(siteKey);
        checkManifest(manifest);
        Map<String, ManifestFile> expected = new HashMap<>();
        for (ManifestFile file : manifest.files()) {
            expected.putIfAbsent(file.sha256(), file);
        }
        Set<String> received = session.readBlobs(expected, staging);
        // once, not per file: Manifest.blobs() builds a new set on every call
        Optional<Manifest> base = baseOf(manifest);
        Set<BlobKey> baseBlobs = base.isPresent() ? new HashSet<>(base.get().blobs()) : Set.of();
        for (ManifestFile file : manifest.files()) {
            if (received.contains(file.sha256())) {
                continue;
            }
            boolean held = baseBlobs.contains(file.blob()) || heldBlobs.contains(file.blob());
            if (!held) {
                throw new BundleException(
                        Rule.MISSING_BLOB,
                        "blob " + file.sha256() + " of \""
                                + ManifestCodec.printable(file.path()) + "\" is neither in the bundle nor in the base"
                                + (manifest.base().isPresent() ? "" : " (a full bundle must carry every blob)"));
            }
            if (store.isPresent() && !store.get().contains(file.blob())) {
                throw new BundleException(
                        Rule.MISSING_BLOB,
                        "blob " + file.sha256() + " of \""
                                + ManifestCodec.printable(file.path())
                                + "\" is in the base manifest but not in the store "
                                + store.get().root() + "; push a full bundle");
            }
        }
        return manifest;
    }

    private void checkManifest(Manifest manifest) throws BundleException {
        if (site.isPresent() && !site.get().equalsIgnoreCase(manifest.site())) {
            throw new BundleException(Rule.SITE, "bundle is for site " + manifest.site() + ", expected " + site.get());
        }
        if (servedVersion.isPresent() && manifest.version() <= servedVersion.getAsLong()) {
            throw new BundleException(
                    Rule.VERSION,
                    "bundle version " + manifest.version()
                            + " is not newer than version " + servedVersion.getAsLong()
                            + " already served; build it with a higher version");
        }
        if (manifest.base().isPresent() && baseOf(manifest).isEmpty()) {
            String wanted = manifest.base().get();
            String held = heldManifests.isEmpty()
                    ? "no base manifest is held"
                    : "the base manifests held are "
                            + String.join(
                                    ", ",
                                    heldManifests.stream()
                                            .map(m -> "v" + m.version() + " (" + m.sha256() + ")")
                                            .toList());
            throw BundleException.missingBase(
                    wanted,
                    "this is a delta bundle on base manifest " + wanted + ", but " + held + "; use the full bundle of v"
                            + manifest.version() + ", or a delta built on a held version");
        }
        if (manifest.files().size() > limits.maxEntries()) {
            throw new BundleException(
                    Rule.LIMIT,
                    "manifest lists " + manifest.files().size() + " files, more than the limit of "
                            + limits.maxEntries());
        }
        for (ManifestFile file : manifest.files()) {
            if (file.size() > limits.maxBlobBytes()) {
                throw new BundleException(
                        Rule.LIMIT,
                        "\"" + ManifestCodec.printable(file.path()) + "\" is " + file.size()
                                + " bytes, more than the per-file limit of " + limits.maxBlobBytes());
            }
            if (file.encoding() == Encoding.GZIP
                    && file.size() > Math.max(1, file.storedSize()) * limits.maxGzipRatio()) {
                throw new BundleException(
                        Rule.LIMIT,
                        "\"" + ManifestCodec.printable(file.path())
                                + "\" would expand from " + file.storedSize() + " to " + file.size()
                                + " bytes, beyond the gzip ratio limit of " + limits.maxGzipRatio());
            }
        }
    }

    /** The held manifest a delta is built on; empty for a full bundle or a base not held. */
    private Optional<Manifest> baseOf(Manifest manifest) {
        if (manifest.base().isEmpty()) {
            return Optional.empty();
        }
        String wanted = manifest.base().get();
        return heldManifests.stream()
                .filter(held -> held.sha256().equals(wanted))
                .findFirst();
    }
}
