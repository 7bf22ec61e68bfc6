package org.xenoservice.overload;

/**
 * What a {@link RequestRecorder} counted over its last three seconds, for adapter tests outside
 * core's package: the buckets the detector has not yet cleared (it clears half a ring ahead).
 *
 * @param completions requests ended
 * @param errors requests ended with a 5xx or status 0
 * @param staticCompletions requests ended as static
 * @param dynamicCompletions requests ended as dynamic
 * @param bytes body bytes sent
 * @param queued requests that waited for a worker
 * @param route0 requests ended on route key 0
 */
public record RecentCounts(long completions, long errors, long staticCompletions, long dynamicCompletions,
    long bytes, long queued, long route0) {
  private static final int INTERVALS = 30;

  /** Sums the recorder's last {@value #INTERVALS} buckets, up to the one in progress. */
  public static RecentCounts of(RequestRecorder recorder) {
    long now = recorder.intervalAt(recorder.clock().nanoTime());
    long[] sum = new long[7];
    for (long interval = now - INTERVALS + 1; interval <= now; interval++) {
      IntervalCounts counts = recorder.read(interval);
      sum[0] += counts.completions();
      sum[1] += counts.errors();
      sum[2] += counts.staticCompletions();
      sum[3] += counts.dynamicCompletions();
      sum[4] += counts.bytes();
      sum[5] += counts.queued();
      sum[6] += counts.routeCounts()[0];
    }
    return new RecentCounts(sum[0], sum[1], sum[2], sum[3], sum[4], sum[5], sum[6]);
  }
}
