package org.xenoservice.peer.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Caps the connections a listener (or several sharing one cap) holds: at most
 * {@code maxPerAddress} from one client address and {@code maxTotal} in all. A connection over
 * either is closed as soon as it is accepted, before a byte of it is read, so that one address
 * cannot take the peer's connections and a flood from many cannot take its file descriptors.
 *
 * <p>Undertow gives an accepted connection's close listener to its own connection object, so the
 * cap does not hear of closes: it keeps the connections it admitted and forgets those no longer
 * open when it next counts them (an address's on each of its accepts; all of them, at most every
 * 100 ms, when the total is reached). Safe for concurrent use; an address's connections are
 * changed only inside {@link ConcurrentHashMap#compute}.
 */
final class ConnectionCap {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionCap.class);
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final InetAddress UNKNOWN = InetAddress.getLoopbackAddress();

    private final int maxTotal;
    private final int maxPerAddress;
    private final Map<InetAddress, List<StreamConnection>> byAddress = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime() - SWEEP_INTERVAL_NANOS);

    ConnectionCap(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** {@code open}, behind this cap: connections over it are closed and never reach it. */
    ChannelListener<StreamConnection> guard(ChannelListener<? super StreamConnection> open) {
        return connection -> {
            if (admit(connection)) {
                open.handleEvent(connection);
            } else {
                IoUtils.safeClose(connection);
            }
        };
    }

    private boolean admit(StreamConnection connection) {
        InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
        InetAddress address = peer == null ? UNKNOWN : peer.getAddress();
        if (total.get() >= maxTotal) {
            sweep();
        }
        boolean[] admitted = {false};
        byAddress.compute(address, (key, held) -> {
            List<StreamConnection> open = held == null ? new ArrayList<>() : held;
            forgetClosed(open);
            if (open.size() < maxPerAddress && total.get() < maxTotal) {
                open.add(connection);
                total.incrementAndGet();
                admitted[0] = true;
            }
            return open.isEmpty() ? null : open;
        });
        if (!admitted[0]) {
            LOG.debug(
                    "refused a connection from {}: over {} per address or {} in all", address, maxPerAddress, maxTotal);
        }
        return admitted[0];
    }

    /** Forgets every closed connection, at most once per {@link #SWEEP_INTERVAL_NANOS}. */
    private void sweep() {
        long last = lastSweep.get();
        long now = System.nanoTime();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (InetAddress address : byAddress.keySet()) {
            byAddress.computeIfPresent(address, (key, held) -> {
                forgetClosed(held);
                return held.isEmpty() ? null : held;
            });
        }
    }

    private void forgetClosed(List<StreamConnection> held) {
        int before = held.size();
        held.removeIf(connection -> !connection.isOpen());
        total.addAndGet(held.size() - before);
    }
}
