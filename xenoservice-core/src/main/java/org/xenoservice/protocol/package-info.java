/**
 * The wire formats the origin and its peer hosts share, in one place so that both ends read what
 * the other writes: the control calls' signature ({@link org.xenoservice.protocol.ControlSignature})
 * and JSON bodies ({@link org.xenoservice.protocol.ControlCodec}, {@link org.xenoservice.protocol.SiteStatus}),
 * and the delivery of captured requests ({@link org.xenoservice.protocol.CapturedRequest},
 * {@link org.xenoservice.protocol.CaptureDelivery}). Both sides use it; it depends on no other side.
 */
package org.xenoservice.protocol;
