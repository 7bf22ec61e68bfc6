package org.xenoservice.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Static files from a directory tree: {@code root/css/site.css} is served as {@code /css/site.css}.
 *
 * <p>Symbolic links are followed (a loop is an error). Names starting with a dot are left out,
 * so that {@code .git} or {@code .env} are never published, except {@code .well-known}; call
 * {@link #includingHiddenFiles()} to publish them all. A file whose name cannot be a URL path (a
 * backslash or a control character in it) is an error that names the file, never silently dropped.
 */
public final class DirectorySource implements StaticSource {
    private final Path root;
    private final boolean includeHidden;

    private DirectorySource(Path root, boolean includeHidden) {
        this.root = root;
        this.includeHidden = includeHidden;
    }

    /** A source for the tree under {@code root}, leaving out hidden names except {@code .well-known}. */
    public static DirectorySource of(Path root) {
        return new DirectorySource(
                Objects.requireNonNull(root, "root").toAbsolutePath().normalize(), false);
    }

    /** The same directory, with names starting with a dot published too. */
    public DirectorySource includingHiddenFiles() {
        return new DirectorySource(root, true);
    }

    /** The directory this source reads. */
    public Path root() {
        return root;
    }

    @Override
    public List<SourceFile> files() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new NotDirectoryException(root + " (the static source must be a directory)");
        }
        List<SourceFile> files = new ArrayList<>();
        Files.walkFileTree(
                root, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        return dir.equals(root) || published(dir)
                                ? FileVisitResult.CONTINUE
                                : FileVisitResult.SKIP_SUBTREE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        if (attrs.isRegularFile() && published(file)) {
                            files.add(new SourceFile(
                                    urlPath(file),
                                    attrs.size(),
                                    attrs.lastModifiedTime().toInstant()));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e instanceof FileSystemLoopException) {
                            throw new IOException("symbolic link loop at " + file + "; remove the link", e);
                        }
                        throw e;
                    }
                });
        files.sort(Comparator.comparing(SourceFile::path));
        return files;
    }

    @Override
    public InputStream open(SourceFile file) throws IOException {
        return Files.newInputStream(resolve(file.path()));
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private boolean published(Path path) {
        if (includeHidden) {
            return true;
        }
        String name = path.getFileName().toString();
        return !name.startsWith(".") || name.equals(".well-known");
    }

    private String urlPath(Path file) throws IOException {
        StringBuilder url = new StringBuilder();
        for (Path segment : root.relativize(file)) {
            url.append('/').append(segment);
        }
        String path = url.toString();
        if (path.indexOf('\uFFFD') >= 0) {
            throw new IOException("cannot publish " + file + ": its name cannot be decoded with this JVM's file "
                    + "name charset " + System.getProperty("sun.jnu.encoding") + "; run with a UTF-8 locale such as "
                    + "LANG=C.UTF-8, or rename the file");
        }
        Optional<String> problem = BundlePaths.fileProblem(path);
        if (problem.isPresent()) {
            throw new IOException(
                    "cannot publish " + file + ": as a URL path it " + problem.get() + "; rename the file");
        }
        return path;
    }

    private Path resolve(String urlPath) throws IOException {
        Path file = root.resolve(urlPath.substring(1)).normalize();
        if (!file.startsWith(root)) {
            throw new IOException("path " + urlPath + " is outside " + root);
        }
        return file;
    }
}
