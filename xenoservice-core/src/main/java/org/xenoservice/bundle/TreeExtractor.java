package org.xenoservice.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a verified site back out as a plain file tree: every file of a manifest, decoded to its
 * identity bytes, at its URL path under a target directory, with its modification time. This is
 * how an operator inspects what a bundle would serve, and how a site is restored from a bundle.
 *
 * <p>The tree is written beside the target first and moved into place only when every file was
 * written and matched its digest, so the target gets the whole tree or nothing. Paths are mapped
 * segment by segment and checked to stay under the target, so no manifest can write outside it
 * (the reader has already refused such paths; this is a second lock).
 *
 * <pre>{@code
 * BundleReader reader = BundleReader.builder(SiteKeys.readPublicKey(Path.of("site.pub"))).build();
 * Manifest manifest = TreeExtractor.extractBundle(reader, Path.of("books-v7.xsb"), Optional.empty(),
 *     Path.of("site-v7"));
 * }</pre>
 */
public final class TreeExtractor {
    private static final Logger LOG = LoggerFactory.getLogger(TreeExtractor.class);

    private TreeExtractor() {}

    /**
     * Verifies a bundle whole and only then writes its tree into {@code target}. A delta bundle
     * needs its base bundle, which is verified with the same reader first. The blobs pass through a
     * scratch store beside {@code target}, deleted afterwards.
     *
     * @param reader the reader that checks the bundle (key, site, limits)
     * @param bundle the bundle file
     * @param baseBundle the base bundle, when {@code bundle} is a delta
     * @param target the directory to create; must not exist or be empty
     * @return the bundle's verified manifest
     * @throws BundleException if either bundle breaks a rule; nothing is written
     * @throws IOException if reading or writing fails; nothing is written
     */
    public static Manifest extractBundle(BundleReader reader, Path bundle, Optional<Path> baseBundle, Path target)
            throws IOException {
        Path root = target.toAbsolutePath().normalize();
        Path parent = prepareParent(root);
        Path scratch = Files.createTempDirectory(parent, "." + root.getFileName() + ".blobs-");
        try {
            BlobStore store = BlobStore.openUnsynced(scratch);
            BundleReader deltaReader = reader;
            if (baseBundle.isPresent()) {
                Manifest base;
                try (InputStream in = Files.newInputStream(baseBundle.get())) {
                    base = reader.read(in, store);
                }
                deltaReader = reader.withBase(base);
            }
            Manifest manifest;
            try (InputStream in = Files.newInputStream(bundle)) {
                manifest = deltaReader.read(in, store);
            }
            extract(manifest, store, root);
            return manifest;
        } finally {
            FileTrees.deleteTree(scratch);
        }
    }

    /**
     * Writes {@code manifest}'s files from {@code store} into {@code target}, which must not exist
     * or be an empty directory.
     *
     * @param manifest a manifest returned by {@link BundleReader#read}, whose blobs are in {@code store}
     * @param store the store holding every blob of the manifest
     * @param target the directory to create
     * @throws FileAlreadyExistsException if {@code target} exists and is not an empty directory
     * @throws IOException if a blob is missing or damaged, a name cannot be written on this file
     *     system, or writing fails; {@code target} is then left as it was
     */
    public static void extract(Manifest manifest, BlobStore store, Path target) throws IOException {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(store, "store");
        Path root = target.toAbsolutePath().normalize();
        Path parent = prepareParent(root);
        Path staging = Files.createTempDirectory(parent, "." + root.getFileName() + ".extracting-");
        boolean moved = false;
        try {
            for (ManifestFile file : manifest.files()) {
                writeFile(file, store, staging);
            }
            checkTargetAvailable(root);
            Files.deleteIfExists(root);
            Files.move(staging, root, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
            LOG.info(
                    "extracted {} v{}: {} files, {} bytes into {}",
                    manifest.site(),
                    manifest.version(),
                    manifest.files().size(),
                    manifest.totalSize(),
                    root);
        } catch (DirectoryNotEmptyException e) {
            throw new FileAlreadyExistsException(
                    root.toString(), null, "appeared while extracting; extract into a new directory");
        } finally {
            if (!moved) {
                FileTrees.deleteTree(staging);
            }
        }
    }

    /** The file for a manifest path under {@code root}, refusing anything that would leave it. */
    static Path resolve(Path root, String urlPath) throws IOException {
        Path current = root;
        String[] segments = urlPath.substring(urlPath.startsWith("/") ? 1 : 0).split("/", -1);
        for (String segment : segments) {
            if (segment.isEmpty()
                    || segment.equals(".")
                    || segment.equals("..")
                    || segment.indexOf('\\') >= 0
                    || segment.indexOf('\0') >= 0) {
                throw new IOException("refusing to write \"" + ManifestCodec.printable(urlPath)
                        + "\": it is not a plain path under the target directory");
            }
            try {
                current = current.resolve(segment);
            } catch (InvalidPathException e) {
                throw new IOException(
                        "cannot name \"" + ManifestCodec.printable(urlPath) + "\" on this file "
                                + "system with charset " + System.getProperty("sun.jnu.encoding")
                                + "; run with a UTF-8 locale (e.g. LANG=C.UTF-8)",
                        e);
            }
        }
        if (!current.normalize().startsWith(root) || current.equals(root)) {
            throw new IOException(
                    "refusing to write \"" + ManifestCodec.printable(urlPath) + "\" outside the target directory");
        }
        return current;
    }

    private static void writeFile(ManifestFile file, BlobStore store, Path root) throws IOException {
        Path destination = resolve(root, file.path());
        Path directory = destination.getParent();
        if (!directory.equals(root)
                && Files.exists(directory, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot write \"" + ManifestCodec.printable(file.path())
                    + "\": a file is in the way of its folder");
        }
        Files.createDirectories(directory);
        if (!store.contains(file.blob())) {
            throw new IOException("blob " + file.blob() + " of \"" + ManifestCodec.printable(file.path())
                    + "\" is not in the store " + store.root());
        }
        MessageDigest digest = Digests.sha256();
        long written;
        try (InputStream stored = store.open(file.blob());
                InputStream identity = file.encoding() == Encoding.GZIP ? new StrictGzipInputStream(stored) : stored;
                OutputStream out = new DigestOutputStream(
                        Files.newOutputStream(destination, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                        digest)) {
            written = identity.transferTo(out);
        }
        String actual = Digests.hex(digest.digest());
        if (written != file.size() || !actual.equals(file.sha256())) {
            throw new IOException("blob " + file.blob() + " in " + store.root() + " is damaged: \""
                    + ManifestCodec.printable(file.path()) + "\" decoded to " + written + " bytes with sha256 "
                    + actual + ", expected " + file.size() + " bytes with sha256 " + file.sha256()
                    + "; delete the blob and read the bundle again");
        }
        Files.setLastModifiedTime(destination, FileTime.from(file.lastModified()));
    }

    /** Checks the target can be created and makes its parent, where scratch files go. */
    private static Path prepareParent(Path root) throws IOException {
        checkTargetAvailable(root);
        Path parent = root.getParent();
        if (parent == null) {
            throw new IOException("cannot extract into the file system root; name a new directory");
        }
        return Files.createDirectories(parent);
    }

    private static void checkTargetAvailable(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(
                    root.toString(), null, "is a file; extract into a new or empty directory");
        }
        try (Stream<Path> entries = Files.list(root)) {
            if (entries.findAny().isPresent()) {
                throw new FileAlreadyExistsException(
                        root.toString(), null, "is not empty; extract into a new or empty directory");
            }
        }
    }
}
