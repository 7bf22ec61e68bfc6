/**
 * The origin's end of the {@code capture} policy: {@link org.xenoservice.intake.CaptureIntake}
 * takes the requests peers forward and applies each idempotency key once through the application's
 * {@link org.xenoservice.intake.CaptureHandler}, keeping the applied keys in a durable ledger.
 * Only the origin uses it.
 */
package org.xenoservice.intake;
