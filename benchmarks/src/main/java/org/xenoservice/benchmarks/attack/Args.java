package org.xenoservice.benchmarks.attack;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --name value} arguments of the testbed's mains; every one is required unless given a default. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
            }
            values.put(args[i].substring(2), args[++i]);
        }
    }

    String get(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    long getLong(String name) {
        return Long.parseLong(get(name));
    }

    long getLong(String name, long fallback) {
        return values.containsKey(name) ? Long.parseLong(values.get(name)) : fallback;
    }

    List<String> getList(String name) {
        return List.of(get(name).split(","));
    }

    /** {@code host:port}, or {@code host} with port 53. */
    InetSocketAddress dnsServer() {
        String text = get("dns");
        int colon = text.lastIndexOf(':');
        return colon < 0
                ? new InetSocketAddress(text, 53)
                : new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    /** Sleeps until {@code epochMillis} (bounded: at most ten minutes ahead). */
    static void sleepUntil(long epochMillis) throws InterruptedException {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 600_000) {
            throw new IllegalArgumentException("start time is more than ten minutes ahead: " + epochMillis);
        }
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
