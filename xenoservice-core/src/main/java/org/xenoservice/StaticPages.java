package org.xenoservice;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.replicate.BundleListener;

/**
 * The site's static files held in memory at the origin, from the current bundle, so that
 * {@link XenoService#staticFromMemory} answers them without the application while the origin is
 * overloaded, exactly as the peers answer them.
 *
 * <p>Loading: the replicator tells it of each bundle it builds ({@link #bundleBuilt}, on the
 * replicator's thread, which only records the bundle); the bundle is read on the loader's own
 * thread ({@code xeno-static-pages}) into a new {@link HeldPages}, which replaces the old one with
 * one volatile write. A request never waits for a load: until the new files are in, the old ones
 * answer; a bundle told of while another loads is loaded next, and one replaced before its turn is
 * skipped. A bundle that cannot be read leaves nothing held (the application answers) until the next.
 *
 * <p>Memory: at most {@code maxBytes} of files (the estimated overhead of their answers included),
 * no file over {@code maxFileBytes}; see {@link HeldPages} for which files are held. Unchanged
 * files are shared between the old and the new version, so a load needs extra memory only for the
 * files that changed. A limit of 0 holds nothing and reads no bundle.
 *
 * <p>Thread-safety: {@link #answer} is safe from any thread, lock-free and allocation-free;
 * {@link #bundleBuilt} from any thread, and returns at once.
 */
final class StaticPages implements BundleListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StaticPages.class);
    /** The longest request path looked up: a manifest's paths are at most 1024 bytes. */
    static final int MAX_PATH_CHARS = 1024;

    private final String site;
    private final long maxBytes;
    private final long maxFileBytes;
    private final Executor loader;
    private final AtomicReference<Built> pending = new AtomicReference<>();
    private final LongAdder served = new LongAdder();
    private volatile HeldPages held = HeldPages.NONE;

    /** A bundle the replicator built. */
    private record Built(long version, Path file) {}

    /**
     * @param site the site, for the log
     * @param maxBytes the most bytes held in all; 0 holds nothing
     * @param maxFileBytes the most bytes held for one file
     * @param loader runs the loads, one at a time; shut down on {@link #close} when it is an
     *     {@link ExecutorService}
     */
    StaticPages(String site, long maxBytes, long maxFileBytes, Executor loader) {
        this.site = site;
        this.maxBytes = maxBytes;
        this.maxFileBytes = maxFileBytes;
        this.loader = loader;
    }

    /** Holds up to the configured limits, loading on a thread of its own. */
    static StaticPages start(XenoConfig config) {
        ExecutorService loader =
                Executors.newSingleThreadExecutor(body -> DaemonThreads.create("xeno-static-pages", body));
        return new StaticPages(config.site(), config.staticMemoryBytes(), config.staticMemoryFileBytes(), loader);
    }

    /** Records the new bundle and has the loader read it; returns at once. */
    @Override
    public void bundleBuilt(long version, Path file) {
        if (maxBytes == 0) {
            return;
        }
        if (pending.getAndSet(new Built(version, file)) == null) {
            try {
                loader.execute(this::loadPending);
            } catch (RejectedExecutionException e) {
                LOG.debug("bundle v{} of {} not loaded into memory: closed", version, site);
            }
        }
    }

    /**
     * The answer to a {@code GET} or {@code HEAD} of a file held, if the path names one; see
     * {@link XenoService#staticFromMemory}.
     */
    Optional<XenoResponse> answer(String method, String path, Function<String, Optional<String>> header) {
        boolean head = method.equals("HEAD");
        if ((!head && !method.equals("GET")) || path.length() > MAX_PATH_CHARS) {
            return Optional.empty();
        }
        Optional<XenoResponse> answer = held.answer(head, path, header);
        if (answer.isPresent()) {
            served.increment();
        }
        return answer;
    }

    /** What is held and what was served, for the status page. */
    XenoStatus.FromMemory status() {
        HeldPages now = held;
        return new XenoStatus.FromMemory(
                served.sum(), now.version(), now.files(), now.filesLeftOut(), now.bytes(), maxBytes);
    }

    /** Stops the loader and lets go of the files held. */
    @Override
    public void close() {
        if (loader instanceof ExecutorService service) {
            service.shutdownNow();
            try {
                service.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        held = HeldPages.NONE;
    }

    /** Loads the latest bundle told of, until none is waiting. */
    private void loadPending() {
        for (Built next = pending.getAndSet(null); next != null; next = pending.getAndSet(null)) {
            load(next);
        }
    }

    private void load(Built built) {
        HeldPages previous = held;
        if (previous.version().isPresent() && previous.version().getAsLong() >= built.version()) {
            return;
        }
        try {
            HeldPages next = HeldPages.load(built.file(), previous, maxBytes, maxFileBytes);
            held = next;
            LOG.info(
                    "{}: {} static files of bundle v{} in memory for overload ({} bytes of {}); {} left to the application",
                    site,
                    next.files(),
                    built.version(),
                    next.bytes(),
                    maxBytes,
                    next.filesLeftOut());
        } catch (NoSuchFileException e) {
            LOG.debug("{}: bundle v{} was replaced before it could be loaded into memory", site, built.version());
        } catch (ClosedByInterruptException e) {
            LOG.debug("{}: loading bundle v{} into memory stopped: closed", site, built.version());
        } catch (IOException | RuntimeException e) {
            held = HeldPages.NONE;
            LOG.warn(
                    "{}: cannot hold the static files of bundle v{} in memory ({}); the application answers them"
                            + " until the next bundle",
                    site,
                    built.version(),
                    e.toString());
        }
    }
}
