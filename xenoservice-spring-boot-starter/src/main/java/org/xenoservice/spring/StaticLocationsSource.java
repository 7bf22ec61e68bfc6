package org.xenoservice.spring;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.xenoservice.bundle.SourceFile;
import org.xenoservice.bundle.StaticSource;

/**
 * The static files a Spring MVC app serves from its static locations ({@code classpath:/static/} and
 * the others of {@code spring.web.resources.static-locations}), from the classes directory or from
 * inside the app's jar alike, so that replicas serve what the origin serves without the operator
 * naming a directory. For a path found in several locations the first location's file is the one,
 * as Spring MVC answers it. Names starting with a dot (but {@code .well-known}) are left out, as
 * {@link org.xenoservice.bundle.DirectorySource} leaves them out; a file whose name a bundle cannot
 * carry is left out with a WARN naming it. Safe for concurrent use.
 */
final class StaticLocationsSource implements StaticSource {
    private static final Logger LOG = LoggerFactory.getLogger(StaticLocationsSource.class);

    private final ResourcePatternResolver resolver;
    private final List<String> locations;

    StaticLocationsSource(ResourcePatternResolver resolver, List<String> locations) {
        this.resolver = resolver;
        this.locations = locations.stream()
                .map(location -> location.endsWith("/") ? location : location + "/")
                .toList();
    }

    @Override
    public List<SourceFile> files() throws IOException {
        Map<String, SourceFile> files = new TreeMap<>();
        for (String location : locations) {
            Resource root = resolver.getResource(location);
            if (!root.exists()) {
                continue;
            }
            String rootUrl = root.getURL().toString();
            for (Resource resource : resolver.getResources(location + "**")) {
                String url = resource.getURL().toString();
                if (!url.startsWith(rootUrl) || url.endsWith("/") || !resource.isReadable()) {
                    continue; // a directory, or outside the root
                }
                String path = "/"
                        + URLDecoder.decode(
                                url.substring(rootUrl.length()).replace("+", "%2B"), StandardCharsets.UTF_8);
                if (published(path) && !files.containsKey(path)) {
                    sourceFile(path, resource, location).ifPresent(file -> files.put(path, file));
                }
            }
        }
        return new ArrayList<>(files.values());
    }

    private static java.util.Optional<SourceFile> sourceFile(String path, Resource resource, String location)
            throws IOException {
        try {
            return Optional.of(new SourceFile(
                    path, resource.contentLength(), Instant.ofEpochMilli(Math.max(0, resource.lastModified()))));
        } catch (IllegalArgumentException e) {
            LOG.warn("not publishing {} of {}: {}; rename it to publish it", path, location, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(SourceFile file) throws IOException {
        for (String location : locations) {
            Resource resource =
                    resolver.getResource(location).createRelative(file.path().substring(1));
            if (resource.exists() && resource.isReadable()) {
                return resource.getInputStream();
            }
        }
        throw new FileNotFoundException(file.path() + " is no longer in " + describe());
    }

    @Override
    public String describe() {
        return "the static locations " + String.join(", ", locations);
    }

    private static boolean published(String path) {
        for (String name : path.toLowerCase(Locale.ROOT).split("/", -1)) {
            if (name.startsWith(".") && !name.equals(".well-known")) {
                return false;
            }
        }
        return true;
    }
}
