package org.xenoservice.spring;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.xenoservice.XenoService;

/**
 * The Actuator endpoint {@code xenoservice}: what {@code /_xeno/status} shows, where the app's
 * operators already look, and the switch an operator who sees an attack coming throws.
 *
 * <ul>
 *   <li>{@code GET /actuator/xenoservice}: the status document (the JSON of {@code /_xeno/status});
 *   <li>{@code POST /actuator/xenoservice} with {@code {"underAttack": true}}: "under attack" mode,
 *       the detector forced to OVERLOADED ({@code OverloadDetector.forceOverloaded()}), so that the
 *       replicator moves the site to its peers at once; {@code {"underAttack": false}} releases it to
 *       its own measurements. The answer is the detector's state and whether it is forced.
 * </ul>
 *
 * <p>Like every Actuator endpoint it is reachable over HTTP only once exposed
 * ({@code management.endpoints.web.exposure.include=health,xenoservice}); its write operation moves
 * the site's DNS name, so expose it only behind the app's management security. Safe for concurrent use.
 */
@Endpoint(id = "xenoservice")
public final class XenoServiceEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(XenoServiceEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final XenoService service;

    /** The endpoint of {@code service}. */
    public XenoServiceEndpoint(XenoService service) {
        this.service = Objects.requireNonNull(service, "service");
    }

    /** The status document, as {@code /_xeno/status} serves it. */
    @ReadOperation
    public Map<String, Object> status() {
        try {
            return JSON.readValue(service.status().json(), new TypeReference<Map<String, Object>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("the status document is JSON XenoService wrote itself", e);
        }
    }

    /**
     * Forces "under attack" mode on ({@code true}) or releases it ({@code false}).
     *
     * @return the detector's state and whether it is forced, afterwards
     */
    @WriteOperation
    public Map<String, Object> underAttack(boolean underAttack) {
        if (underAttack) {
            LOG.warn(
                    "{}: under attack mode forced on through Actuator",
                    service.config().site());
            service.detector().forceOverloaded();
        } else {
            LOG.warn(
                    "{}: under attack mode released through Actuator",
                    service.config().site());
            service.detector().release();
        }
        return Map.of("detector", service.detector().state().name(), "forced", underAttack);
    }
}
