/**
 * Admission control on the origin: while it is overloaded or sheltered, the application's dynamic
 * work is bounded by a concurrency limit that adapts to the latency it measures, and the peers'
 * back-channel requests have a share of it that direct traffic cannot take. {@link
 * org.xenoservice.admission.AdmissionControl} decides on the request path without locks or
 * allocation; the adapters call it around the application and answer a refused request cheaply
 * (503 with {@code Retry-After}, or the route's degrade page) without running it.
 */
package org.xenoservice.admission;
