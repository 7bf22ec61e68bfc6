/**
 * Dynamic paths: what a replica does with a request its static bundle cannot answer. The route
 * policies' settings ({@link org.xenoservice.dynamic.DegradePolicy}, {@link org.xenoservice.dynamic.ProxyPolicy},
 * {@link org.xenoservice.dynamic.CapturePolicy}) are read on both sides, by the origin's
 * configuration and by the peer host; the {@link org.xenoservice.dynamic.CaptureJournal}, which
 * keeps each captured request durably (checksummed, fsynced, one record per idempotency key) until
 * the origin has acknowledged it, runs on the peer host.
 */
package org.xenoservice.dynamic;
