package org.xenoservice.intake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.xenoservice.bundle.DynamicRoute;
import org.xenoservice.bundle.DynamicRoute.Policy;
import org.xenoservice.protocol.CaptureRules;
import org.xenoservice.protocol.CapturedRequest;

/**
 * Fuzzes {@link CaptureIntake#accept}, which takes requests from anyone who reaches the intake:
 * with any method, headers and body it answers (never throws) with a status of its contract, and
 * what it applies is a normal request under a capture route, applied once per key. In a normal
 * build this runs the seed corpus in {@code CaptureIntakeFuzzTestInputs}; run with
 * {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class CaptureIntakeFuzzTest {
    private static final String[] NAMES = {
        "Idempotency-Key", "X-Forwarded-Host", "X-Xeno-Path", "X-Xeno-Method", "X-Xeno-Captured-At", "Content-Type"
    };
    private static final Set<Integer> STATUSES = Set.of(200, 400, 404, 405, 409, 413, 421, 422);
    private static final List<CapturedRequest> APPLIED = new CopyOnWriteArrayList<>();
    private static final Path DIR;
    private static final CaptureIntake INTAKE;

    static {
        try {
            DIR = Files.createTempDirectory("intake-fuzz");
            INTAKE = CaptureIntake.open(
                    DIR,
                    "shop.example",
                    List.of(
                            new DynamicRoute(
                                    "/order",
                                    Policy.CAPTURE,
                                    Map.of("intake", "http://127.0.0.1:1/intake", "page", "/t.html")),
                            new DynamicRoute("/order/admin", Policy.PROXY, Map.of("origin", "http://127.0.0.1:1"))),
                    APPLIED::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void acceptAnswersWithinItsContractAndAppliesOnlyNormalCapturedRequests(FuzzedDataProvider data) {
        String method = data.consumeBoolean() ? "POST" : data.consumeString(16);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String name : NAMES) {
            if (data.consumeBoolean()) {
                headers.put(
                        name,
                        name.equals("X-Forwarded-Host") && data.consumeBoolean()
                                ? "shop.example"
                                : data.consumeString(300));
            }
        }
        byte[] body = data.consumeRemainingAsBytes();
        int before = APPLIED.size();
        IntakeResponse answer = INTAKE.accept(method, name -> Optional.ofNullable(headers.get(name)), body);
        assertTrue(STATUSES.contains(answer.status()), answer::toString);
        if (APPLIED.size() > before) {
            CapturedRequest applied = APPLIED.get(APPLIED.size() - 1);
            assertEquals(200, answer.status(), answer::toString);
            assertEquals(applied.path(), CaptureRules.normalizeTarget(applied.path()));
            String path = CaptureRules.decodedPath(applied.path());
            assertTrue(path.equals("/order") || (path.startsWith("/order/") && !path.startsWith("/order/admin")), path);
            assertEquals(
                    200,
                    INTAKE.accept(method, name -> Optional.ofNullable(headers.get(name)), body)
                            .status(),
                    "a redelivery is acknowledged");
            assertEquals(before + 1, APPLIED.size(), "and not applied again");
        }
    }

    @AfterAll
    static void close() throws IOException {
        INTAKE.close();
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
