package org.xenoservice.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where a site's static files come from: a directory ({@link DirectorySource}), a classpath root,
 * or a servlet context. {@link BundleBuilder} lists the files once and opens each one to hash,
 * compress and copy it.
 *
 * <p>Implementations must be safe for concurrent use: {@link #open} may be called from several
 * threads at once. If a file changes between {@link #files()} and {@link #open}, the builder
 * notices (the digest no longer matches) and fails rather than build a wrong bundle.
 */
public interface StaticSource {
    /**
     * Lists every file to publish, sorted by path, each path unique.
     *
     * @throws IOException if the source cannot be read, or a file's name is not a valid URL path
     */
    List<SourceFile> files() throws IOException;

    /** Opens a file listed by {@link #files()} for reading from its first byte. */
    InputStream open(SourceFile file) throws IOException;

    /** A short description for logs and messages, e.g. the directory. */
    String describe();
}
