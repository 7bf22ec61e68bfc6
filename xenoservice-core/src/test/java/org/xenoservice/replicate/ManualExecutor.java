package org.xenoservice.replicate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An executor that runs nothing until the test says so (in the spirit of OkHttp's
 * {@code RecordingExecutor}): tasks queue up, {@link #runPending()} runs them on the test's thread,
 * and a periodic task runs once per {@link #runPeriodic()}. Time never passes by itself.
 */
final class ManualExecutor extends AbstractExecutorService implements ScheduledExecutorService {
    private final Deque<Runnable> queue = new ArrayDeque<>();
    private final List<Runnable> periodic = new ArrayList<>();
    private boolean shutdown;

    @Override
    public synchronized void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("the manual executor was shut down");
        }
        queue.addLast(task);
    }

    /** Runs the queued tasks, and those they queue, until none is left; returns how many ran. */
    int runPending() {
        int ran = 0;
        for (Runnable next = poll(); next != null; next = poll()) {
            next.run();
            ran++;
        }
        return ran;
    }

    /** Runs only the oldest queued task; false when none was queued. */
    boolean runNext() {
        Runnable next = poll();
        if (next != null) {
            next.run();
        }
        return next != null;
    }

    /** How many tasks wait. */
    synchronized int pending() {
        return queue.size();
    }

    /** Runs every periodic task once, as if its delay had passed. */
    void runPeriodic() {
        List<Runnable> tasks;
        synchronized (this) {
            tasks = List.copyOf(periodic);
        }
        tasks.forEach(Runnable::run);
    }

    private synchronized Runnable poll() {
        return queue.pollFirst();
    }

    @Override
    public synchronized ScheduledFuture<?> scheduleWithFixedDelay(
            Runnable task, long initialDelay, long delay, TimeUnit unit) {
        periodic.add(task);
        return new Periodic();
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long initialDelay, long period, TimeUnit unit) {
        return scheduleWithFixedDelay(task, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("the replicator schedules only its periodic tick");
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> task, long delay, TimeUnit unit) {
        throw new UnsupportedOperationException("the replicator schedules only its periodic tick");
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
        periodic.clear();
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown();
        List<Runnable> left = List.copyOf(queue);
        queue.clear();
        return left;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    /** The handle of a periodic task: never done, never cancelled. */
    private static final class Periodic implements ScheduledFuture<Object> {
        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return false;
        }

        @Override
        public Object get() {
            throw new UnsupportedOperationException("a periodic task never finishes");
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            throw new UnsupportedOperationException("a periodic task never finishes");
        }
    }
}
