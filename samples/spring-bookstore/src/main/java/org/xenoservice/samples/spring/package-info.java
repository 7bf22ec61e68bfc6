/**
 * The antiquarian bookstore of {@code org.xenoservice.samples.bookstore} as a Spring Boot app: a
 * controller for the search and the order form, the generated pages from {@code classpath:/static},
 * and XenoService from the starter and {@code application.properties} alone.
 */
package org.xenoservice.samples.spring;
