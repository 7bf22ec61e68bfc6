/**
 * XenoService for Undertow applications: {@link org.xenoservice.undertow.XenoHandler} wraps an
 * application's handlers so that every request feeds the overload detector and XenoService's own
 * paths ({@code /_xeno/status}, {@code /_xeno/metrics}, {@code /_xeno/intake}) reach the service.
 */
package org.xenoservice.undertow;
