package org.xenoservice.concurrent;

import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every thread XenoService starts comes from here, so that all of them are alike: named for what
 * they do (a thread dump of a busy server reads {@code xeno-detector}, {@code xeno-replicator},
 * {@code xeno-capture-books.example}), daemons, because a library must never keep its
 * application's JVM running after {@code main} returns, and watched: an exception or error that
 * ends one is logged at ERROR with the thread's name instead of vanishing into standard error.
 * Whoever starts a thread or pool here stops it in its own {@code close()}.
 */
public final class DaemonThreads {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonThreads.class);

    private DaemonThreads() {}

    /** Makes one daemon thread called {@code name}, not yet started. */
    public static Thread create(String name, Runnable body) {
        Thread thread = new Thread(Objects.requireNonNull(body, "body"), Objects.requireNonNull(name, "name"));
        thread.setDaemon(true);
        thread.setUncaughtExceptionHandler(DaemonThreads::logDeath);
        return thread;
    }

    /** Makes and starts one daemon thread called {@code name}. */
    public static Thread start(String name, Runnable body) {
        Thread thread = create(name, body);
        thread.start();
        return thread;
    }

    /** A factory of daemon threads called {@code prefix-1}, {@code prefix-2} … */
    public static ThreadFactory factory(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        AtomicInteger count = new AtomicInteger();
        return body -> create(prefix + "-" + count.incrementAndGet(), body);
    }

    /** A pool of at most {@code threads} daemon threads called {@code prefix-1} … */
    public static ExecutorService fixedPool(String prefix, int threads) {
        return Executors.newFixedThreadPool(threads, factory(prefix));
    }

    /**
     * A pool that grows with demand and lets idle threads go after a minute, for work whose
     * concurrency its owner bounds otherwise (e.g. an HTTP client's callbacks).
     */
    public static ExecutorService cachedPool(String prefix) {
        return Executors.newCachedThreadPool(factory(prefix));
    }

    private static void logDeath(Thread thread, Throwable failure) {
        LOG.error(
                "thread {} died; what it did has stopped until the component that owns it is restarted",
                thread.getName(),
                failure);
    }

    /** One daemon thread called {@code name} that runs scheduled tasks one at a time. */
    public static ScheduledExecutorService singleScheduled(String name) {
        Objects.requireNonNull(name, "name");
        return Executors.newSingleThreadScheduledExecutor(body -> create(name, body));
    }
}
