package org.xenoservice.samples.bookstore;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shop's small capacity, made explicit: a few worker threads, each spending a fixed cost per
 * request, and a bounded queue in front of them. A request that finds the queue full is refused at
 * once (the apps answer 503), as a real small server falls over, so that a flood overloads the
 * origin in the demo on a 2-core machine, and XenoService has something to defend.
 */
final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    private final ThreadPoolExecutor executor;
    private final long costNanos;
    private final boolean burnCpu;
    private final Runnable beforeWork;
    private volatile long sink;

    WorkerPool(String name, int workers, int queueCapacity, Duration cost, boolean burnCpu, Runnable beforeWork) {
        this.costNanos = cost.toNanos();
        this.burnCpu = burnCpu;
        this.beforeWork = Objects.requireNonNull(beforeWork, "beforeWork");
        AtomicInteger count = new AtomicInteger();
        ThreadFactory threads = task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.executor = new ThreadPoolExecutor(
                workers,
                workers,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity),
                threads,
                new ThreadPoolExecutor.AbortPolicy());
    }

    /** Runs {@code task} on a worker after the request's cost; false if the queue is full or the pool closed. */
    boolean submit(Runnable task) {
        try {
            executor.execute(() -> {
                beforeWork.run();
                spend();
                task.run();
            });
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    /** How many requests wait for a worker. */
    int queued() {
        return executor.getQueue().size();
    }

    /** Spends the cost of one request: CPU work, or a wait that holds the worker as slow I/O would. */
    private void spend() {
        if (costNanos <= 0) {
            return;
        }
        long deadline = System.nanoTime() + costNanos;
        if (burnCpu) {
            long x = sink;
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 1000; i++) {
                    x = x * 6364136223846793005L + 1442695040888963407L;
                }
            }
            sink = x;
        } else {
            for (long left = costNanos; left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
        }
    }

    /** Lets the queued requests finish (for at most 5 s), then stops the workers. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("workers still busy after 5 s; interrupting them");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
