package org.xenoservice.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.client.PeerClient;

/**
 * Build and push progress on stderr, for work that takes a while: silent for the first second, then one
 * line per phase at most every second, so short builds print nothing and logs stay readable.
 */
final class StderrProgress implements BundleBuilder.BuildProgress, PeerClient.ProgressListener {
    private static final long QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PrintWriter err;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private long lastPrintNanos;
    private String lastPhase = "";

    StderrProgress(PrintWriter err, LongSupplier nanoClock) {
        this.err = err;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.lastPrintNanos = startNanos;
    }

    @Override
    public void progress(String phase, long doneBytes, long totalBytes) {
        long now = nanoClock.getAsLong();
        boolean finished = doneBytes >= totalBytes;
        if (now - startNanos < QUIET_NANOS) {
            return;
        }
        boolean due = now - lastPrintNanos >= INTERVAL_NANOS || (finished && !phase.equals(lastPhase));
        if (!due) {
            return;
        }
        lastPrintNanos = now;
        lastPhase = phase;
        int percent = totalBytes == 0 ? 100 : (int) (100 * doneBytes / totalBytes);
        err.printf(
                Locale.ROOT, "%s: %d%% (%s of %s)%n", phase, percent, Sizes.human(doneBytes), Sizes.human(totalBytes));
        err.flush();
    }
}
