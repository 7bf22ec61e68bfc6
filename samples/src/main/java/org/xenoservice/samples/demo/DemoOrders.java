package org.xenoservice.samples.demo;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stand-in shop's order book: each order once per idempotency key, in memory. The bookstore's
 * {@code OrderBook} replaces it (see {@link DemoShop}); it has the same three operations.
 */
final class DemoOrders {
  private final Map<String, String> orders = new ConcurrentHashMap<>();
  private final AtomicLong duplicatesRefused = new AtomicLong();

  /** Records an order; a key seen before is refused (counted) and returns false. */
  boolean place(String idempotencyKey, String form) {
    if (orders.putIfAbsent(idempotencyKey, form) != null) {
      duplicatesRefused.incrementAndGet();
      return false;
    }
    return true;
  }

  /** Orders recorded. */
  long count() {
    return orders.size();
  }

  /** Orders refused because their key was recorded already (a retry or a redelivery). */
  long duplicatesRefused() {
    return duplicatesRefused.get();
  }
}
