package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.replicate.ReplicaState;
import org.xenoservice.replicate.ReplicaStatus;

/**
 * A real browser trusts a peer's certificate: headless Chromium loads
 * {@code https://books.demo.example/} from a peer the replicator put into DNS, the name mapped to
 * the peer's address and HTTPS port by {@code --host-resolver-rules}, with pebble's root added to its
 * certificate store (an NSS database in a fresh {@code HOME}, made with {@code certutil} from
 * Debian's {@code libnss3-tools}) and without {@code --ignore-certificate-errors}: the bookstore's
 * page renders, served by that peer, and a screenshot is left in {@code target/https-peer.png}. The
 * control: with the same store minus the root, the page does not render. Fails (never skips) when
 * Chromium, certutil, pebble or named is missing; ./test.sh installs them.
 */
class PeerHttpsInChromiumIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CERTUTIL = Path.of("/usr/bin/certutil");
    private static final Duration BROWSER_TIMEOUT = Duration.ofSeconds(90);
    private static final String SHOP_TITLE =
            "<title>Antiquarian books · Early &amp; Anderson, Antiquarian Books</title>";

    private Demo demo;

    @AfterEach
    void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void chromiumRendersThePeersPageTrustingOnlyTheCasRoot(@TempDir Path temp) throws Exception {
        assertTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CERTUTIL),
                "headless Chromium and NSS's certutil are needed: apt-get install chromium libnss3-tools");
        assertTrue(LocalBind.findNamed().isPresent(), "named (BIND 9) is not installed: apt-get install bind9");
        assertTrue(LocalPebble.find().isPresent(), "pebble (an ACME test CA) is not installed: apt-get install pebble");
        demo = new Demo(
                DemoOptions.parse("--dashboard-port", "0", "--out", "target/https-chromium-it"),
                new PrintStream(System.out, true, StandardCharsets.UTF_8));
        demo.start();
        assertEquals("https", demo.scheme());
        demo.awaitReady();
        demo.forceOverloaded();
        Demo.await(
                "a peer is in DNS",
                Duration.ofSeconds(60),
                () -> !demo.xeno()
                        .replicator()
                        .status()
                        .peersIn(ReplicaState.IN_DNS)
                        .isEmpty());
        ReplicaStatus inDns =
                demo.xeno().replicator().status().peersIn(ReplicaState.IN_DNS).get(0);
        int index = Integer.parseInt(inDns.name().substring(1)) - 1; // p1 is 127.0.0.11
        String peer = Demo.PEER_ADDRESSES.get(index) + ":" + demo.httpsPort().getAsInt();
        Path root = demo.caCertificate().orElseThrow();
        long before = demo.peers().get(index).accounting().snapshot(Demo.SITE).requests();

        Path trusting = nssHome(temp.resolve("trusting"), Optional.of(root));
        String dom = chromium(trusting, temp.resolve("profile-dom"), peer, "--dump-dom");
        assertTrue(dom.contains(SHOP_TITLE), "the bookstore's page rendered over HTTPS from " + peer + ":\n" + dom);
        assertTrue(
                demo.peers().get(index).accounting().snapshot(Demo.SITE).requests() > before,
                "the peer at " + peer + " served the page");
        Path shot = Path.of("target", "https-peer.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        chromium(trusting, temp.resolve("profile-shot"), peer, "--screenshot=" + shot, "--window-size=1280,900");
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the page: " + shot);

        Path untrusting = nssHome(temp.resolve("untrusting"), Optional.empty());
        String refused = chromium(untrusting, temp.resolve("profile-refused"), peer, "--dump-dom");
        assertFalse(refused.contains(SHOP_TITLE), "without pebble's root the page must not render:\n" + refused);
    }

    /** A HOME whose NSS database ({@code .pki/nssdb}, where Chromium on Linux reads it) trusts {@code root} if given. */
    private static Path nssHome(Path home, Optional<Path> root) throws IOException, InterruptedException {
        Path db = home.resolve(".pki").resolve("nssdb");
        Files.createDirectories(db);
        run(List.of(CERTUTIL.toString(), "-d", "sql:" + db, "-N", "--empty-password"), home);
        if (root.isPresent()) {
            run(
                    List.of(
                            CERTUTIL.toString(),
                            "-d",
                            "sql:" + db,
                            "-A",
                            "-t",
                            "C,,",
                            "-n",
                            "xeno-test-ca",
                            "-i",
                            root.get().toString()),
                    home);
        }
        return home;
    }

    /** Runs headless Chromium on {@code https://books.demo.example/} mapped to {@code peer}; answers what it printed. */
    private static String chromium(Path home, Path profile, String peer, String... action)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--host-resolver-rules=MAP " + Demo.SITE + ":443 " + peer));
        command.addAll(List.of(action));
        command.add("https://" + Demo.SITE + "/");
        return run(command, home);
    }

    /** Runs {@code command} with {@code HOME=home}; answers its standard output, failing on a non-zero exit. */
    private static String run(List<String> command, Path home) throws IOException, InterruptedException {
        Path output = Files.createTempFile(home, "stdout", ".log");
        Path log = Files.createTempFile(home, "stderr", ".log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(log.toFile());
        builder.environment().put("HOME", home.toString());
        Process process = builder.start();
        if (!process.waitFor(BROWSER_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish in " + BROWSER_TIMEOUT.toSeconds() + " s");
        }
        assertEquals(
                0,
                process.exitValue(),
                String.join(" ", command) + " failed: " + Files.readString(log, StandardCharsets.UTF_8));
        return Files.readString(output, StandardCharsets.UTF_8);
    }
}
