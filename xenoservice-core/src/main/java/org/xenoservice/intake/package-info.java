/**
 * The origin's end of the {@code capture} policy: {@link org.xenoservice.intake.CaptureIntake}
 * takes the requests peers forward and applies each idempotency key once through the application's
 * {@link org.xenoservice.intake.CaptureHandler}, keeping the applied keys in a durable ledger;
 * {@link org.xenoservice.intake.OriginCaptures} journals the capture requests the origin itself has
 * no room for and applies them through the same intake later. Only the origin uses it.
 */
package org.xenoservice.intake;
