package org.xenoservice.e2e;

import static org.xenoservice.e2e.DefendedSite.ORIGIN_ADDRESS;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Hammers the origin's address with page requests from several threads until stopped. */
final class Flood {
  private final DefendedSite site;
  private final List<Thread> threads;
  private final AtomicBoolean running = new AtomicBoolean(true);
  final AtomicLong sent = new AtomicLong();

  Flood(DefendedSite site, int threadCount) {
    this.site = site;
    this.threads = java.util.stream.IntStream.range(0, threadCount)
        .mapToObj(i -> new Thread(this::run, "flood-" + i)).toList();
  }

  void start() {
    threads.forEach(Thread::start);
  }

  void stop() throws InterruptedException {
    running.set(false);
    for (Thread thread : threads) {
      thread.join(20_000);
    }
  }

  private void run() {
    while (running.get()) {
      try {
        site.get(ORIGIN_ADDRESS, "/index.html");
        sent.incrementAndGet();
      } catch (Exception e) {
        // a flood does not care
      }
    }
  }
}
