package org.xenoservice.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when any thread dies of an uncaught exception while it runs: a background thread
 * (a server's worker, a scheduler) that crashes would otherwise go unnoticed and the test pass.
 * Registered for every test of every module through {@code META-INF/services} and JUnit's
 * extension auto-detection, which the parent pom turns on for Surefire and Failsafe.
 */
public final class UncaughtExceptionsFailTests implements BeforeEachCallback, AfterEachCallback {
    private static final List<String> DEATHS = new ArrayList<>();

    private static void record(Thread thread, Throwable error) {
        synchronized (DEATHS) {
            DEATHS.add(thread.getName() + ": " + error);
        }
        System.err.println("uncaught exception in thread " + thread.getName());
        error.printStackTrace();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Thread.setDefaultUncaughtExceptionHandler(UncaughtExceptionsFailTests::record);
        synchronized (DEATHS) {
            DEATHS.clear();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> deaths;
        synchronized (DEATHS) {
            deaths = List.copyOf(DEATHS);
            DEATHS.clear();
        }
        if (!deaths.isEmpty()) {
            throw new AssertionError("a thread died of an uncaught exception during the test: " + deaths);
        }
    }
}
