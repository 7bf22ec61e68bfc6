/**
 * Micrometer meters for a {@link org.xenoservice.XenoService}: {@link org.xenoservice.micrometer.XenoServiceMeters}
 * binds what {@code /_xeno/status} shows to an application's {@code MeterRegistry}, so that a flood and
 * the defence show up in the dashboards the application already has.
 */
package org.xenoservice.micrometer;
