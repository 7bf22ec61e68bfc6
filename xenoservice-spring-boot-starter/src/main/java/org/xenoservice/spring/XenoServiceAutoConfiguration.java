package org.xenoservice.spring;

import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.xenoservice.XenoConfig;
import org.xenoservice.XenoService;
import org.xenoservice.servlet.XenoFilter;

/**
 * Protects a Spring Boot servlet app with XenoService as soon as any {@code xenoservice.*} property
 * is set ({@link XenoServiceProperties}): starts one {@link XenoService}, closed with the context,
 * and registers {@link XenoFilter} first in the filter chain for every path. A wrong or missing
 * property fails the app's start with a message that names it, so that no app runs unprotected by
 * mistake; {@code xenoservice.enabled=false} turns the starter off.
 *
 * <p>The site's static files are, unless {@code xenoservice.static.directory} names a directory,
 * those Spring MVC serves from {@code spring.web.resources.static-locations}. What properties cannot
 * say, such as the handler that applies captured orders, an app adds with a
 * {@link XenoConfigCustomizer} bean. An app that starts its own {@code XenoService} bean keeps it:
 * the filter then uses that one.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@Conditional(OnXenoServiceProperties.class)
@EnableConfigurationProperties(XenoServiceProperties.class)
public class XenoServiceAutoConfiguration {
    /** Spring MVC's own default, for an app that does not set {@code spring.web.resources.static-locations}. */
    static final List<String> DEFAULT_STATIC_LOCATIONS = List.of(
            "classpath:/META-INF/resources/", "classpath:/resources/", "classpath:/static/", "classpath:/public/");

    /** Where relative paths in the properties are taken from. */
    private static final Path WORKING_DIRECTORY = Path.of("");

    /** Used by Spring; the app never makes one. */
    public XenoServiceAutoConfiguration() {}

    /**
     * The app's XenoService, from the properties and the app's customizers.
     *
     * @throws IllegalArgumentException naming the {@code xenoservice.*} property that is wrong or missing
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public XenoService xenoService(
            XenoServiceProperties properties,
            ObjectProvider<XenoConfigCustomizer> customizers,
            Environment environment,
            ResourcePatternResolver resources) {
        ConfigKeys.requireEssentials(properties);
        Map<String, String> keys = ConfigKeys.of(properties);
        ConfigKeys.requireReadableFiles(keys, WORKING_DIRECTORY);
        XenoConfig config;
        try {
            XenoConfig.Builder builder = XenoConfig.builder().load(keys, WORKING_DIRECTORY);
            if (!builder.hasStaticSource()) {
                List<String> locations = Binder.get(environment)
                        .bind("spring.web.resources.static-locations", Bindable.listOf(String.class))
                        .orElse(DEFAULT_STATIC_LOCATIONS);
                builder.staticSource(new StaticLocationsSource(resources, locations));
            }
            customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
            config = builder.build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "XenoService cannot start from the xenoservice.* properties: "
                            + ConfigKeys.propertyNames(String.valueOf(e.getMessage())),
                    e);
        }
        try {
            return XenoService.start(config);
        } catch (IOException e) {
            throw new IllegalStateException("XenoService for " + config.site() + " cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * {@link XenoFilter} for every path, before every other filter, async supported. Only requests as
     * they arrive ({@link DispatcherType#REQUEST}): the filter follows an async request to its end by
     * itself, and forwards, includes and error pages are part of the request it already records.
     */
    @Bean
    @ConditionalOnMissingBean(name = "xenoFilterRegistration")
    public FilterRegistrationBean<XenoFilter> xenoFilterRegistration(XenoService service) {
        FilterRegistrationBean<XenoFilter> registration = new FilterRegistrationBean<>(new XenoFilter(service));
        registration.setName("xeno");
        registration.addUrlPatterns("/*");
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
