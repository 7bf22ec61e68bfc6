package org.xenoservice.bundle;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The signed table of contents of a bundle: the site, its version, every file with its digest and
 * serving headers, the dynamic routes and the {@linkplain #https() HTTPS settings}. A
 * {@code Manifest} is immutable and keeps the exact bytes it was read from or written as, because
 * the signature and a delta's {@code base} refer to those bytes ({@link #sha256()}).
 *
 * <p>Obtain one from {@link BundleReader#read} (verified), {@link BundleBuilder#build} (built), or
 * {@link BundleReader#peekManifest} (unverified, for tools such as diff).
 */
public final class Manifest {
    /** The format this library writes and reads. */
    public static final String FORMAT = "xenoservice-bundle/1";

    private final String site;
    private final long version;
    private final Instant created;
    private final Optional<String> base;
    private final List<ManifestFile> files;
    private final List<DynamicRoute> dynamic;
    private final HttpsSettings https;
    private final byte[] bytes;
    private final String sha256;
    private final Map<String, ManifestFile> byPath;

    Manifest(
            String site,
            long version,
            Instant created,
            Optional<String> base,
            List<ManifestFile> files,
            List<DynamicRoute> dynamic,
            HttpsSettings https,
            byte[] bytes) {
        this.site = site;
        this.version = version;
        this.created = created;
        this.base = base;
        this.files = List.copyOf(files);
        this.dynamic = List.copyOf(dynamic);
        this.https = https;
        this.bytes = bytes.clone();
        this.sha256 = Digests.sha256Hex(bytes);
        Map<String, ManifestFile> index = new LinkedHashMap<>();
        for (ManifestFile file : this.files) {
            index.put(file.path(), file);
        }
        this.byPath = Collections.unmodifiableMap(index);
    }

    /**
     * Parses manifest bytes that this process verified earlier and stored itself (a peer reloading
     * its state after a restart). Never use it for bytes from the network: those go through
     * {@link BundleReader}, which checks the signature.
     *
     * @throws BundleException if the bytes are not a well-formed manifest
     */
    public static Manifest parseStored(byte[] bytes) throws BundleException {
        return ManifestCodec.parse(bytes.clone());
    }

    /** Always {@value #FORMAT}. */
    public String format() {
        return FORMAT;
    }

    /** The site's host name, lower case. */
    public String site() {
        return site;
    }

    /** The version; each bundle of a site has a larger one than the last. */
    public long version() {
        return version;
    }

    /** When the content was last changed (by default the newest file's modification time). */
    public Instant created() {
        return created;
    }

    /** For a delta bundle, the {@link #sha256()} of the base manifest; empty for a full bundle. */
    public Optional<String> base() {
        return base;
    }

    /** Every file of the site, in manifest order (sorted by path when built by {@link BundleBuilder}). */
    public List<ManifestFile> files() {
        return files;
    }

    /** The file at a URL path, if the site has one. */
    public Optional<ManifestFile> file(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /** The dynamic routes, in manifest order. */
    public List<DynamicRoute> dynamic() {
        return dynamic;
    }

    /**
     * What the owner asks of replicas' plain HTTP and HTTPS answers (redirect, HSTS);
     * {@link HttpsSettings#NONE} for a manifest without an {@code https} field.
     */
    public HttpsSettings https() {
        return https;
    }

    /** The distinct blobs the files refer to, sorted. */
    public Set<BlobKey> blobs() {
        Set<BlobKey> blobs = new TreeSet<>((a, b) -> a.toString().compareTo(b.toString()));
        for (ManifestFile file : files) {
            blobs.add(file.blob());
        }
        return Collections.unmodifiableSet(blobs);
    }

    /** Total identity bytes of all files. */
    public long totalSize() {
        return files.stream().mapToLong(ManifestFile::size).sum();
    }

    /** Lower-case hex SHA-256 of {@link #bytes()}: the manifest's identity, named by deltas. */
    public String sha256() {
        return sha256;
    }

    /** The exact UTF-8 JSON bytes that were signed. */
    public byte[] bytes() {
        return bytes.clone();
    }

    int byteLength() {
        return bytes.length;
    }

    /** Equal when the signed bytes are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Manifest that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return sha256.hashCode();
    }

    @Override
    public String toString() {
        return "Manifest[" + site + " v" + version + ", " + files.size() + " files, sha256 "
                + sha256.substring(0, 12) + "…"
                + base.map(b -> ", delta on " + b.substring(0, 12) + "…").orElse("")
                + "]";
    }
}
