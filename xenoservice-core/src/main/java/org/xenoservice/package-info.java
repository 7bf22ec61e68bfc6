/**
 * The facade, on the origin: {@link org.xenoservice.XenoService}, built from a
 * {@link org.xenoservice.XenoConfig}, is the one object an application adds to defend its site;
 * adapters for Undertow and servlet containers feed it every request through its
 * {@link org.xenoservice.RequestTracker}, the one per-request contract they share, and serve its
 * own paths.
 */
package org.xenoservice;
