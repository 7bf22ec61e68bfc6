package org.xenoservice.spring;

import org.xenoservice.XenoConfig;

/**
 * Adds to the configuration the starter builds from the {@code xenoservice.*} properties what
 * properties cannot say: above all the app's own {@link org.xenoservice.intake.CaptureHandler}, which
 * applies the orders peers captured during a flood. Declare one as a bean:
 *
 * <pre>{@code
 * @Bean
 * XenoConfigCustomizer orders(OrderBook book) {
 *     return config -> config.captureHandler(request -> book.place(request.idempotencyKey(), request.body()));
 * }
 * }</pre>
 *
 * <p>Customizers run in their {@code @Order}, after the properties are applied and before the
 * configuration is built and checked, on the thread that starts the application context.
 */
@FunctionalInterface
public interface XenoConfigCustomizer {
    /** Adds to or changes {@code config}; a value that is wrong fails the app's start. */
    void customize(XenoConfig.Builder config);
}
