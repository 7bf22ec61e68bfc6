package org.xenoservice.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The counts stay exact when many threads acquire and release at once on the system clock, one
 * thread releasing what another acquired, while the limit is engaged and lifted under them; and the
 * bound holds exactly when threads race for the last slots.
 */
class AdmissionControlStressTest {
    private static final int THREADS = 8;
    private static final int ATTEMPTS_PER_THREAD = 100_000;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void inFlightEndsAtZeroAfterConcurrentAcquiresReleasesAndEngages() throws InterruptedException {
        AdmissionControl admission = AdmissionControl.builder().maxLimit(64).build();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong peerAttempts = new AtomicLong();
        AtomicLong directAttempts = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Traffic traffic = t % 4 == 0 ? Traffic.PEER : Traffic.DIRECT;
            int seed = t;
            workers.add(thread("xeno-stress-admission-" + t, failure, () -> {
                go.await();
                run(admission, traffic, seed, traffic == Traffic.PEER ? peerAttempts : directAttempts);
            }));
        }
        Thread toggler = thread("xeno-stress-engage", failure, () -> {
            go.await();
            for (int i = 0; workers.stream().anyMatch(Thread::isAlive); i++) {
                admission.engage(i % 2 == 0);
                assertTrue(admission.counts().inFlight() >= 0);
                Thread.onSpinWait();
            }
        });

        workers.forEach(Thread::start);
        toggler.start();
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        toggler.join();

        if (failure.get() != null) {
            throw new AssertionError("a test thread failed", failure.get());
        }
        AdmissionCounts counts = admission.counts();
        assertEquals(0, counts.peer().inFlight());
        assertEquals(0, counts.direct().inFlight());
        assertEquals(
                peerAttempts.get(), counts.peer().admitted() + counts.peer().shed());
        assertEquals(
                directAttempts.get(),
                counts.direct().admitted() + counts.direct().shed());
        assertTrue(counts.limit() >= AdmissionControl.DEFAULT_MIN_LIMIT && counts.limit() <= 64);
        // and the control still works: everything it admitted was released
        admission.engage(true);
        assertEquals(counts.limit() - counts.peerReserve(), acquireAll(admission, Traffic.DIRECT));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theBoundHoldsExactlyWhenThreadsRaceForTheLastSlots() throws InterruptedException {
        for (int round = 0; round < 20; round++) {
            AdmissionControl admission = AdmissionControl.builder()
                    .minLimit(40)
                    .initialLimit(40)
                    .maxLimit(40)
                    .peerShare(0.25)
                    .build();
            admission.engage(true);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Traffic traffic = t % 2 == 0 ? Traffic.PEER : Traffic.DIRECT;
                threads.add(thread("xeno-stress-race-" + t, failure, () -> {
                    go.await();
                    acquireAll(admission, traffic);
                }));
            }
            threads.forEach(Thread::start);
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            if (failure.get() != null) {
                throw new AssertionError("a test thread failed", failure.get());
            }
            AdmissionCounts counts = admission.counts();
            assertEquals(40, counts.inFlight());
            assertTrue(
                    counts.direct().inFlight() <= 30,
                    "direct requests took " + counts.direct().inFlight());
        }
    }

    /** Attempts with up to 8 of its own requests in flight, releasing the oldest on another thread now and then. */
    private static void run(AdmissionControl admission, Traffic traffic, int seed, AtomicLong attempts)
            throws InterruptedException {
        Deque<Long> mine = new ArrayDeque<>();
        Outcome[] outcomes = Outcome.values();
        for (int i = 0; i < ATTEMPTS_PER_THREAD; i++) {
            attempts.incrementAndGet();
            long permit = admission.tryAcquire(traffic);
            if (permit != AdmissionControl.REJECTED) {
                mine.add(permit);
            }
            if (mine.size() > (seed + i) % 8) {
                Outcome outcome = outcomes[(seed + i) % outcomes.length];
                if (i % 1024 == 0) {
                    long handed = mine.poll();
                    Thread other = new Thread(() -> admission.release(handed, outcome), "xeno-stress-async");
                    other.start();
                    other.join();
                } else {
                    admission.release(mine.poll(), outcome);
                }
            }
        }
        while (!mine.isEmpty()) {
            admission.release(mine.poll(), Outcome.SUCCEEDED);
        }
    }

    private static int acquireAll(AdmissionControl admission, Traffic traffic) {
        int admitted = 0;
        for (int misses = 0; misses < 1_000; ) {
            if (admission.tryAcquire(traffic) == AdmissionControl.REJECTED) {
                misses++;
            } else {
                admitted++;
            }
        }
        return admitted;
    }

    private interface Body {
        void run() throws Exception;
    }

    private static Thread thread(String name, AtomicReference<Throwable> failure, Body body) {
        Thread thread = new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                },
                name);
        thread.setDaemon(true);
        return thread;
    }
}
