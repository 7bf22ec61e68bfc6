package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServedSiteRouteTest {
  @Test
  void prefixWithoutSlashMatchesItselfAndBelow() {
    assertTrue(route("/order").covers("/order"));
    assertTrue(route("/order").covers("/order/1"));
    assertFalse(route("/order").covers("/orders"));
    assertFalse(route("/order").covers("/"));
  }

  @Test
  void prefixWithSlashMatchesBelowIt() {
    assertTrue(route("/api/").covers("/api/x"));
    assertTrue(route("/api/").covers("/api/"));
    assertFalse(route("/api/").covers("/api"));
    assertTrue(route("/").covers("/anything"));
  }

  private static org.xenoservice.bundle.DynamicRoute route(String prefix) {
    return new org.xenoservice.bundle.DynamicRoute(prefix, org.xenoservice.bundle.DynamicRoute.Policy.DEGRADE,
        java.util.Map.of());
  }
}
