package org.xenoservice.peer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServedSiteRouteTest {
  @Test
  void prefixWithoutSlashMatchesItselfAndBelow() {
    assertTrue(ServedSite.prefixMatches("/order", "/order"));
    assertTrue(ServedSite.prefixMatches("/order", "/order/1"));
    assertFalse(ServedSite.prefixMatches("/order", "/orders"));
    assertFalse(ServedSite.prefixMatches("/order", "/"));
  }

  @Test
  void prefixWithSlashMatchesBelowIt() {
    assertTrue(ServedSite.prefixMatches("/api/", "/api/x"));
    assertTrue(ServedSite.prefixMatches("/api/", "/api/"));
    assertFalse(ServedSite.prefixMatches("/api/", "/api"));
    assertTrue(ServedSite.prefixMatches("/", "/anything"));
  }
}
