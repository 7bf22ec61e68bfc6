package org.xenoservice.spring;

import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.xenoservice.XenoService;
import org.xenoservice.micrometer.XenoServiceMeters;

/**
 * Registers {@link XenoServiceMeters} for the app's {@link XenoService}, for apps with Micrometer:
 * Spring Boot binds every {@link MeterBinder} bean to the app's meter registries, so the service's
 * figures reach its Prometheus scrape ({@code /actuator/prometheus}) or whatever else it exports to.
 */
@AutoConfiguration(after = XenoServiceAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(XenoService.class)
public class XenoServiceMetricsAutoConfiguration {
    /** Used by Spring; the app never makes one. */
    public XenoServiceMetricsAutoConfiguration() {}

    /** The service's meters. */
    @Bean
    @ConditionalOnMissingBean
    public XenoServiceMeters xenoServiceMeters(XenoService service) {
        return new XenoServiceMeters(service);
    }
}
