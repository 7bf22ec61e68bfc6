package org.xenoservice.replicate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.BuildResult;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.HttpsSettings;
import org.xenoservice.bundle.SourceFile;
import org.xenoservice.bundle.StaticSource;

/**
 * Keeps the site's current bundle and the peers staged with it: rebuilds the bundle when the static
 * source's listing changes (checked every restage interval, or at once when asked), deletes the old
 * file once no push reads it, and in calm times pushes the current bundle to every peer that lacks
 * it. A bundle that cannot be built leaves the last one current until the files change again.
 *
 * <p>Not thread-safe: confined to the replicator's loop thread.
 */
final class BundleStager {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    private final String site;
    private final PrivateKey siteKey;
    private final StaticSource source;
    private final List<DynamicRoute> routes;
    private final HttpsSettings https;
    private final Path directory;
    private final Duration restageInterval;
    private final Clock clock;
    private final List<Replica> replicas;
    private final PeerCalls calls;
    private final StepLog log;
    private final BundleListener listener;
    private Optional<BuiltBundle> bundle = Optional.empty();
    /** The listing last built (or tried); empty before the first. */
    private Optional<List<SourceFile>> builtFrom = Optional.empty();

    private Instant nextSourceCheck = Instant.MIN;
    private boolean restageRequested;

    /**
     * @param clock gives bundle versions (its milliseconds, at least one more than the last version)
     * @param listener told of each bundle built
     */
    BundleStager(
            String site,
            PrivateKey siteKey,
            StaticSource source,
            List<DynamicRoute> routes,
            HttpsSettings https,
            Path directory,
            Duration restageInterval,
            Clock clock,
            List<Replica> replicas,
            PeerCalls calls,
            StepLog log,
            BundleListener listener) {
        this.site = site;
        this.siteKey = siteKey;
        this.source = source;
        this.routes = List.copyOf(routes);
        this.https = https;
        this.directory = directory;
        this.restageInterval = restageInterval;
        this.clock = clock;
        this.replicas = replicas;
        this.calls = calls;
        this.log = log;
        this.listener = listener;
    }

    /** The bundle peers are to hold and serve, once one was built. */
    Optional<BuiltBundle> current() {
        return bundle;
    }

    /** Makes the next {@link #checkSource} look at the source now, not at the next interval. */
    void requestRestage() {
        restageRequested = true;
    }

    /** Rebuilds the bundle when the static source's listing changed (checked every restage interval). */
    void checkSource(Instant now) {
        if (!restageRequested && now.isBefore(nextSourceCheck)) {
            return;
        }
        restageRequested = false;
        nextSourceCheck = now.plus(restageInterval);
        List<SourceFile> files;
        try {
            files = List.copyOf(source.files());
        } catch (IOException | RuntimeException e) {
            log.step(
                    now,
                    "cannot list the static source " + source.describe() + ": " + e.getMessage()
                            + "; keeping the bundle");
            return;
        }
        if (builtFrom.equals(Optional.of(files))) {
            return;
        }
        builtFrom = Optional.of(files);
        build(now);
    }

    private void build(Instant now) {
        long version = Math.max(bundle.map(b -> b.version() + 1).orElse(0L), clock.millis());
        Path file = directory.resolve(version + ".xsb");
        try {
            BundleBuilder builder = BundleBuilder.forSite(site)
                    .source(source)
                    .signingKey(siteKey)
                    .version(version)
                    .created(now)
                    .https(https);
            routes.forEach(builder::dynamicRoute);
            BuildResult result = builder.build(file);
            Optional<BuiltBundle> previous = bundle;
            bundle = Optional.of(new BuiltBundle(version, file, now));
            log.step(
                    now,
                    "built bundle v" + version + ": "
                            + result.manifest().files().size() + " files, " + result.bundleBytes() + " bytes");
            tell(version, file);
            previous.ifPresent(this::deleteWhenUnused);
        } catch (IOException | RuntimeException e) {
            log.step(
                    now,
                    "cannot build the bundle from " + source.describe() + ": " + e.getMessage()
                            + "; keeping the last one until the files change");
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    /** Tells the listener of a new bundle; a listener that throws never stops the replicator. */
    private void tell(long version, Path file) {
        try {
            listener.bundleBuilt(version, file);
        } catch (RuntimeException e) {
            LOG.warn("the bundle listener of {} failed on bundle v{}; the replicator carries on", site, version, e);
        }
    }

    /** In calm times, pushes the current bundle to every idle peer that lacks it and does not serve. */
    void keepStaged(Instant now) {
        if (bundle.isEmpty()) {
            return;
        }
        BuiltBundle current = bundle.get();
        for (Replica replica : replicas) {
            if (replica.idle()
                    && replica.eligible(now)
                    && replica.stagedVersion() < current.version()
                    && !replica.serves()) {
                calls.stage(replica, current);
            }
        }
    }

    /** Deletes an old bundle file once no call under way reads it any more. */
    private void deleteWhenUnused(BuiltBundle old) {
        CompletableFuture<?>[] running =
                replicas.stream().flatMap(replica -> replica.running().stream()).toArray(CompletableFuture<?>[]::new);
        CompletableFuture<?> unused = CompletableFuture.allOf(running).whenComplete((ignored, error) -> {
            try {
                Files.deleteIfExists(old.file());
            } catch (IOException e) {
                LOG.warn("cannot delete the old bundle {}: {}", old.file(), e.toString());
            }
        });
    }
}
