package org.xenoservice.servlet;

import jakarta.servlet.ServletContext;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.SourceFile;
import org.xenoservice.bundle.StaticSource;

/**
 * The static content of a web app, read through its {@link ServletContext}: exactly what the
 * container's default servlet serves from the WAR, the exploded document base and the
 * {@code META-INF/resources} of the app's jars, so that replicas serve the same files the origin
 * does without the operator naming a directory. {@link XenoFilter} uses it when the configuration
 * names no static source; an app that builds its own {@code XenoConfig} can pass one in:
 *
 * <pre>{@code
 * XenoConfig config = XenoConfig.builder().load(Path.of("xeno.properties"))
 *     .staticSource(new ServletContextSource(servletContext))
 *     .build();
 * }</pre>
 *
 * <p>What is published: every resource found by walking {@link ServletContext#getResourcePaths}
 * from {@code /}, except {@code /WEB-INF/} and {@code /META-INF/} (matched case-insensitively, as
 * containers refuse to serve them in any case) and names starting with a dot other than
 * {@code .well-known} (as {@link org.xenoservice.bundle.DirectorySource} does, so that a
 * {@code .git} or {@code .env} that slipped into the WAR never leaves the origin). A resource whose
 * path a bundle cannot carry (a backslash, a control character, longer than 1024 bytes) is left
 * out with a WARN that names it: unlike a directory the operator controls, a WAR gathers files from
 * many jars, and one odd name must not leave the whole site without a bundle.
 *
 * <p>Sizes and modification times come from {@link ServletContext#getResource}'s connection; the
 * content from {@link ServletContext#getResourceAsStream}. Safe for concurrent use, as the servlet
 * context is; use it only while the web app runs.
 */
public final class ServletContextSource implements StaticSource {
    private static final Logger LOG = LoggerFactory.getLogger(ServletContextSource.class);
    /** Longer paths cannot be in a bundle; a directory this long holds nothing publishable. */
    private static final int MAX_PATH_CHARS = 1024;

    private final ServletContext context;

    /** A source for the resources of {@code context}. */
    public ServletContextSource(ServletContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    @Override
    public List<SourceFile> files() throws IOException {
        List<SourceFile> files = new ArrayList<>();
        walk("/", files);
        files.sort(Comparator.comparing(SourceFile::path));
        return files;
    }

    @Override
    public InputStream open(SourceFile file) throws IOException {
        InputStream in = context.getResourceAsStream(file.path());
        if (in == null) {
            throw new FileNotFoundException(file.path() + " is no longer a resource of " + describe());
        }
        return in;
    }

    @Override
    public String describe() {
        String path = context.getContextPath();
        return "the resources of web app " + (path.isEmpty() ? "/" : path);
    }

    private void walk(String directory, List<SourceFile> files) throws IOException {
        Set<String> children = context.getResourcePaths(directory);
        if (children == null) {
            return;
        }
        for (String child : new TreeSet<>(children)) {
            if (!published(child)) {
                continue;
            }
            if (child.endsWith("/")) {
                if (child.length() > MAX_PATH_CHARS) {
                    LOG.warn("not publishing {} or anything in it: its path is longer than a bundle can carry", child);
                } else {
                    walk(child, files);
                }
                continue;
            }
            URL url = context.getResource(child);
            if (url == null) {
                continue; // removed while we walked
            }
            SourceFile file;
            try {
                file = sourceFile(child, url);
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "not publishing resource {} of {}: {}; rename it to publish it",
                        child,
                        describe(),
                        e.getMessage());
                continue;
            }
            files.add(file);
        }
    }

    private static SourceFile sourceFile(String path, URL url) throws IOException {
        URLConnection connection = url.openConnection();
        connection.setUseCaches(false);
        long size;
        long modified;
        // opening and closing the stream releases what connecting holds (a file, a jar), which the
        // length alone would not
        try (InputStream in = connection.getInputStream()) {
            size = connection.getContentLengthLong();
            modified = connection.getLastModified();
            if (size < 0) {
                size = in.transferTo(OutputStream.nullOutputStream());
            }
        }
        return new SourceFile(path, size, Instant.ofEpochMilli(Math.max(0, modified)));
    }

    private static boolean published(String path) {
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.startsWith("/web-inf/") || lower.startsWith("/meta-inf/")) {
            return false;
        }
        String name = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        name = name.substring(name.lastIndexOf('/') + 1);
        return !name.startsWith(".") || name.equals(".well-known");
    }
}
