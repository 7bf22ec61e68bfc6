package org.xenoservice.overload;

/**
 * What the detector reads from the process besides requests: CPU time and GC time. A seam so that
 * tests can play a trace with CPU and GC of their choosing. Called from the detector thread only.
 */
interface SystemSignals {
    /** CPU time the process has used, nanoseconds, cumulative. */
    long processCpuNanos();

    /** The number of CPUs the process may use (the container's quota, not the host's cores). */
    double availableCpus();

    /** Time the JVM spent in garbage collection, nanoseconds, cumulative. */
    long gcNanos();
}
