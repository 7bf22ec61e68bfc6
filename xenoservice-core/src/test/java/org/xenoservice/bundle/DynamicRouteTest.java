package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xenoservice.bundle.DynamicRoute.Policy;

class DynamicRouteTest {
    private static DynamicRoute route(String prefix) {
        return new DynamicRoute(prefix, Policy.DEGRADE, Map.of());
    }

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

    @Test
    void longestCoveringPrefixDecides() {
        List<DynamicRoute> routes = List.of(route("/"), route("/order/admin"), route("/order"));
        assertEquals(Optional.of(routes.get(2)), DynamicRoute.decide(routes, "/order/1"));
        assertEquals(Optional.of(routes.get(1)), DynamicRoute.decide(routes, "/order/admin/x"));
        assertEquals(Optional.of(routes.get(0)), DynamicRoute.decide(routes, "/orders"));
        assertEquals(Optional.empty(), DynamicRoute.decide(List.of(route("/order")), "/other"));
    }
}
