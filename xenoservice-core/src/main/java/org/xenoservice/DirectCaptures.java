package org.xenoservice;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.dynamic.CapturePolicy;
import org.xenoservice.intake.CaptureIntake;
import org.xenoservice.intake.OriginCaptureRefusedException;
import org.xenoservice.intake.OriginCaptures;
import org.xenoservice.protocol.CaptureDelivery;
import org.xenoservice.protocol.CaptureRules;
import org.xenoservice.protocol.CapturedRequest;

/**
 * The facade's half of "orders never refused": turns a direct request of a {@code capture} route,
 * as an adapter hands it over, into a {@link CapturedRequest} the way a peer does (the
 * {@code Idempotency-Key} header or a random UUID, {@code Content-Type} kept, the target in the
 * normal form of {@link CaptureRules}), journals it in the {@link OriginCaptures}, and says what to
 * answer. Exists only when the origin has a capture handler and a capture route. Safe for
 * concurrent use.
 */
final class DirectCaptures implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectCaptures.class);

    /** The journal's directory under the state directory. */
    static final String DIRECTORY = "origin-capture";

    private static final Map<String, String> NO_STORE = Map.of("Cache-Control", "no-store");

    private final String site;
    private final List<DynamicRoute> routes;
    private final OriginCaptures captures;

    private DirectCaptures(String site, List<DynamicRoute> routes, OriginCaptures captures) {
        this.site = site;
        this.routes = routes;
        this.captures = captures;
    }

    /**
     * Opens the journal in the state directory when there is an intake (a capture handler and a
     * capture route), applying through it while {@code appHasRoom} says so.
     */
    static Optional<DirectCaptures> open(XenoConfig config, Optional<CaptureIntake> intake, BooleanSupplier appHasRoom)
            throws IOException {
        if (intake.isEmpty()) {
            return Optional.empty();
        }
        OriginCaptures captures = OriginCaptures.builder(
                        config.stateDirectory().resolve(DIRECTORY), intake.get(), appHasRoom)
                .open();
        return Optional.of(new DirectCaptures(config.site(), config.dynamicRoutes(), captures));
    }

    /** The capture route that decides {@code path} (decoded, without the query), if one does. */
    Optional<DynamicRoute> route(String path) {
        return DynamicRoute.decide(routes, path).filter(route -> route.policy() == DynamicRoute.Policy.CAPTURE);
    }

    /** See {@link XenoService#journalCapture}. */
    Optional<CaptureAnswer> journal(
            String method, String target, Function<String, Optional<String>> header, byte[] body) {
        String normal;
        Optional<DynamicRoute> route;
        try {
            normal = CaptureRules.normalizeTarget(target);
            route = route(CaptureRules.decodedPath(normal));
        } catch (IllegalArgumentException e) {
            return Optional.of(
                    refused(400, "the request target cannot be captured: " + e.getMessage(), Optional.empty()));
        }
        if (route.isEmpty()) {
            return Optional.empty();
        }
        if (body.length > CapturedRequest.MAX_BODY_BYTES) {
            return Optional.of(refused(
                    413, "the body must be at most " + CapturedRequest.MAX_BODY_BYTES + " bytes", Optional.empty()));
        }
        CapturedRequest request;
        try {
            List<CapturedRequest.Header> kept = new ArrayList<>(1);
            header.apply("Content-Type").ifPresent(type -> kept.add(new CapturedRequest.Header("Content-Type", type)));
            String key = header.apply(CaptureDelivery.IDEMPOTENCY_KEY)
                    .orElseGet(() -> UUID.randomUUID().toString());
            request = new CapturedRequest(key, site, method, normal, kept, body, Instant.now());
        } catch (IllegalArgumentException e) {
            return Optional.of(refused(400, e.getMessage(), Optional.empty()));
        }
        try {
            boolean added = captures.capture(request);
            String page = CapturePolicy.of(route.get()).page();
            return Optional.of(new CaptureAnswer(
                    202,
                    Optional.of(page),
                    added ? "journalled; it is applied once the site has room" : "journalled before",
                    NO_STORE));
        } catch (OriginCaptureRefusedException e) {
            return Optional.of(refused(e.status(), e.getMessage(), e.retryAfter()));
        } catch (IOException e) {
            LOG.error("origin capture of {}: could not journal {}", site, request, e);
            return Optional.of(refused(
                    503,
                    "the origin could not journal the request; nothing was kept, send it again",
                    Optional.of(OriginCaptures.FULL_RETRY_AFTER)));
        }
    }

    private static CaptureAnswer refused(int status, String reason, Optional<Duration> retryAfter) {
        String line = reason.replaceAll("[\\r\\n]+", " ");
        Map<String, String> headers = retryAfter
                .map(wait -> Map.of("Cache-Control", "no-store", "Retry-After", Long.toString(wait.toSeconds())))
                .orElse(NO_STORE);
        return new CaptureAnswer(status, Optional.empty(), line, headers);
    }

    OriginCaptures.Counts counts() {
        return captures.counts();
    }

    @Override
    public void close() throws IOException {
        captures.close();
    }
}
