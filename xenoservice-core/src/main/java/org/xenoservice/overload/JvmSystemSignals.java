package org.xenoservice.overload;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;

/**
 * CPU and GC time from the JVM's management beans. {@code availableProcessors()} follows the
 * container's CPU quota (cgroups v1 and v2) since JDK 10, so CPU use is a share of what the
 * process may use, not of the host.
 */
final class JvmSystemSignals implements SystemSignals {
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();

    @Override
    public long processCpuNanos() {
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            long nanos = sun.getProcessCpuTime();
            return nanos < 0 ? 0 : nanos;
        }
        return 0;
    }

    @Override
    public double availableCpus() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public long gcNanos() {
        long millis = 0;
        for (GarbageCollectorMXBean collector : collectors) {
            long time = collector.getCollectionTime();
            if (time > 0 && !collector.getName().contains("Concurrent")) {
                millis += time;
            }
        }
        return millis * 1_000_000;
    }
}
