package org.xenoservice.peer;

import java.util.Objects;
import java.util.Optional;
import org.xenoservice.bundle.BlobStore;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestFile;

/**
 * One version of one site as a peer serves it: its verified manifest and the store holding every
 * blob it names. Immutable, so that switching a site to a new version is one reference swap and a
 * request sees the old version or the new one, never a mix.
 */
public final class ServedSite {
    /** The file served for a path that names a folder. */
    public static final String INDEX = "index.html";

    private final Manifest manifest;
    private final BlobStore store;

    private ServedSite(Manifest manifest, BlobStore store) {
        this.manifest = Objects.requireNonNull(manifest, "manifest");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * A site version; every blob of {@code manifest} must be in {@code store}.
     *
     * @throws IllegalArgumentException if a blob is missing from the store
     */
    public static ServedSite of(Manifest manifest, BlobStore store) {
        for (ManifestFile file : manifest.files()) {
            if (!store.contains(file.blob())) {
                throw new IllegalArgumentException(
                        "blob " + file.blob() + " of " + file.path() + " is not in the store " + store.root()
                                + "; read the bundle into the store before serving it");
            }
        }
        return new ServedSite(manifest, store);
    }

    /** The site's host name. */
    public String host() {
        return manifest.site();
    }

    /** The version served. */
    public long version() {
        return manifest.version();
    }

    /** The verified manifest. */
    public Manifest manifest() {
        return manifest;
    }

    /** Where the blobs are. */
    public BlobStore store() {
        return store;
    }

    /**
     * The file for a request path (already percent-decoded, without the query): the path itself, or
     * {@value #INDEX} for {@code /} and for paths ending in {@code /}.
     */
    public Optional<ManifestFile> resolve(String requestPath) {
        if (requestPath == null || requestPath.isEmpty() || requestPath.charAt(0) != '/') {
            return Optional.empty();
        }
        String path = requestPath.endsWith("/") ? requestPath + INDEX : requestPath;
        return manifest.file(path);
    }

    /**
     * The folder path to redirect to when a request names a folder without its trailing slash
     * ({@code /books} when {@code /books/index.html} exists), as static servers do.
     */
    public Optional<String> folderRedirect(String requestPath) {
        if (requestPath == null
                || requestPath.isEmpty()
                || requestPath.endsWith("/")
                || manifest.file(requestPath).isPresent()) {
            return Optional.empty();
        }
        return manifest.file(requestPath + "/" + INDEX).map(file -> requestPath + "/");
    }

    /**
     * The dynamic route that decides a request path, if any: the longest matching prefix wins. A
     * prefix ending in {@code /} matches every path below it; any other prefix matches itself and
     * the paths below it ({@code /order} matches {@code /order} and {@code /order/1}, not
     * {@code /orders}).
     */
    public Optional<DynamicRoute> route(String requestPath) {
        return DynamicRoute.decide(manifest.dynamic(), requestPath);
    }

    @Override
    public String toString() {
        return "ServedSite[" + host() + " v" + version() + "]";
    }
}
