/**
 * The Spring Boot starter: from {@code xenoservice.*} properties it starts one
 * {@link org.xenoservice.XenoService}, puts {@link org.xenoservice.servlet.XenoFilter} first in the
 * app's filter chain, and shows the service in Actuator (health, the {@code xenoservice} endpoint) and
 * Micrometer. An app adds the dependency and the properties; nothing else.
 */
package org.xenoservice.spring;
