package org.xenoservice.replicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replicator tells its {@link BundleListener} of every bundle it builds, and carries on when it throws. */
class BundleListenerTest {
    @TempDir
    Path dir;

    @Test
    void isToldOfEveryBundleBuiltInVersionOrder() throws IOException {
        List<Long> versions = new CopyOnWriteArrayList<>();
        List<Path> files = new CopyOnWriteArrayList<>();
        try (ReplicatorFixture fixture = new ReplicatorFixture(dir).peers(1).bundleListener((version, file) -> {
            versions.add(version);
            files.add(file);
        })) {
            fixture.start();
            assertEquals(List.of(fixture.bundleVersion()), versions);
            assertTrue(Files.isRegularFile(files.get(0)), "the file is there when the listener is told");

            fixture.changePage("<h1>new stock</h1>\n");

            assertEquals(2, versions.size(), versions.toString());
            assertEquals(fixture.bundleVersion(), versions.get(1));
            assertTrue(versions.get(1) > versions.get(0));
            assertEquals(fixture.bundles.resolve(versions.get(1) + ".xsb"), files.get(1));
        }
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheReplicator() throws IOException {
        try (ReplicatorFixture fixture = new ReplicatorFixture(dir).peers(1).bundleListener((version, file) -> {
            throw new IllegalStateException("listener broke");
        })) {
            fixture.start();
            long first = fixture.bundleVersion();
            fixture.changePage("<h1>new stock</h1>\n");

            assertTrue(fixture.bundleVersion() > first);
            assertEquals(
                    fixture.bundleVersion(),
                    fixture.peerStatus("p1").stagedVersion().orElseThrow(),
                    "the new bundle was staged all the same");
        }
    }
}
