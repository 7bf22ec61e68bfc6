package org.xenoservice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.xenoservice.bundle.BlobKey;
import org.xenoservice.bundle.BundleBlobs;
import org.xenoservice.bundle.Encoding;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestFile;

/**
 * The site's static files from one bundle, as held in memory: each file's {@link StaticPage} by
 * its path, and {@code /} and {@code /dir/} by the {@value #INDEX} under them, as a peer resolves
 * them. Immutable, so that {@link StaticPages} swaps one for the next with one reference write and a
 * request sees one bundle's files or the next's, never a mix.
 *
 * <p>What is held when not everything fits ({@link #choose}): smallest first. Each file costs the
 * bytes held for it (the stored bytes, plus the decoded identity bytes for a gzip-stored file, so
 * that clients without gzip are answered from memory too; a blob two paths share counts once) and
 * {@value #OVERHEAD_BYTES_PER_FILE} bytes for its precomputed answers. A file over the per-file
 * limit is never held; the others are taken in order of their bytes (then of their paths) while
 * the total stays within the limit. Small files are the pages, style sheets and icons that most
 * requests ask for, so this holds the most files, and answers the most requests, for the memory;
 * what is left out (large images, downloads) goes to the application.
 */
final class HeldPages {
    /** The file served for {@code /} and for paths ending in {@code /}, as on the peers. */
    static final String INDEX = "index.html";
    /** What a held file costs besides its bytes, as estimated: its answers, headers and map entries. */
    static final long OVERHEAD_BYTES_PER_FILE = 1024;

    /** Nothing held: before the first bundle, with a limit of 0, or after a bundle failed to load. */
    static final HeldPages NONE = new HeldPages(OptionalLong.empty(), Map.of(), Map.of(), 0, 0, 0);

    private final OptionalLong version;
    private final Map<String, StaticPage> byPath;
    private final Map<BlobKey, BundleBlobs.Blob> blobs;
    private final int files;
    private final int filesLeftOut;
    private final long bytes;

    private HeldPages(
            OptionalLong version,
            Map<String, StaticPage> byPath,
            Map<BlobKey, BundleBlobs.Blob> blobs,
            int files,
            int filesLeftOut,
            long bytes) {
        this.version = version;
        this.byPath = byPath;
        this.blobs = blobs;
        this.files = files;
        this.filesLeftOut = filesLeftOut;
        this.bytes = bytes;
    }

    /**
     * Reads the files {@link #choose} picks from a bundle. Blobs {@code previous} holds are taken from
     * it, not read again: a new bundle usually changes a few files, so a load reads only those and the
     * two versions share the rest while both are in memory.
     *
     * @throws IOException if the file cannot be read or is not a well-formed bundle
     */
    static HeldPages load(Path bundle, HeldPages previous, long maxBytes, long maxFileBytes) throws IOException {
        BundleBlobs.Contents contents;
        try (InputStream in = Files.newInputStream(bundle)) {
            contents = BundleBlobs.read(in, manifest -> {
                Set<BlobKey> wanted = new HashSet<>();
                for (ManifestFile file : choose(manifest.files(), maxBytes, maxFileBytes)) {
                    if (!previous.blobs.containsKey(file.blob())) {
                        wanted.add(file.blob());
                    }
                }
                return wanted;
            });
        }
        Manifest manifest = contents.manifest();
        Map<String, StaticPage> byPath = new HashMap<>();
        Map<BlobKey, BundleBlobs.Blob> held = new HashMap<>();
        List<ManifestFile> chosen = choose(manifest.files(), maxBytes, maxFileBytes);
        long bytes = 0;
        for (ManifestFile file : chosen) {
            BundleBlobs.Blob blob = contents.blobs().get(file.blob());
            if (blob == null) {
                blob = previous.blobs.get(file.blob());
            }
            if (held.putIfAbsent(file.blob(), blob) == null) {
                bytes += heldBytes(file);
            }
            bytes += OVERHEAD_BYTES_PER_FILE;
            StaticPage page = StaticPage.of(file, blob);
            byPath.put(file.path(), page);
            if (file.path().endsWith("/" + INDEX)) {
                byPath.put(file.path().substring(0, file.path().length() - INDEX.length()), page);
            }
        }
        return new HeldPages(
                OptionalLong.of(manifest.version()),
                Map.copyOf(byPath),
                Map.copyOf(held),
                chosen.size(),
                manifest.files().size() - chosen.size(),
                bytes);
    }

    /**
     * The files to hold, smallest first (see the class comment): those of at most
     * {@code maxFileBytes}, in order of their bytes and then their paths, while the total, overhead
     * included, stays within {@code maxBytes}.
     */
    static List<ManifestFile> choose(List<ManifestFile> files, long maxBytes, long maxFileBytes) {
        List<ManifestFile> bySize = new ArrayList<>(files);
        bySize.sort(Comparator.comparingLong(HeldPages::heldBytes).thenComparing(ManifestFile::path));
        Set<BlobKey> blobs = new HashSet<>();
        List<ManifestFile> chosen = new ArrayList<>();
        long total = 0;
        for (ManifestFile file : bySize) {
            long bytes = heldBytes(file);
            if (bytes > maxFileBytes) {
                break; // so is every file after it
            }
            long cost = OVERHEAD_BYTES_PER_FILE + (blobs.contains(file.blob()) ? 0 : bytes);
            if (total + cost <= maxBytes) {
                chosen.add(file);
                blobs.add(file.blob());
                total += cost;
            }
        }
        return chosen;
    }

    /** The bytes held for a file: as stored, and decoded too when stored as gzip. */
    static long heldBytes(ManifestFile file) {
        return file.storedSize() + (file.encoding() == Encoding.GZIP ? file.size() : 0);
    }

    /**
     * The answer for a request path, if a file is held for it (see {@link StaticPage#answer}).
     *
     * @param path the decoded request path, without the query
     */
    Optional<XenoResponse> answer(boolean head, String path, Function<String, Optional<String>> header) {
        StaticPage page = byPath.get(path);
        return page == null ? Optional.empty() : page.answer(head, header);
    }

    /** The version of the bundle the files come from; empty when nothing is held. */
    OptionalLong version() {
        return version;
    }

    /** How many files are held. */
    int files() {
        return files;
    }

    /** How many of the bundle's files are not held, for the limits. */
    int filesLeftOut() {
        return filesLeftOut;
    }

    /** The bytes held, estimated overhead included. */
    long bytes() {
        return bytes;
    }
}
