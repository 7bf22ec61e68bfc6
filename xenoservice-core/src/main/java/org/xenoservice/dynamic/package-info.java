/**
 * Dynamic paths on a replica: what a peer does with a request its static bundle cannot answer.
 * For the {@code capture} policy, {@link org.xenoservice.dynamic.CaptureJournal} keeps each
 * {@link org.xenoservice.dynamic.CapturedRequest} durably (checksummed, fsynced, one record per
 * idempotency key) until the origin has acknowledged it, and survives a crash mid-write.
 */
package org.xenoservice.dynamic;
