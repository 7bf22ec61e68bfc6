package org.xenoservice.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** The guard itself: a test whose background thread crashes fails; a quiet one passes. */
class UncaughtExceptionsFailTestsTest {

    /** Run only through the test kit below (Surefire skips nested classes). */
    static class Examples {
        @Test
        void backgroundThreadDies() throws InterruptedException {
            Thread worker = new Thread(
                    () -> {
                        throw new IllegalStateException("boom");
                    },
                    "xeno-test-worker");
            worker.start();
            worker.join();
        }

        @Test
        void quiet() {}
    }

    @Test
    void testWhoseBackgroundThreadDiesFails() {
        EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                .selectors(selectClass(Examples.class))
                .execute()
                .testEvents()
                .assertStatistics(stats -> stats.started(2).succeeded(1).failed(1))
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(
                                test("backgroundThreadDies"),
                                finishedWithFailure(
                                        message(m -> m.contains("xeno-test-worker") && m.contains("boom")))));
    }
}
