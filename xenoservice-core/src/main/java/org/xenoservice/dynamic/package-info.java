/**
 * Dynamic paths: what a peer does with a request its static bundle cannot answer, and the origin's
 * end of {@code capture}.
 * The policies' settings are checked here ({@link org.xenoservice.dynamic.DegradePolicy},
 * {@link org.xenoservice.dynamic.ProxyPolicy}, {@link org.xenoservice.dynamic.CapturePolicy}).
 * For {@code capture}, {@link org.xenoservice.dynamic.CaptureJournal} keeps each
 * {@link org.xenoservice.dynamic.CapturedRequest} durably (checksummed, fsynced, one record per
 * idempotency key) until the origin has acknowledged it, and survives a crash mid-write;
 * {@link org.xenoservice.dynamic.Captures} keeps a journal per site and forwards it to the origin.
 * At the origin, {@link org.xenoservice.dynamic.CaptureIntake} takes the forwarded requests and
 * applies each idempotency key once through the application's
 * {@link org.xenoservice.dynamic.CaptureHandler}, keeping the applied keys in a durable ledger.
 */
package org.xenoservice.dynamic;
