/**
 * Dynamic paths on a replica: what a peer does with a request its static bundle cannot answer.
 * The policies' settings are checked here ({@link org.xenoservice.dynamic.DegradePolicy},
 * {@link org.xenoservice.dynamic.ProxyPolicy}, {@link org.xenoservice.dynamic.CapturePolicy}).
 * For {@code capture}, {@link org.xenoservice.dynamic.CaptureJournal} keeps each
 * {@link org.xenoservice.dynamic.CapturedRequest} durably (checksummed, fsynced, one record per
 * idempotency key) until the origin has acknowledged it, and survives a crash mid-write;
 * {@link org.xenoservice.dynamic.Captures} keeps a journal per site and forwards it to the origin.
 */
package org.xenoservice.dynamic;
