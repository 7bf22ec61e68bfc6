package org.xenoservice.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {

    @Test
    void threadsAreNamedDaemonsThatNeverKeepTheJvmAlive() throws Exception {
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        Thread thread = DaemonThreads.start("xeno-test-single", () -> ran.complete(Thread.currentThread()));
        assertEquals(thread, ran.get(5, TimeUnit.SECONDS));
        assertEquals("xeno-test-single", thread.getName());
        assertTrue(thread.isDaemon());
    }

    @Test
    void poolsNumberTheirThreadsAndStopWhenShutDown() throws Exception {
        ExecutorService pool = DaemonThreads.fixedPool("xeno-test-pool", 2);
        List<Thread> threads = List.of(pool.submit(Thread::currentThread).get(5, TimeUnit.SECONDS));
        assertEquals("xeno-test-pool-1", threads.get(0).getName());
        assertTrue(threads.get(0).isDaemon());
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        threads.get(0).join(5_000);
        assertTrue(!threads.get(0).isAlive(), "a pool shut down leaves no thread behind");

        ScheduledExecutorService loop = DaemonThreads.singleScheduled("xeno-test-loop");
        Thread looped =
                loop.schedule(Thread::currentThread, 1, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
        assertEquals("xeno-test-loop", looped.getName());
        assertTrue(looped.isDaemon());
        loop.shutdownNow();
    }
}
