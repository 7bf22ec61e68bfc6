package org.xenoservice.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.xenoservice.XenoService;

/**
 * Shows the app's {@link XenoService} in Actuator, for apps with {@code spring-boot-starter-actuator}:
 * the health indicator {@code xenoservice} ({@link XenoServiceHealthIndicator}) and the endpoint
 * {@code xenoservice} ({@link XenoServiceEndpoint}). Each is left to the app when it declares its own.
 */
@AutoConfiguration(after = XenoServiceAutoConfiguration.class)
@ConditionalOnBean(XenoService.class)
public class XenoServiceActuatorAutoConfiguration {
    /** Used by Spring; the app never makes one. */
    public XenoServiceActuatorAutoConfiguration() {}

    /** The health indicator, where Spring Boot's health support is on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {
        @Bean(name = "xenoserviceHealthIndicator")
        @ConditionalOnMissingBean(XenoServiceHealthIndicator.class)
        XenoServiceHealthIndicator xenoserviceHealthIndicator(XenoService service) {
            return new XenoServiceHealthIndicator(service);
        }
    }

    /** The endpoint, where Actuator's endpoint support is on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class Endpoint {
        @Bean
        @ConditionalOnMissingBean
        XenoServiceEndpoint xenoServiceEndpoint(XenoService service) {
            return new XenoServiceEndpoint(service);
        }
    }
}
