package org.xenoservice.peer;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Each site's share of a peer's outgoing bandwidth, enforced on the bytes as they are sent: a
 * token bucket per site, shared by all of the site's connections and streams, refilled at
 * {@code bandwidth-bytes-per-second} × the site's
 * {@link org.xenoservice.protocol.SiteQuota#bandwidthShare() share} and holding at most a tenth of
 * a second's worth (and at least {@value #MIN_BURST_BYTES} bytes). A sender asks {@link #take} for
 * the bytes it would write; when it gets none it waits {@link #nanosUntil} (on a timer, never by
 * blocking a thread) and asks again. So ten parallel downloads of a site share its rate, and a
 * site over its share slows down rather than taking another tenant's.
 *
 * <pre>{@code
 * long granted = limiter.take("books.example", 16 * 1024);
 * if (granted == 0) {
 *   timer.schedule(this::retry, limiter.nanosUntil("books.example", 16 * 1024), NANOSECONDS);
 * }
 * }</pre>
 *
 * <p>Safe for concurrent use, lock-free and allocation-free: a bucket is one {@link AtomicLong},
 * the time at which every byte granted so far is paid for (the generic cell rate algorithm).
 */
public final class BandwidthLimiter {
    /** The least a site's bucket holds, so that a small share still sends whole writes. */
    public static final long MIN_BURST_BYTES = 16 * 1024;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    /**
     * A limiter for the enrolled sites, dividing {@code peerBytesPerSecond} among them by their
     * quotas' shares; 0 leaves every site unlimited.
     *
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    public BandwidthLimiter(Iterable<Enrollment> enrollments, LongSupplier nanoClock, long peerBytesPerSecond) {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (peerBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "peerBytesPerSecond must be 0 (unlimited) or positive, but was " + peerBytesPerSecond);
        }
        if (peerBytesPerSecond == 0) {
            return;
        }
        long now = nanoClock.getAsLong();
        for (Enrollment enrollment : enrollments) {
            double bytesPerSecond = peerBytesPerSecond * enrollment.quota().bandwidthShare();
            buckets.put(enrollment.site(), new Bucket(bytesPerSecond, now));
        }
    }

    /**
     * Follows a reload: divides {@code peerBytesPerSecond} (0: unlimited) among {@code enrollments}
     * again. A site whose rate is unchanged keeps its bucket; a new or changed one starts full; a
     * dropped one is no longer paced. Safe while bytes are sent.
     */
    public void reenroll(Collection<Enrollment> enrollments, long peerBytesPerSecond) {
        if (peerBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "peerBytesPerSecond must be 0 (unlimited) or positive, but was " + peerBytesPerSecond);
        }
        Set<String> kept = new HashSet<>();
        long now = nanoClock.getAsLong();
        for (Enrollment enrollment : peerBytesPerSecond == 0 ? List.<Enrollment>of() : enrollments) {
            double bytesPerSecond = peerBytesPerSecond * enrollment.quota().bandwidthShare();
            kept.add(enrollment.site());
            Bucket known = buckets.get(enrollment.site());
            if (known == null || known.bytesPerNano != bytesPerSecond / 1e9) {
                buckets.put(enrollment.site(), new Bucket(bytesPerSecond, now));
            }
        }
        buckets.keySet().retainAll(kept);
    }

    /** Whether sends for {@code site} are paced at all (false: unlimited, or a site this peer does not host). */
    public boolean limits(String site) {
        return buckets.containsKey(site.toLowerCase(Locale.ROOT));
    }

    /** The rate {@code site} is paced at, bytes per second; 0 when it is not limited. */
    public double bytesPerSecond(String site) {
        Bucket bucket = buckets.get(site.toLowerCase(Locale.ROOT));
        return bucket == null ? 0 : bucket.bytesPerNano * 1e9;
    }

    /**
     * Takes up to {@code wanted} bytes of {@code site}'s bucket.
     *
     * @return the bytes the caller may send now, from 0 (wait {@link #nanosUntil}) to {@code wanted};
     *     {@code wanted} when the site is not limited
     */
    public long take(String site, long wanted) {
        Bucket bucket = buckets.get(site.toLowerCase(Locale.ROOT));
        return bucket == null || wanted <= 0 ? Math.max(0, wanted) : bucket.take(wanted, nanoClock.getAsLong());
    }

    /** How long until {@code site}'s bucket holds {@code wanted} bytes (or is full), in nanoseconds; 0 if now. */
    public long nanosUntil(String site, long wanted) {
        Bucket bucket = buckets.get(site.toLowerCase(Locale.ROOT));
        return bucket == null ? 0 : bucket.nanosUntil(wanted, nanoClock.getAsLong());
    }

    /** Returns bytes that were {@linkplain #take taken} but not sent (the connection would have blocked). */
    public void giveBack(String site, long bytes) {
        Bucket bucket = buckets.get(site.toLowerCase(Locale.ROOT));
        if (bucket != null && bytes > 0) {
            bucket.giveBack(bytes);
        }
    }

    /** One site's bucket: {@code paidUntil} is when every byte granted so far has been refilled. */
    private static final class Bucket {
        private final double bytesPerNano;
        private final long capacity;
        private final long capacityNanos;
        private final AtomicLong paidUntil;

        Bucket(double bytesPerSecond, long now) {
            this.bytesPerNano = bytesPerSecond / 1e9;
            this.capacity = Math.max(MIN_BURST_BYTES, (long) (bytesPerSecond / 10));
            this.capacityNanos = (long) Math.ceil(capacity / bytesPerNano);
            this.paidUntil = new AtomicLong(now - capacityNanos);
        }

        long take(long wanted, long now) {
            while (true) {
                long paid = paidUntil.get();
                long start = Math.max(paid, now - capacityNanos);
                long available = (long) ((now - start) * bytesPerNano);
                if (available < 1) {
                    return 0;
                }
                long granted = Math.min(wanted, available);
                long next = start + (long) Math.ceil(granted / bytesPerNano);
                if (paidUntil.compareAndSet(paid, next)) {
                    return granted;
                }
            }
        }

        long nanosUntil(long wanted, long now) {
            long needed = Math.min(wanted, capacity);
            long start = Math.max(paidUntil.get(), now - capacityNanos);
            double have = (now - start) * bytesPerNano;
            return have >= needed ? 0 : (long) Math.ceil((needed - have) / bytesPerNano);
        }

        void giveBack(long bytes) {
            paidUntil.addAndGet(-(long) (bytes / bytesPerNano));
        }
    }
}
