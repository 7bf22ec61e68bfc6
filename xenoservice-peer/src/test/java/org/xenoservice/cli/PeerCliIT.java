package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.server.PeerServer;
import org.xenoservice.protocol.SiteQuota;

/** {@code xenoservice peer ...} against a real {@link PeerServer} on loopback, and {@code peer serve} itself. */
class PeerCliIT {
    @TempDir
    Path dir;

    Path site;
    Path key;
    Path pub;
    PeerServer peer;
    String control;

    @BeforeEach
    void start() throws IOException {
        site = SampleSite.write(dir.resolve("site"));
        XenoCliTest.run("keys", "generate", "--out", dir.resolve("keys").toString())
                .succeeded();
        key = dir.resolve("keys/site.key");
        pub = dir.resolve("keys/site.pub");
        peer = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("peer"))
                .maxUploadBytes(10L << 20)
                .enroll(new Enrollment("books.example", SiteKeys.readPublicKey(pub), SiteQuota.DEFAULT))
                .build();
        peer.start();
        control = "http://127.0.0.1:" + peer.controlPort();
    }

    @AfterEach
    void stop() {
        peer.close();
    }

    private Path build(long version) {
        Path out = dir.resolve("v" + version + ".xsb");
        XenoCliTest.run(
                        "bundle",
                        "build",
                        site.toString(),
                        "--site",
                        "books.example",
                        "--key",
                        key.toString(),
                        "--version",
                        Long.toString(version),
                        "--out",
                        out.toString())
                .succeeded();
        return out;
    }

    private Path buildDelta(long version, Path base) {
        Path out = dir.resolve("v" + version + "-delta.xsb");
        XenoCliTest.run(
                        "bundle",
                        "build",
                        site.toString(),
                        "--site",
                        "books.example",
                        "--key",
                        key.toString(),
                        "--version",
                        Long.toString(version),
                        "--base",
                        base.toString(),
                        "--out",
                        out.toString())
                .succeeded();
        return out;
    }

    private CliRun peer(String command, String... extra) {
        String[] args = new String[extra.length + 6];
        args[0] = "peer";
        args[1] = command;
        args[2] = "--control";
        args[3] = control;
        args[4] = "--key";
        args[5] = key.toString();
        System.arraycopy(extra, 0, args, 6, extra.length);
        return XenoCliTest.run(args);
    }

    @Test
    void pushStatusActivateRetire() throws IOException {
        CliRun first =
                peer("push", "--bundle", build(1).toString(), "--activate").succeeded();
        assertTrue(
                first.out()
                        .startsWith(
                                "pushed books.example v1 to " + control + ": 6 of 6 blobs sent (0 already " + "there)"),
                first.out());
        assertTrue(first.out().strip().endsWith("serving v1"), first.out());

        Files.writeString(site.resolve("css/shop.css"), "body { font-family: sans-serif; }");
        CliRun second = peer("push", "--bundle", build(2).toString()).succeeded();
        assertTrue(second.out().contains("1 of 6 blobs sent (5 already there)"), second.out());
        assertTrue(second.out().contains("staged, not serving"), second.out());

        List<String> status = peer("status", "--site", "books.example")
                .succeeded()
                .out()
                .lines()
                .toList();
        assertEquals("site: books.example", status.get(0));
        assertEquals("active-version: 1", status.get(1));
        assertEquals("versions: 1, 2", status.get(3));
        assertTrue(status.contains("quota-requests-per-second: 1000"), status.toString());
        assertTrue(status.get(5).startsWith("disk-bytes: "), status.toString());
        assertEquals("tls-certificate: none", status.get(12));
        assertEquals(13, status.size(), status.toString());

        assertEquals(
                control + " serves books.example v2\n",
                peer("activate", "--site", "books.example", "--version", "2")
                        .succeeded()
                        .out());
        assertTrue(peer("status", "--site", "books.example").out().contains("active-version: 2\n"));
        assertEquals(
                control + " no longer serves books.example\n",
                peer("retire", "--site", "books.example").succeeded().out());
        assertTrue(peer("status", "--site", "books.example").out().contains("active-version: none\n"));
    }

    @Test
    void deltaBundlesPushOntoTheVersionThePeerHolds() throws IOException {
        Path v1 = build(1);
        peer("push", "--bundle", v1.toString(), "--activate").succeeded();

        Files.writeString(site.resolve("css/shop.css"), "body { font-family: serif; }");
        Path v2 = buildDelta(2, v1);
        CliRun second = peer("push", "--bundle", v2.toString(), "--activate").succeeded();
        assertTrue(second.out().strip().endsWith("serving v2"), second.out());

        Files.writeString(site.resolve("index.html"), "<h1>New arrivals</h1>");
        CliRun third = peer("push", "--bundle", buildDelta(3, v2).toString(), "--activate")
                .succeeded();
        assertTrue(third.out().contains("1 of 6 blobs sent"), third.out());
        assertTrue(peer("status", "--site", "books.example").out().contains("active-version: 3\n"));
    }

    @Test
    void aDeltaOnABaseThePeerNeverSawSaysPushTheFullBundle() throws IOException {
        Path v1 = build(1);
        Files.writeString(site.resolve("css/shop.css"), "body { font-family: serif; }");
        Path fullV2 = build(2);
        peer("push", "--bundle", fullV2.toString(), "--activate").succeeded();
        Files.writeString(site.resolve("index.html"), "<h1>New arrivals</h1>");
        Path deltaOnV1 = buildDelta(3, v1);

        CliRun run = peer("push", "--bundle", deltaOnV1.toString()).failedWith(XenoCli.FAILED);

        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("400 bundle-base"), run.err());
        assertTrue(run.err().contains("v2 ("), "names the versions the peer holds: " + run.err());
        assertTrue(run.err().contains("push the full bundle of v3"), run.err());
        assertTrue(peer("status", "--site", "books.example").out().contains("versions: 2\n"));
    }

    @Test
    void serveNamesTheFlagOfABadSetting() {
        CliRun badPort = XenoCliTest.run(
                        "peer",
                        "serve",
                        "--store",
                        dir.resolve("s").toString(),
                        "--enroll",
                        "books.example=" + pub,
                        "--port",
                        "70000")
                .failedWith(XenoCli.USAGE);
        assertTrue(badPort.err().contains("--port must be between 0 and 65535, but was 70000"), badPort.err());
        CliRun sameports = XenoCliTest.run(
                        "peer",
                        "serve",
                        "--store",
                        dir.resolve("s").toString(),
                        "--enroll",
                        "books.example=" + pub,
                        "--port",
                        "9000",
                        "--control-port",
                        "9000")
                .failedWith(XenoCli.USAGE);
        assertTrue(sameports.err().contains("--port must differ from the control port"), sameports.err());
        CliRun badHttps = XenoCliTest.run(
                        "peer",
                        "serve",
                        "--store",
                        dir.resolve("s").toString(),
                        "--enroll",
                        "books.example=" + pub,
                        "--port",
                        "9000",
                        "--https-port",
                        "9000")
                .failedWith(XenoCli.USAGE);
        assertTrue(
                badHttps.err().contains("--https-port must differ from the serving and control ports"), badHttps.err());
        CliRun badEngine = XenoCliTest.run(
                        "peer",
                        "serve",
                        "--store",
                        dir.resolve("s").toString(),
                        "--enroll",
                        "books.example=" + pub,
                        "--tls-engine",
                        "libressl")
                .failedWith(XenoCli.USAGE);
        assertTrue(
                badEngine
                        .err()
                        .contains("'libressl' is not a TLS engine; give auto (BoringSSL when it loads, else the "
                                + "JDK's), boringssl or jdk"),
                badEngine.err());
        CliRun noStore = XenoCliTest.run("peer", "serve", "--enroll", "books.example=" + pub)
                .failedWith(XenoCli.USAGE);
        assertTrue(noStore.err().contains("Missing required option: '--store=DIR'"), noStore.err());
        CliRun twice = XenoCliTest.run(
                        "peer",
                        "serve",
                        "--store",
                        dir.resolve("s").toString(),
                        "--enroll",
                        "books.example=" + pub,
                        "--enroll",
                        "books.example=" + pub)
                .failedWith(XenoCli.USAGE);
        assertTrue(twice.err().contains("--enroll books.example=" + pub + ": the site is enrolled twice"), twice.err());
    }

    @Test
    void rollbackFailsWithOneLine() {
        Path v1 = build(1);
        peer("push", "--bundle", v1.toString()).succeeded();
        peer("push", "--bundle", build(2).toString(), "--activate").succeeded();
        CliRun run =
                peer("activate", "--site", "books.example", "--version", "1").failedWith(XenoCli.FAILED);
        assertTrue(
                run.err().startsWith("xenoservice peer activate: the peer at " + control + " refused activate"),
                run.err());
        assertTrue(run.err().contains("409 rollback"), run.err());
    }

    @Test
    void wrongKeyFailsWithOneLineThatSaysWhichKey() throws IOException {
        XenoCliTest.run("keys", "generate", "--out", dir.resolve("other").toString())
                .succeeded();
        CliRun run = XenoCliTest.run(
                        "peer",
                        "status",
                        "--control",
                        control,
                        "--key",
                        dir.resolve("other/site.key").toString(),
                        "--site",
                        "books.example")
                .failedWith(XenoCli.FAILED);
        assertTrue(run.err().contains("403 bad-signature"), run.err());
        assertTrue(run.err().contains("private key, whose public key the peer's operator enrolled"), run.err());
    }

    @Test
    void deadPeerFailsWithOneLineNamingIt() throws IOException {
        String dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = "http://127.0.0.1:" + socket.getLocalPort();
        }
        CliRun run = XenoCliTest.run(
                        "peer", "retire", "--control", dead, "--key", key.toString(), "--site", "books.example")
                .failedWith(XenoCli.FAILED);
        assertTrue(run.err().contains("cannot connect to the peer at " + dead), run.err());
    }

    @Test
    void oversizeUploadFailsWith413() throws IOException {
        try (PeerServer small = PeerServer.builder()
                .servingPort(0)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(dir.resolve("small"))
                .maxUploadBytes(2_000)
                .enroll(new Enrollment("books.example", SiteKeys.readPublicKey(pub), SiteQuota.DEFAULT))
                .build()) {
            small.start();
            CliRun run = XenoCliTest.run(
                            "peer",
                            "push",
                            "--control",
                            "http://127.0.0.1:" + small.controlPort(),
                            "--key",
                            key.toString(),
                            "--bundle",
                            build(1).toString())
                    .failedWith(XenoCli.FAILED);
            assertTrue(run.err().contains("413 too-large"), run.err());
        }
    }

    @Test
    void missingBundleFailsWithOneLine() {
        CliRun run =
                peer("push", "--bundle", dir.resolve("nope.xsb").toString()).failedWith(XenoCli.FAILED);
        assertTrue(run.err().contains("no such file"), run.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1:1", "http://127.0.0.1:1/xeno", "not a url", "127.0.0.1:8081"})
    void badControlUrlIsAUsageError(String url) {
        CliRun run = XenoCliTest.run(
                        "peer", "status", "--control", url, "--key", key.toString(), "--site", "books.example")
                .failedWith(XenoCli.USAGE);
        assertTrue(run.err().contains("--control"), run.err());
    }

    @Test
    void usageErrorsExitWith2() {
        XenoCliTest.run("peer").failedWith(XenoCli.USAGE);
        XenoCliTest.run("peer", "status", "--control", control, "--key", key.toString())
                .failedWith(XenoCli.USAGE);
        peer("activate", "--site", "books.example", "--version", "0").failedWith(XenoCli.USAGE);
        peer("status", "--site", "books example").failedWith(XenoCli.USAGE);
        XenoCliTest.run("peer", "serve", "--enroll", "books.example").failedWith(XenoCli.USAGE);
        XenoCliTest.run("peer", "serve", "--enroll", "books.example=" + pub).failedWith(XenoCli.USAGE);
        XenoCliTest.run("peer", "serve", "--store", dir.resolve("s").toString()).failedWith(XenoCli.USAGE);
        XenoCliTest.run(
                        "peer",
                        "serve",
                        "--store",
                        dir.resolve("s").toString(),
                        "--enroll",
                        "books.example=" + pub,
                        "--port",
                        "70000")
                .failedWith(XenoCli.USAGE);
    }

    @Test
    void serveWithABadConfigFileFailsWithOneLine() throws IOException {
        Path config = Files.writeString(dir.resolve("peer.properties"), "store-directory = s\ncontrol-prot = 1\n");
        CliRun run =
                XenoCliTest.run("peer", "serve", "--config", config.toString()).failedWith(XenoCli.FAILED);
        assertTrue(run.err().contains("control-prot: unknown property"), run.err());
    }

    @Test
    void serveRunsAPeerThatTakesPushesUntilInterrupted() throws Exception {
        Path config = Files.writeString(
                dir.resolve("peer.properties"),
                "store-directory = served\nsite.books.example.key = keys/site.pub\nserving-port = 1\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger code = new AtomicInteger(-1);
        Thread serving = new Thread(
                () -> code.set(XenoCli.run(
                        new PrintWriter(out),
                        new PrintWriter(err),
                        "peer",
                        "serve",
                        "--config",
                        config.toString(),
                        "--port",
                        "0",
                        "--control-port",
                        "0",
                        "--https-port",
                        "0",
                        "--bind",
                        "127.0.0.1")),
                "peer-serve");
        serving.start();
        Pattern listening = Pattern.compile("control on (http://127\\.0\\.0\\.1:\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Matcher matcher = listening.matcher("");
        while (!matcher.reset(out.toString()).find()) {
            assertTrue(serving.isAlive() && System.nanoTime() < deadline, () -> "serve did not start: " + out + err);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        assertTrue(out.toString().startsWith("peer serving books.example on http://127.0.0.1:"), out.toString());
        assertTrue(out.toString().contains(" and https://127.0.0.1:"), out.toString());
        assertTrue(out.toString().contains("(by SNI, boringssl TLS)"), "auto finds BoringSSL here: " + out);
        control = matcher.group(1);
        peer("push", "--bundle", build(1).toString(), "--activate").succeeded();
        assertTrue(Files.isDirectory(dir.resolve("served/state")));

        serving.interrupt();
        serving.join(Duration.ofSeconds(30).toMillis());
        assertEquals(XenoCli.OK, code.get(), () -> out + " " + err);
        assertTrue(out.toString().endsWith("peer stopped\n"), out.toString());
    }
}
