package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as users run it ({@code java -jar xenoservice.jar ...}): a separate JVM, its
 * real exit codes, and stdout and stderr kept apart.
 */
class XenoCliJarIT {
    private static final Path JAR = Path.of("target", "xenoservice.jar");

    @TempDir
    Path dir;

    static CliRun java(Path workDir, String... args) throws IOException, InterruptedException {
        return javaInLocale(workDir, "C.UTF-8", args);
    }

    static CliRun javaInLocale(Path workDir, String locale, String... args) throws IOException, InterruptedException {
        return javaWith(workDir, locale, List.of(), args);
    }

    static CliRun javaWith(Path workDir, String locale, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        Path out = workDir.resolve("stdout.txt");
        Path err = workDir.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("LC_ALL", locale);
        Process process =
                builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the tool finishes");
        return new CliRun(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void roundTripThroughTheRunnableJar() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "the shaded jar was built at " + JAR.toAbsolutePath());
        Path site = SampleSite.write(dir.resolve("site"));
        java(dir, "keys", "generate", "--out", dir.resolve("keys").toString()).succeeded();
        String pub = dir.resolve("keys/site.pub").toString();
        Path bundle = dir.resolve("books.xsb");
        CliRun built = java(
                        dir,
                        "bundle",
                        "build",
                        site.toString(),
                        "--site",
                        "books.example",
                        "--key",
                        dir.resolve("keys/site.key").toString(),
                        "--version",
                        "1",
                        "--out",
                        bundle.toString())
                .succeeded();
        assertTrue(built.out().startsWith("built "), built.out());
        // Progress lines appear only after a second (StderrProgressTest), which a loaded machine may
        // take; whatever else reaches stderr would be log noise.
        assertEquals(
                "",
                built.err().replaceAll("(?m)^(reading|hashing|writing)[a-z ]*: \\d+% \\([^)]*\\)\\R", ""),
                "the CLI jar prints no log noise");
        java(dir, "bundle", "verify", bundle.toString(), "--pub", pub).succeeded();
        java(
                        dir,
                        "bundle",
                        "extract",
                        bundle.toString(),
                        "--pub",
                        pub,
                        "--to",
                        dir.resolve("tree").toString())
                .succeeded();
        assertEquals(SampleSite.contents(site), SampleSite.contents(dir.resolve("tree")));
    }

    @Test
    void rejectionAndUsageErrorsGiveTheirExitCodesAndOneLine() throws Exception {
        java(dir, "keys", "generate", "--out", dir.resolve("keys").toString()).succeeded();
        Path garbage = dir.resolve("garbage.xsb");
        Files.write(garbage, new byte[4096]);
        CliRun rejected = java(
                        dir,
                        "bundle",
                        "verify",
                        garbage.toString(),
                        "--pub",
                        dir.resolve("keys/site.pub").toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(rejected.err().startsWith("xenoservice bundle verify: bundle rejected ["), rejected.err());
        java(dir, "bundle", "verify").failedWith(XenoCli.USAGE);
        CliRun version = java(dir, "--version").succeeded();
        assertTrue(version.out().matches("xenoservice \\d+\\.\\d+\\.\\d+.*\\s*"), version.out());
    }

    @Test
    void unicodeNamesUnderTheCLocaleAreRefusedWithAHint() throws Exception {
        Path site = SampleSite.write(dir.resolve("site"));
        java(dir, "keys", "generate", "--out", dir.resolve("keys").toString()).succeeded();
        Path bundle = dir.resolve("books.xsb");
        CliRun built = javaInLocale(
                        dir,
                        "C",
                        "bundle",
                        "build",
                        site.toString(),
                        "--site",
                        "books.example",
                        "--key",
                        dir.resolve("keys/site.key").toString(),
                        "--version",
                        "1",
                        "--out",
                        bundle.toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(built.err().contains("LANG=C.UTF-8"), built.err());
        assertTrue(Files.notExists(bundle), "no bundle with mangled names");
    }

    @Test
    void aBoringSslEngineThatCannotLoadStopsServeWithOneLineSayingWhatToDo() throws Exception {
        java(dir, "keys", "generate", "--out", dir.resolve("keys").toString()).succeeded();
        CliRun run = javaWith(
                        dir,
                        "C.UTF-8",
                        // netty's switch for platforms it has no BoringSSL for: it does not load it
                        List.of("-Dio.netty.handler.ssl.noOpenSsl=true"),
                        "peer",
                        "serve",
                        "--store",
                        dir.resolve("store").toString(),
                        "--enroll",
                        "books.example=" + dir.resolve("keys/site.pub"),
                        "--bind",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--control-port",
                        "0",
                        "--https-port",
                        "0",
                        "--tls-engine",
                        "boringssl")
                .failedWith(XenoCli.FAILED);
        assertTrue(
                run.err().contains("the HTTPS port's TLS engine is BoringSSL, but BoringSSL cannot be loaded"),
                run.err());
        assertTrue(run.err().contains("for Windows on x86-64 only"), run.err());
        assertTrue(run.err().contains("auto or jdk"), run.err());
    }
}
