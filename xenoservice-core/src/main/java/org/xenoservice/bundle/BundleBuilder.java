package org.xenoservice.bundle;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.key.SiteKeys;

/**
 * Packs a site's static files into a signed {@code xenoservice-bundle/1} bundle. Each distinct
 * content is stored once under its SHA-256; compressible types are stored gzip-compressed when
 * that saves at least {@value #MIN_GZIP_SAVING_PERCENT} %, so that replicas serve them with no CPU.
 * The same files, version and settings always give byte-identical bundles.
 *
 * <pre>{@code
 * BuildResult result = BundleBuilder.forSite("books.example")
 *     .source(DirectorySource.of(Path.of("site")))
 *     .signingKey(SiteKeys.readPrivateKey(Path.of("keys/site.key")))
 *     .version(42)
 *     .build(Path.of("books-42.xsb"));
 * }</pre>
 *
 * <p>For a delta, give the {@link #base(Manifest) base}: the bundle still lists every file, but
 * carries only the blobs the base lacks. A builder is not thread-safe; build one bundle at a time.
 */
public final class BundleBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(BundleBuilder.class);

    /** Blobs are stored gzip-compressed only when that saves at least this share. */
    public static final int MIN_GZIP_SAVING_PERCENT = 10;
    /** The {@code Cache-Control} served for files no {@link #cacheControl(String, String)} rule covers. */
    public static final String DEFAULT_CACHE_CONTROL = "public, max-age=300";
    /** The deflate level blobs are compressed with (zlib's default, as {@code gzip} and {@code tar czf}). */
    public static final int DEFAULT_GZIP_LEVEL = 6;

    private static final int BUFFER_BYTES = 64 * 1024;
    /** Small files are kept in memory between hashing and writing, up to this much in all. */
    private static final long MAX_HELD_BYTES = 64L << 20;

    private static final int MAX_HELD_FILE_BYTES = 64 * 1024;

    private final String site;
    private StaticSource source;
    private PrivateKey signingKey;
    private long version;
    private Optional<Manifest> base = Optional.empty();
    private Optional<Instant> created = Optional.empty();
    private final List<DynamicRoute> dynamic = new ArrayList<>();
    private HttpsSettings https = HttpsSettings.NONE;
    private String defaultCacheControl = DEFAULT_CACHE_CONTROL;
    private final TreeMap<String, String> cacheControlByPrefix = new TreeMap<>();
    private final Map<String, String> contentTypeByExtension = new HashMap<>();
    private int gzipLevel = DEFAULT_GZIP_LEVEL;
    private boolean gzipWholeBundle;
    private BuildProgress progress = (phase, done, total) -> {};

    /** Reports build progress; called on the building thread. */
    @FunctionalInterface
    public interface BuildProgress {
        /**
         * Called as work advances.
         *
         * @param phase {@code "hashing"} (reading and compressing the files) or {@code "writing"}
         * @param doneBytes bytes handled so far in this phase
         * @param totalBytes bytes to handle in this phase
         */
        void progress(String phase, long doneBytes, long totalBytes);
    }

    private BundleBuilder(String site) {
        this.site = site;
    }

    /**
     * Starts a bundle for a site's host name, e.g. {@code books.example}; it is lower-cased.
     *
     * @throws IllegalArgumentException if the name is not a DNS host name
     */
    public static BundleBuilder forSite(String site) {
        return new BundleBuilder(
                SiteName.of(Objects.requireNonNull(site, "site")).value());
    }

    /** Where the files come from; required. */
    public BundleBuilder source(StaticSource source) {
        this.source = Objects.requireNonNull(source, "source");
        return this;
    }

    /** The site's Ed25519 private key, which signs the manifest; required. */
    public BundleBuilder signingKey(PrivateKey key) {
        this.signingKey = Objects.requireNonNull(key, "key");
        return this;
    }

    /** The bundle's version, at least 1 and larger than the base's; required. */
    public BundleBuilder version(long version) {
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, but was " + version);
        }
        this.version = version;
        return this;
    }

    /** Builds a delta on this manifest: blobs it already refers to are not carried. */
    public BundleBuilder base(Manifest base) {
        this.base = Optional.of(Objects.requireNonNull(base, "base"));
        return this;
    }

    /** The manifest's {@code created} time; by default the newest file's modification time. */
    public BundleBuilder created(Instant created) {
        this.created = Optional.of(Objects.requireNonNull(created, "created"));
        return this;
    }

    /** Adds a dynamic route to the manifest, for replicas to apply. */
    public BundleBuilder dynamicRoute(DynamicRoute route) {
        Objects.requireNonNull(route, "route");
        BundlePaths.prefixProblem(route.prefix()).ifPresent(problem -> {
            throw new IllegalArgumentException("dynamic prefix \"" + route.prefix() + "\" " + problem);
        });
        for (DynamicRoute existing : dynamic) {
            if (existing.prefix().equals(route.prefix())) {
                throw new IllegalArgumentException("dynamic prefix \"" + route.prefix() + "\" is already routed");
            }
        }
        dynamic.add(route);
        return this;
    }

    /**
     * What replicas do with the site's plain HTTP and HTTPS answers: redirect to HTTPS, send HSTS;
     * {@link HttpsSettings#NONE} by default, which leaves the manifest without an {@code https} field.
     */
    public BundleBuilder https(HttpsSettings settings) {
        this.https = Objects.requireNonNull(settings, "https");
        return this;
    }

    /** The {@code Cache-Control} for files no prefix rule covers; {@link #DEFAULT_CACHE_CONTROL} by default. */
    public BundleBuilder cacheControl(String value) {
        this.defaultCacheControl = checkHeaderValue("cacheControl", value);
        return this;
    }

    /** The {@code Cache-Control} for files under a path prefix; the longest matching prefix wins. */
    public BundleBuilder cacheControl(String pathPrefix, String value) {
        BundlePaths.prefixProblem(pathPrefix).ifPresent(problem -> {
            throw new IllegalArgumentException("cache-control prefix \"" + pathPrefix + "\" " + problem);
        });
        cacheControlByPrefix.put(pathPrefix, checkHeaderValue("cacheControl", value));
        return this;
    }

    /** Overrides or adds the content type for a file extension, e.g. {@code ("gmi", "text/gemini")}. */
    public BundleBuilder contentType(String extension, String contentType) {
        String ext = extension.startsWith(".") ? extension.substring(1) : extension;
        if (ext.isEmpty() || ext.contains("/")) {
            throw new IllegalArgumentException(
                    "extension must be a name such as \"gmi\", but was \"" + extension + "\"");
        }
        contentTypeByExtension.put(ext.toLowerCase(Locale.ROOT), checkHeaderValue("contentType", contentType));
        return this;
    }

    /** The deflate level for gzip-stored blobs, 1 (fast) to 9 (small); {@link #DEFAULT_GZIP_LEVEL} by default. */
    public BundleBuilder gzipLevel(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("gzipLevel must be between 1 and 9, but was " + level);
        }
        this.gzipLevel = level;
        return this;
    }

    /** Also gzip the whole tar (off by default: blobs that shrink are already compressed). */
    public BundleBuilder gzipWholeBundle(boolean gzip) {
        this.gzipWholeBundle = gzip;
        return this;
    }

    /** Receives progress reports during {@link #build}. */
    public BundleBuilder progress(BuildProgress progress) {
        this.progress = Objects.requireNonNull(progress, "progress");
        return this;
    }

    /**
     * Builds the bundle into a file, atomically: the file appears complete or not at all.
     *
     * @throws IOException if a file cannot be read, changed during the build, or the output fails
     */
    public BuildResult build(Path out) throws IOException {
        Path target = out.toAbsolutePath();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path partial = Files.createTempFile(parent, "." + target.getFileName(), ".part");
        try {
            BuildResult result;
            try (OutputStream stream = Files.newOutputStream(partial)) {
                result = build(stream);
            }
            makeReadable(partial);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return result;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** A bundle holds only public, signed content: rw-r--r-- rather than the temporary file's rw-------. */
    private static void makeReadable(Path file) throws IOException {
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** Builds the bundle into a stream, which is left open. */
    public BuildResult build(OutputStream out) throws IOException {
        checkReady();
        List<SourceFile> sourceFiles = source.files();
        checkSorted(sourceFiles);
        Path scratch = Files.createTempDirectory("xeno-build-");
        try {
            Blobs blobs = new Blobs(scratch);
            List<ManifestFile> files = hashAll(sourceFiles, blobs);
            Instant createdAt = created.orElseGet(() -> sourceFiles.stream()
                    .map(SourceFile::lastModified)
                    .max(Comparator.naturalOrder())
                    .orElse(Instant.EPOCH));
            Manifest manifest =
                    ManifestCodec.write(site, version, createdAt, base.map(Manifest::sha256), files, dynamic, https);
            byte[] signature = SiteKeys.sign(signingKey, manifest.bytes());
            CountingOutputStream counted = new CountingOutputStream(out);
            writeTar(counted, manifest, signature, blobs, createdAt);
            LOG.info(
                    "built bundle {} v{}: {} files, {} blobs carried ({} bytes), {} bytes{}",
                    site,
                    version,
                    files.size(),
                    blobs.carried.size(),
                    blobs.carriedBytes(),
                    counted.count,
                    base.map(b -> ", delta on v" + b.version()).orElse(""));
            return new BuildResult(manifest, blobs.carried.size(), blobs.carriedBytes(), counted.count);
        } finally {
            FileTrees.deleteTree(scratch);
        }
    }

    private void checkReady() {
        if (source == null) {
            throw new IllegalStateException("no source: call source(DirectorySource.of(dir)) before build()");
        }
        if (signingKey == null) {
            throw new IllegalStateException(
                    "no signing key: call signingKey(SiteKeys.readPrivateKey(file)) before build()");
        }
        if (version == 0) {
            throw new IllegalStateException("no version: call version(n) before build()");
        }
        if (base.isPresent()) {
            Manifest b = base.get();
            if (!b.site().equals(site)) {
                throw new IllegalStateException("the base bundle is for site " + b.site() + ", not " + site);
            }
            if (version <= b.version()) {
                throw new IllegalStateException(
                        "version must be greater than the base's version " + b.version() + ", but was " + version);
            }
        }
    }

    private static void checkSorted(List<SourceFile> files) throws IOException {
        for (int i = 1; i < files.size(); i++) {
            if (files.get(i - 1).path().compareTo(files.get(i).path()) >= 0) {
                throw new IOException("the static source listed " + files.get(i).path()
                        + " out of order or twice; a StaticSource must list unique paths in sorted order");
            }
        }
    }

    /** Pass one: hash every file, decide its encoding, compress what is worth it. */
    private List<ManifestFile> hashAll(List<SourceFile> sourceFiles, Blobs blobs) throws IOException {
        Map<String, BlobKey> baseBlobs = new HashMap<>();
        base.ifPresent(b -> b.files().forEach(f -> baseBlobs.putIfAbsent(f.sha256(), f.blob())));
        Map<String, ManifestFile> baseFiles = new HashMap<>();
        base.ifPresent(b -> b.files().forEach(f -> baseFiles.putIfAbsent(f.sha256(), f)));
        long total = sourceFiles.stream().mapToLong(SourceFile::size).sum();
        long done = 0;
        List<ManifestFile> files = new ArrayList<>(sourceFiles.size());
        byte[] buffer = new byte[BUFFER_BYTES];
        for (SourceFile file : sourceFiles) {
            String contentType = contentTypeFor(file.path());
            Hashed hashed = hash(file, contentType, blobs, buffer);
            BlobKey key;
            long storedSize;
            ManifestFile inBase = baseFiles.get(hashed.sha256);
            if (inBase != null) {
                key = baseBlobs.get(hashed.sha256);
                storedSize = inBase.storedSize();
                hashed.discard();
            } else if (blobs.byDigest.containsKey(hashed.sha256)) {
                Blob existing = blobs.byDigest.get(hashed.sha256);
                key = existing.key;
                storedSize = existing.storedSize;
                hashed.discard();
            } else {
                Blob blob = hashed.toBlob(file);
                blobs.add(blob);
                key = blob.key;
                storedSize = blob.storedSize;
            }
            files.add(new ManifestFile(
                    file.path(),
                    hashed.sha256,
                    hashed.size,
                    contentType,
                    key.encoding(),
                    storedSize,
                    file.lastModified().truncatedTo(ChronoUnit.SECONDS),
                    cacheControlFor(file.path())));
            done += file.size();
            progress.progress("hashing", done, total);
        }
        return files;
    }

    private Hashed hash(SourceFile file, String contentType, Blobs blobs, byte[] buffer) throws IOException {
        MessageDigest sha256 = Digests.sha256();
        boolean compressible = ContentTypes.isCompressible(contentType) && file.size() > 0;
        ByteArrayOutputStream held =
                file.size() <= MAX_HELD_FILE_BYTES && blobs.heldBytes + file.size() <= MAX_HELD_BYTES
                        ? new ByteArrayOutputStream((int) file.size())
                        : null;
        // A held file is compressed later, in memory, and only if no earlier bundle or file has its
        // content; a large one is compressed to a scratch file as it is read, to read it only once.
        boolean tryGzip = compressible && held == null;
        Path gzipFile = tryGzip ? blobs.scratch.resolve("gz-" + blobs.nextScratchId++) : null;
        long size = 0;
        try (InputStream in = source.open(file);
                OutputStream gzip = tryGzip
                        ? new DeterministicGzip(Files.newOutputStream(gzipFile), gzipLevel)
                        : OutputStream.nullOutputStream()) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
                gzip.write(buffer, 0, n);
                if (held != null) {
                    held.write(buffer, 0, n);
                }
                size += n;
            }
        }
        Hashed hashed = new Hashed(Digests.hex(sha256.digest()), size, compressible, gzipFile, held, blobs);
        if (size != file.size()) {
            LOG.debug("{} changed size while listing ({} -> {} bytes)", file.path(), file.size(), size);
        }
        return hashed;
    }

    /** Pass two: the tar, entries in the order the format requires, blobs sorted by digest. */
    private void writeTar(OutputStream out, Manifest manifest, byte[] signature, Blobs blobs, Instant mtime)
            throws IOException {
        OutputStream sink = gzipWholeBundle ? new DeterministicGzip(nonClosing(out), gzipLevel) : nonClosing(out);
        long total = blobs.carriedBytes();
        long done = 0;
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(sink, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            putEntry(tar, BundleFormat.MANIFEST, manifest.byteLength(), mtime);
            tar.write(manifest.bytes());
            tar.closeArchiveEntry();
            putEntry(tar, BundleFormat.SIGNATURE, signature.length, mtime);
            tar.write(signature);
            tar.closeArchiveEntry();
            byte[] buffer = new byte[BUFFER_BYTES];
            for (Blob blob : blobs.carriedSorted()) {
                putEntry(tar, BundleFormat.BLOB_PREFIX + blob.key.sha256(), blob.storedSize, mtime);
                blob.copyTo(tar, buffer);
                tar.closeArchiveEntry();
                done += blob.storedSize;
                progress.progress("writing", done, total);
            }
            tar.finish();
        }
    }

    private static void putEntry(TarArchiveOutputStream tar, String name, long size, Instant mtime) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(size);
        entry.setMode(0100644);
        entry.setModTime(mtime.toEpochMilli() / 1000 * 1000);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("");
        entry.setGroupName("");
        tar.putArchiveEntry(entry);
    }

    private String contentTypeFor(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        if (dot >= 0) {
            String custom = contentTypeByExtension.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
            if (custom != null) {
                return custom;
            }
        }
        return ContentTypes.forPath(path);
    }

    private String cacheControlFor(String path) {
        for (Map.Entry<String, String> rule :
                cacheControlByPrefix.descendingMap().entrySet()) {
            if (path.startsWith(rule.getKey())) {
                return rule.getValue();
            }
        }
        return defaultCacheControl;
    }

    private static String checkHeaderValue(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty() || value.length() > 256 || !value.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)) {
            throw new IllegalArgumentException(name + " must be 1 to 256 printable ASCII characters, but was \""
                    + ManifestCodec.printable(value) + "\"");
        }
        return value;
    }

    /** {@code out} behind a wrapper whose {@code close()} only flushes. */
    static OutputStream nonClosing(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                out.write(bytes, offset, length);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /** The distinct contents met so far and which of them the bundle carries. */
    private static final class Blobs {
        final Path scratch;
        final Map<String, Blob> byDigest = new LinkedHashMap<>();
        final List<Blob> carried = new ArrayList<>();
        long heldBytes;
        long nextScratchId;

        Blobs(Path scratch) {
            this.scratch = scratch;
        }

        void add(Blob blob) {
            byDigest.put(blob.key.sha256(), blob);
            carried.add(blob);
        }

        long carriedBytes() {
            return carried.stream().mapToLong(b -> b.storedSize).sum();
        }

        List<Blob> carriedSorted() {
            List<Blob> sorted = new ArrayList<>(carried);
            sorted.sort(Comparator.comparing(b -> b.key.sha256()));
            return sorted;
        }
    }

    /** A file after pass one: its digest, and its bytes where they were kept. */
    private final class Hashed {
        final String sha256;
        final long size;
        final boolean compressible;
        final Path gzipFile;
        final ByteArrayOutputStream held;
        final Blobs blobs;

        Hashed(String sha256, long size, boolean compressible, Path gzipFile, ByteArrayOutputStream held, Blobs blobs) {
            this.sha256 = sha256;
            this.size = size;
            this.compressible = compressible;
            this.gzipFile = gzipFile;
            this.held = held;
            this.blobs = blobs;
        }

        /** Gzip is kept only when it saves at least {@link #MIN_GZIP_SAVING_PERCENT}. */
        boolean worthGzip(long gzipSize) {
            return gzipSize * 100 <= size * (100 - MIN_GZIP_SAVING_PERCENT);
        }

        byte[] gzip(byte[] identity) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(identity.length / 2 + 64);
            try (DeterministicGzip gzip = new DeterministicGzip(out, gzipLevel)) {
                gzip.write(identity);
            }
            return out.toByteArray();
        }

        void discard() throws IOException {
            if (gzipFile != null) {
                Files.deleteIfExists(gzipFile);
            }
        }

        Blob toBlob(SourceFile file) throws IOException {
            if (gzipFile != null) {
                long gzipSize = Files.size(gzipFile);
                if (worthGzip(gzipSize)) {
                    return new Blob(new BlobKey(sha256, Encoding.GZIP), gzipSize, null, gzipFile, null);
                }
                Files.delete(gzipFile);
            }
            if (held != null) {
                byte[] identity = held.toByteArray();
                if (compressible) {
                    byte[] gzipped = gzip(identity);
                    if (worthGzip(gzipped.length)) {
                        blobs.heldBytes += gzipped.length;
                        return new Blob(new BlobKey(sha256, Encoding.GZIP), gzipped.length, null, null, gzipped);
                    }
                }
                blobs.heldBytes += size;
                return new Blob(new BlobKey(sha256, Encoding.IDENTITY), size, null, null, identity);
            }
            return new Blob(new BlobKey(sha256, Encoding.IDENTITY), size, file, null, null);
        }
    }

    /** A blob the bundle carries, and where its stored bytes are: in memory, a gzip file, or the source. */
    private final class Blob {
        final BlobKey key;
        final long storedSize;
        final SourceFile sourceFile;
        final Path gzipFile;
        final byte[] bytes;

        Blob(BlobKey key, long storedSize, SourceFile sourceFile, Path gzipFile, byte[] bytes) {
            this.key = key;
            this.storedSize = storedSize;
            this.sourceFile = sourceFile;
            this.gzipFile = gzipFile;
            this.bytes = bytes;
        }

        void copyTo(OutputStream out, byte[] buffer) throws IOException {
            if (bytes != null) {
                out.write(bytes);
            } else if (gzipFile != null) {
                Files.copy(gzipFile, out);
            } else {
                copySourceChecked(out, buffer);
            }
        }

        /** Re-reads a large identity file, making sure it is still the content that was hashed. */
        private void copySourceChecked(OutputStream out, byte[] buffer) throws IOException {
            MessageDigest sha256 = Digests.sha256();
            long copied = 0;
            try (InputStream in = source.open(sourceFile)) {
                for (int n; (n = in.read(buffer)) > 0 && copied < storedSize; ) {
                    int take = (int) Math.min(n, storedSize - copied);
                    sha256.update(buffer, 0, take);
                    out.write(buffer, 0, take);
                    copied += take;
                }
            }
            if (copied != storedSize || !Digests.hex(sha256.digest()).equals(key.sha256())) {
                throw new IOException(sourceFile.path() + " changed while the bundle was being built; "
                        + "build again once the site's files are stable");
            }
        }
    }

    /** Gzip with a fixed header (no time, no name), so the same input always gives the same bytes. */
    static final class DeterministicGzip extends GZIPOutputStream {
        DeterministicGzip(OutputStream out, int level) throws IOException {
            super(out, BUFFER_BYTES);
            def.setLevel(level);
        }
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            count += length;
        }
    }
}
