package org.xenoservice.e2e;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Orders by idempotency key, counting how often each was applied. */
public final class Orders extends ConcurrentHashMap<String, AtomicLong> {
    private static final long serialVersionUID = 1L;

    public void apply(String key) {
        computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }
}
