/**
 * Noticing on the origin, inside the process and within a fraction of a second, that the site is
 * flooded or saturating, and never on an ordinary busy hour. {@link org.xenoservice.overload.RequestRecorder}
 * counts requests on the request path without locks or allocation;
 * {@link org.xenoservice.overload.OverloadDetector} turns the counts into signals every 100 ms,
 * learns their baselines, and moves through NORMAL, SURGING, OVERLOADED and RECOVERING, telling its
 * listeners with {@link org.xenoservice.overload.OverloadEvent}s.
 */
package org.xenoservice.overload;
