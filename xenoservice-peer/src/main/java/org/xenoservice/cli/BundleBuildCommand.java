package org.xenoservice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.xenoservice.bundle.BuildResult;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.key.SiteKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bundle build}: packs a directory into a signed bundle, full or as a delta. */
@Command(
        name = "build",
        description = {
            "Pack SRC_DIR into a signed bundle for the site. With --base, build a delta "
                    + "that lists every file but carries only the blobs the base bundle lacks.",
            "The same tree, version and options always give the same bytes."
        })
final class BundleBuildCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "SRC_DIR", description = "The site's static files.")
    Path source;

    @Option(
            names = "--site",
            required = true,
            paramLabel = "HOST",
            description = "The site's host name, e.g. books.example.")
    String site;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "The site's private key (site.key).")
    Path keyFile;

    @Option(
            names = "--version",
            required = true,
            paramLabel = "N",
            description = "The bundle's version, at least 1, higher than the base's and than what peers serve.")
    long version;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "The bundle to write (replaced atomically).")
    Path out;

    @Option(names = "--base", paramLabel = "BUNDLE", description = "Build a delta on this earlier bundle of the site.")
    Optional<Path> base;

    @Option(names = "--gzip", description = "Also gzip the whole bundle (blobs that shrink are already compressed).")
    boolean gzip;

    @Option(
            names = "--created",
            paramLabel = "TIME",
            description = "The manifest's creation time, RFC 3339 (default: the newest file's modification time).")
    Optional<String> created;

    @Option(
            names = "--cache-control",
            paramLabel = "VALUE",
            description = "Cache-Control for every file (default: \"" + BundleBuilder.DEFAULT_CACHE_CONTROL + "\").")
    Optional<String> cacheControl;

    @Option(
            names = "--dynamic",
            paramLabel = "PREFIX=POLICY[,KEY=VALUE...]",
            description = {
                "A dynamic path and what replicas do with it, with the policy's settings; repeatable, e.g.",
                "/search=proxy,origin=http://10.0.0.5:8080,max-in-flight=8",
                "/order=capture,intake=https://origin.example/_xeno/intake,page=/order-received.html",
                "/wishlist=degrade,page=/sorry.html,status=503,retry-after=120"
            })
    Map<String, String> dynamic = Map.of();

    @Override
    public Integer call() throws IOException {
        if (!Files.isDirectory(source)) {
            throw new ParameterException(spec.commandLine(), "SRC_DIR " + source + " is not a directory");
        }
        PrivateKey key = SiteKeys.readPrivateKey(keyFile);
        Optional<Manifest> baseManifest =
                base.isPresent() ? Optional.of(BundleCommand.peek(base.get())) : Optional.empty();
        BundleBuilder builder = configure(key, baseManifest);
        BuildResult result = builder.build(out);
        Manifest manifest = result.manifest();
        spec.commandLine()
                .getOut()
                .printf(
                        "built %s: %s; carries %d blob%s (%s), bundle %s, manifest sha256 %s%n",
                        out,
                        BundleCommand.describe(manifest),
                        result.blobsCarried(),
                        result.blobsCarried() == 1 ? "" : "s",
                        Sizes.human(result.carriedBytes()),
                        Sizes.human(result.bundleBytes()),
                        manifest.sha256());
        return XenoCli.OK;
    }

    private BundleBuilder configure(PrivateKey key, Optional<Manifest> baseManifest) {
        try {
            BundleBuilder builder = BundleBuilder.forSite(site)
                    .source(DirectorySource.of(source))
                    .signingKey(key)
                    .version(version)
                    .gzipWholeBundle(gzip)
                    .progress(new StderrProgress(spec.commandLine().getErr(), System::nanoTime));
            if (baseManifest.isPresent()) {
                Manifest b = baseManifest.get();
                if (!b.site().equalsIgnoreCase(site)) {
                    throw new IllegalArgumentException(
                            "--base " + base.get() + " is a bundle of " + b.site() + ", not of " + site);
                }
                if (b.version() >= version) {
                    throw new IllegalArgumentException(
                            "--version " + version + " must be higher than the base's version " + b.version());
                }
                builder.base(b);
            }
            if (created.isPresent()) {
                builder.created(parseInstant(created.get()));
            }
            cacheControl.ifPresent(builder::cacheControl);
            for (DynamicRoute route : routes()) {
                builder.dynamicRoute(route);
            }
            return builder;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    private List<DynamicRoute> routes() {
        List<DynamicRoute> routes = new ArrayList<>();
        for (Map.Entry<String, String> entry : new java.util.TreeMap<>(dynamic).entrySet()) {
            try {
                routes.add(org.xenoservice.dynamic.DynamicRoutes.parse(entry.getKey(), entry.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dynamic " + e.getMessage(), e);
            }
        }
        return routes;
    }

    private static Instant parseInstant(String text) {
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "--created \"" + text + "\" is not an RFC 3339 time such as " + "2026-11-25T13:00:00Z");
        }
    }
}
