package org.xenoservice.replicate;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the replicator did, in words: every step is logged at INFO (under the {@link Replicator}'s
 * logger name) and the latest {@value #RECENT_STEPS} are kept for {@link ReplicationStatus#recentSteps()}.
 * Safe for concurrent use.
 */
final class StepLog {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);
    static final int RECENT_STEPS = 100;

    private final String site;
    private final Deque<ReplicationStatus.Step> steps = new ArrayDeque<>();

    StepLog(String site) {
        this.site = site;
    }

    /** Logs a step and keeps it among the recent ones. */
    void step(Instant now, String message) {
        LOG.info("{}: {}", site, message);
        synchronized (steps) {
            steps.addLast(new ReplicationStatus.Step(now, message));
            while (steps.size() > RECENT_STEPS) {
                steps.removeFirst();
            }
        }
    }

    /** The latest steps, oldest first. */
    List<ReplicationStatus.Step> recent() {
        synchronized (steps) {
            return List.copyOf(steps);
        }
    }
}
