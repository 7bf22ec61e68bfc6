package org.xenoservice.bundle;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
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
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
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
    private static final int BUFFER_BYTES = 64 * 1024;
    /** An outer gzip may expand more than the ratio by this much, for tar padding and headers. */
    private static final long OUTER_GZIP_SLACK_BYTES = 1L << 20;

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
        return new Session(BundleLimits.DEFAULTS, bundle).readManifestEntry();
    }

    private Manifest process(InputStream bundle, Optional<BlobStore> store, Optional<BlobStore.Staging> staging)
            throws IOException {
        Session session = new Session(limits, bundle);
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

    /** One pass over one bundle stream. */
    private static final class Session {
        private final BundleLimits limits;
        private final LimitedInputStream tarBytes;
        private final TarArchiveInputStream tar;
        private final Set<String> names = new HashSet<>();
        private int entries;
        private String lastEntry = "(start)";

        Session(BundleLimits limits, InputStream raw) throws IOException {
            this.limits = limits;
            CountingInputStream compressed = new CountingInputStream(raw);
            BufferedInputStream buffered = new BufferedInputStream(compressed, BUFFER_BYTES);
            buffered.mark(2);
            int first = buffered.read();
            int second = buffered.read();
            buffered.reset();
            if (first < 0) {
                throw new BundleException(Rule.NOT_A_BUNDLE, "the bundle is empty (0 bytes)");
            }
            LimitedInputStream tarBytes;
            if (first == 0x1f && second == 0x8b) {
                InputStream gunzip;
                try {
                    gunzip = new GzipCompressorInputStream(buffered, true);
                } catch (IOException e) {
                    throw new BundleException(Rule.NOT_A_BUNDLE, "starts like gzip but is not: " + e.getMessage(), e);
                }
                tarBytes = new LimitedInputStream(gunzip, limits, compressed);
            } else {
                tarBytes = new LimitedInputStream(buffered, limits, null);
            }
            this.tarBytes = tarBytes;
            this.tar = new TarArchiveInputStream(tarBytes, "UTF-8");
        }

        Manifest readSignedManifest(PublicKey key) throws IOException {
            byte[] manifestBytes = readManifestBytes();
            TarArchiveEntry sigEntry = nextEntry();
            if (sigEntry == null) {
                throw new BundleException(Rule.SIGNATURE, "the bundle has no manifest.sig after manifest.json");
            }
            checkEntry(sigEntry);
            if (!sigEntry.getName().equals(BundleFormat.SIGNATURE)) {
                throw sigEntry.getName().equals(BundleFormat.MANIFEST)
                        ? new BundleException(Rule.DUPLICATE_ENTRY, "manifest.json appears twice")
                        : new BundleException(
                                Rule.ENTRY_ORDER,
                                "the second entry must be manifest.sig, found "
                                        + ManifestCodec.printable(sigEntry.getName()));
            }
            if (sigEntry.getSize() != SiteKeys.SIGNATURE_BYTES) {
                throw new BundleException(
                        Rule.SIGNATURE,
                        "manifest.sig must be " + SiteKeys.SIGNATURE_BYTES + " bytes (a raw Ed25519 signature), is "
                                + sigEntry.getSize());
            }
            byte[] signature = readEntry(SiteKeys.SIGNATURE_BYTES);
            if (!SiteKeys.verify(key, manifestBytes, signature)) {
                throw new BundleException(
                        Rule.SIGNATURE,
                        "manifest.sig does not verify against the site's "
                                + "pinned public key: the bundle was altered or signed with another key");
            }
            return ManifestCodec.parse(manifestBytes);
        }

        Manifest readManifestEntry() throws IOException {
            return ManifestCodec.parse(readManifestBytes());
        }

        private byte[] readManifestBytes() throws IOException {
            TarArchiveEntry entry = nextEntry();
            if (entry == null) {
                throw new BundleException(Rule.NOT_A_BUNDLE, "the archive has no entries");
            }
            checkEntry(entry);
            if (!entry.getName().equals(BundleFormat.MANIFEST)) {
                throw new BundleException(
                        Rule.ENTRY_ORDER,
                        "the first entry must be manifest.json, found " + ManifestCodec.printable(entry.getName()));
            }
            // the manifest is read into one array, whatever limit was configured
            long maxManifestBytes = Math.min(limits.maxManifestBytes(), Integer.MAX_VALUE - 8);
            if (entry.getSize() > maxManifestBytes) {
                throw new BundleException(
                        Rule.LIMIT,
                        "manifest.json is " + entry.getSize() + " bytes, more than the limit of " + maxManifestBytes);
            }
            return readEntry((int) entry.getSize());
        }

        /** Reads, verifies and stages every blob entry; returns the digests received. */
        Set<String> readBlobs(Map<String, ManifestFile> expected, Optional<BlobStore.Staging> staging)
                throws IOException {
            Set<String> received = new HashSet<>();
            byte[] buffer = new byte[BUFFER_BYTES];
            for (TarArchiveEntry entry = nextEntry(); entry != null; entry = nextEntry()) {
                checkEntry(entry);
                String name = entry.getName();
                if (name.equals(BundleFormat.MANIFEST) || name.equals(BundleFormat.SIGNATURE)) {
                    throw new BundleException(Rule.DUPLICATE_ENTRY, name + " appears twice");
                }
                String digest = BundleFormat.blobDigest(name).orElseThrow();
                ManifestFile file = expected.get(digest);
                if (file == null) {
                    throw new BundleException(
                            Rule.UNREFERENCED_BLOB,
                            "entry " + name
                                    + " is not referenced by any manifest file; a bundle carries only blobs its files use");
                }
                if (entry.getSize() != file.storedSize()) {
                    throw new BundleException(
                            Rule.BLOB_SIZE,
                            "entry " + name + " is " + entry.getSize()
                                    + " bytes but the manifest says " + file.storedSize() + " for \""
                                    + ManifestCodec.printable(file.path()) + "\"");
                }
                readBlob(entry, file, staging, buffer);
                received.add(digest);
            }
            return received;
        }

        private void readBlob(
                TarArchiveEntry entry, ManifestFile file, Optional<BlobStore.Staging> staging, byte[] buffer)
                throws IOException {
            BlobStore.StagedBlob staged = staging.isPresent() ? staging.get().newBlob() : null;
            OutputStream sink = staged != null ? staged : OutputStream.nullOutputStream();
            MessageDigest sha256 = Digests.sha256();
            long identity = 0;
            try (sink) {
                TeeInputStream stored = new TeeInputStream(tar, sink, entry.getName());
                InputStream decoded = file.encoding() == Encoding.GZIP ? strictGzip(stored, entry) : stored;
                try {
                    for (int n; (n = decoded.read(buffer)) > 0; ) {
                        identity += n;
                        if (identity > file.size()) {
                            throw new BundleException(
                                    Rule.BLOB_SIZE,
                                    "entry " + entry.getName() + " decodes to more than the " + file.size()
                                            + " bytes the manifest says");
                        }
                        sha256.update(buffer, 0, n);
                    }
                } catch (ZipException | EOFException e) {
                    throw new BundleException(
                            Rule.BLOB_ENCODING,
                            "entry " + entry.getName() + " is not one well-formed gzip member: " + e.getMessage(),
                            e);
                }
                if (stored.count != file.storedSize()) {
                    throw new BundleException(
                            Rule.BLOB_SIZE,
                            "entry " + entry.getName() + " has " + stored.count + " stored bytes, the manifest says "
                                    + file.storedSize());
                }
            }
            if (identity != file.size()) {
                throw new BundleException(
                        Rule.BLOB_SIZE,
                        "entry " + entry.getName() + " decodes to " + identity + " bytes, the manifest says "
                                + file.size());
            }
            String actual = Digests.hex(sha256.digest());
            if (!actual.equals(file.sha256())) {
                throw new BundleException(
                        Rule.BLOB_DIGEST,
                        "entry " + entry.getName() + " does not hash to its name (its content hashes to " + actual
                                + ")");
            }
            if (staged != null) {
                staging.get().accept(staged, file.blob());
            }
        }

        private InputStream strictGzip(InputStream stored, TarArchiveEntry entry) throws IOException {
            try {
                return new StrictGzipInputStream(stored);
            } catch (ZipException | EOFException e) {
                throw new BundleException(
                        Rule.BLOB_ENCODING,
                        "entry " + entry.getName() + " should be gzip but is not: " + e.getMessage(),
                        e);
            }
        }

        private TarArchiveEntry nextEntry() throws IOException {
            TarArchiveEntry entry;
            try {
                entry = tar.getNextEntry();
            } catch (BundleException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                BundleException limit = findBundleException(e);
                if (limit != null) {
                    throw limit;
                }
                if (entries == 0) {
                    throw new BundleException(Rule.NOT_A_BUNDLE, "not a tar archive: " + e.getMessage(), e);
                }
                // Commons Compress reports a cut in an entry's padding as a plain IOException
                boolean truncated = e instanceof EOFException || tarBytes.exhausted;
                throw new BundleException(
                        truncated ? Rule.TRUNCATED : Rule.NOT_A_BUNDLE,
                        "the archive is corrupt or cut short after entry " + ManifestCodec.printable(lastEntry) + ": "
                                + e.getMessage(),
                        e);
            }
            if (entry != null) {
                entries++;
                lastEntry = entry.getName();
                if (entries > limits.maxEntries()) {
                    throw new BundleException(
                            Rule.LIMIT, "the archive has more than " + limits.maxEntries() + " entries");
                }
            }
            return entry;
        }

        /** Checks an entry's name is one of the three forms, its type regular, and it is new. */
        private void checkEntry(TarArchiveEntry entry) throws BundleException {
            String name = entry.getName();
            boolean known = name.equals(BundleFormat.MANIFEST)
                    || name.equals(BundleFormat.SIGNATURE)
                    || BundleFormat.blobDigest(name).isPresent();
            if (!known) {
                throw new BundleException(
                        Rule.ENTRY_NAME,
                        "entry \"" + ManifestCodec.printable(name)
                                + "\" is not manifest.json, manifest.sig or blobs/<sha256>");
            }
            byte type = entry.getLinkFlag();
            if ((type != TarConstants.LF_NORMAL && type != TarConstants.LF_OLDNORM)
                    || entry.isSparse()
                    || !entry.getLinkName().isEmpty()) {
                throw new BundleException(
                        Rule.ENTRY_TYPE,
                        "entry " + ManifestCodec.printable(name) + " is not a regular file (" + describeType(entry)
                                + ")");
            }
            if (!names.add(name)) {
                throw new BundleException(Rule.DUPLICATE_ENTRY, "entry " + name + " appears twice");
            }
        }

        /**
         * Reads an entry of {@code size} bytes. The array grows with the bytes that actually arrive,
         * so a header that claims a large size costs memory only when the data is there too.
         */
        private byte[] readEntry(int size) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.min(size, BUFFER_BYTES));
            byte[] buffer = new byte[Math.min(size, BUFFER_BYTES)];
            int read = 0;
            try {
                while (read < size) {
                    int n = tar.read(buffer, 0, Math.min(buffer.length, size - read));
                    if (n < 0) {
                        break;
                    }
                    bytes.write(buffer, 0, n);
                    read += n;
                }
            } catch (BundleException e) {
                throw e;
            } catch (IOException e) {
                throw new BundleException(Rule.TRUNCATED, "entry " + lastEntry + " is cut short: " + e.getMessage(), e);
            }
            if (read < size) {
                throw new BundleException(Rule.TRUNCATED, "entry " + lastEntry + " is cut short");
            }
            return bytes.toByteArray();
        }

        private static String describeType(TarArchiveEntry entry) {
            if (entry.isSymbolicLink()) {
                return "symbolic link to " + ManifestCodec.printable(entry.getLinkName());
            }
            if (entry.isLink()) {
                return "hard link to " + ManifestCodec.printable(entry.getLinkName());
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice()) {
                return "device";
            }
            if (entry.isFIFO()) {
                return "FIFO";
            }
            if (entry.isDirectory()) {
                return "directory";
            }
            if (entry.isSparse()) {
                return "sparse file";
            }
            return "type '" + (char) entry.getLinkFlag() + "'";
        }

        private static BundleException findBundleException(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BundleException found) {
                    return found;
                }
            }
            return null;
        }
    }

    /** Copies what is read from the tar entry to a sink, counting it; tar faults become truncation. */
    private static final class TeeInputStream extends InputStream {
        private final InputStream in;
        private final OutputStream sink;
        private final String entryName;
        long count;

        TeeInputStream(InputStream in, OutputStream sink, String entryName) {
            this.in = in;
            this.sink = sink;
            this.entryName = entryName;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = in.read(buffer, offset, length);
            } catch (BundleException e) {
                throw e;
            } catch (IOException e) {
                throw new BundleException(Rule.TRUNCATED, "entry " + entryName + " is cut short: " + e.getMessage(), e);
            }
            if (n > 0) {
                sink.write(buffer, offset, n);
                count += n;
            }
            return n;
        }
    }

    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Counts the tar bytes and enforces the bundle size limit and the outer gzip ratio. */
    private static final class LimitedInputStream extends FilterInputStream {
        private final BundleLimits limits;
        private final CountingInputStream compressed;
        private long count;
        /** True once the tar bytes ran out: an error after that is a truncation. */
        boolean exhausted;

        LimitedInputStream(InputStream in, BundleLimits limits, CountingInputStream compressed) {
            super(in);
            this.limits = limits;
            this.compressed = compressed;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n < 0) {
                exhausted = true;
            }
            if (n > 0) {
                count += n;
                if (count > limits.maxBundleBytes()) {
                    throw new BundleException(
                            Rule.LIMIT, "the bundle is larger than the limit of " + limits.maxBundleBytes() + " bytes");
                }
                if (compressed != null && count > compressed.count * limits.maxGzipRatio() + OUTER_GZIP_SLACK_BYTES) {
                    throw new BundleException(
                            Rule.LIMIT,
                            "the bundle's gzip layer expands more than " + limits.maxGzipRatio()
                                    + " times (a decompression bomb?)");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[(int) Math.min(n, BUFFER_BYTES)];
            long skipped = 0;
            while (skipped < n) {
                int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }
    }
}
