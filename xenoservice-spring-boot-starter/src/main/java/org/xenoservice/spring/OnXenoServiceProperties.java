package org.xenoservice.spring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when any {@code xenoservice.*} property is set (other than {@code xenoservice.enabled=false}):
 * a single property is enough to turn protection on, so that one that is missing or misspelt fails
 * the app's start with a message about it rather than leave the app running unprotected.
 */
final class OnXenoServiceProperties extends SpringBootCondition {
    private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of(XenoServiceProperties.PREFIX);
    private static final ConfigurationPropertyName ENABLED = PREFIX.append("enabled");

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        if ("false".equals(context.getEnvironment().getProperty(ENABLED.toString()))) {
            return ConditionOutcome.noMatch("xenoservice.enabled is false");
        }
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(context.getEnvironment())) {
            if (source instanceof IterableConfigurationPropertySource names) {
                boolean any = names.stream().anyMatch(name -> PREFIX.isAncestorOf(name) && !name.equals(ENABLED));
                if (any) {
                    return ConditionOutcome.match("xenoservice.* properties are set");
                }
            }
        }
        return ConditionOutcome.noMatch("no xenoservice.* property is set");
    }
}
