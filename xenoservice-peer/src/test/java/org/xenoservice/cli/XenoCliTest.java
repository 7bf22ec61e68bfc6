package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code xenoservice} tool run in this JVM: keys, bundle build/verify/extract/diff, and its errors. */
class XenoCliTest {
    @TempDir
    Path dir;

    Path site;
    Path key;
    Path pub;

    @BeforeEach
    void makeSiteAndKeys() throws IOException {
        site = SampleSite.write(dir.resolve("site"));
        run("keys", "generate", "--out", dir.resolve("keys").toString()).succeeded();
        key = dir.resolve("keys/site.key");
        pub = dir.resolve("keys/site.pub");
    }

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = XenoCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    private Path build(String name, long version, String... extra) {
        Path out = dir.resolve(name);
        String[] base = {
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
            out.toString()
        };
        String[] args = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
        run(args).succeeded();
        return out;
    }

    @Test
    void generatedPrivateKeyIsReadableByItsOwnerOnly() throws IOException {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(pub).startsWith("-----BEGIN PUBLIC KEY-----"));
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void keysGenerateNeverOverwritesAKey() throws IOException {
        byte[] before = Files.readAllBytes(key);
        CliRun again =
                run("keys", "generate", "--out", dir.resolve("keys").toString()).failedWith(XenoCli.FAILED);
        assertTrue(again.err().contains("already exists"), again.err());
        assertArrayEquals(before, Files.readAllBytes(key));
    }

    @Test
    void extractedBundleIsTheSourceTreeByteForByte() throws IOException {
        Path bundle = build("v1.xsb", 1);
        run("bundle", "verify", bundle.toString(), "--pub", pub.toString(), "--site", "books.example")
                .succeeded();
        Path target = dir.resolve("out");
        CliRun extracted = run(
                        "bundle", "extract", bundle.toString(), "--pub", pub.toString(), "--to", target.toString())
                .succeeded();
        assertTrue(extracted.out().contains("6 files"), extracted.out());
        assertEquals(SampleSite.contents(site), SampleSite.contents(target));
        assertEquals(
                Files.getLastModifiedTime(site.resolve("index.html")).toMillis() / 1000,
                Files.getLastModifiedTime(target.resolve("index.html")).toMillis() / 1000);
    }

    @Test
    void sameTreeAndVersionGiveTheSameBytes() throws IOException {
        Path first = build("a.xsb", 3);
        Path second = build("b.xsb", 3);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
        Path gzipped = build("c.xsb", 3, "--gzip");
        Path gzippedAgain = build("d.xsb", 3, "--gzip");
        assertArrayEquals(Files.readAllBytes(gzipped), Files.readAllBytes(gzippedAgain));
        run("bundle", "verify", gzipped.toString(), "--pub", pub.toString()).succeeded();
    }

    @Test
    void bundleFileIsReadableByPeersTooling() throws IOException {
        Path bundle = build("v1.xsb", 1);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(bundle)));
    }

    @Test
    void deltaCarriesOnlyTheChangedFileAndNeedsItsBase() throws IOException {
        Path v1 = build("v1.xsb", 1);
        SampleSite.put(site, "index.html", "<p>sold out</p>".getBytes(StandardCharsets.UTF_8));
        Path v2 = build("v2.xsb", 2, "--base", v1.toString());
        assertTrue(Files.size(v2) < Files.size(v1), "delta is smaller than the full bundle");

        CliRun verified = run("bundle", "verify", v2.toString(), "--pub", pub.toString(), "--base", v1.toString())
                .succeeded();
        assertTrue(verified.out().contains("delta on manifest"), verified.out());

        CliRun withoutBase =
                run("bundle", "verify", v2.toString(), "--pub", pub.toString()).failedWith(XenoCli.FAILED);
        assertTrue(withoutBase.err().contains("[base]"), withoutBase.err());

        Path target = dir.resolve("v2-tree");
        run(
                        "bundle",
                        "extract",
                        v2.toString(),
                        "--pub",
                        pub.toString(),
                        "--to",
                        target.toString(),
                        "--base",
                        v1.toString())
                .succeeded();
        assertEquals(SampleSite.contents(site), SampleSite.contents(target));
    }

    @Test
    void diffListsAddedChangedAndRemovedPaths() throws IOException {
        Path v1 = build("v1.xsb", 1);
        SampleSite.put(site, "index.html", "<p>new stock</p>".getBytes(StandardCharsets.UTF_8));
        SampleSite.put(site, "books/new.html", "<p>Moby-Dick</p>".getBytes(StandardCharsets.UTF_8));
        Files.delete(site.resolve("books/empty.txt"));
        Path v2 = build("v2.xsb", 2, "--base", v1.toString());
        CliRun diff = run("bundle", "diff", v1.toString(), v2.toString()).succeeded();
        List<String> lines = diff.out().lines().toList();
        assertEquals(List.of("A /books/new.html", "M /index.html", "D /books/empty.txt"), lines.subList(0, 3));
        assertTrue(lines.get(3).contains("1 added, 1 changed, 1 removed, 4 unchanged"), lines.get(3));
    }

    @Test
    void bundleSignedWithAnotherKeyIsRejected() {
        Path bundle = build("v1.xsb", 1);
        run("keys", "generate", "--out", dir.resolve("other").toString()).succeeded();
        CliRun verify = run(
                        "bundle",
                        "verify",
                        bundle.toString(),
                        "--pub",
                        dir.resolve("other/site.pub").toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(verify.err().contains("[signature]"), verify.err());
    }

    @Test
    void forgedBundleIsRejectedAndExtractWritesNothing() throws IOException {
        Path bundle = build("v1.xsb", 1);
        byte[] bytes = Files.readAllBytes(bundle);
        int blobByte = indexOf(bytes, "Très rare".getBytes(StandardCharsets.UTF_8));
        assertTrue(blobByte > 0, "the small page is stored as it is");
        bytes[blobByte] ^= 0x20;
        Path forged = dir.resolve("forged.xsb");
        Files.write(forged, bytes);

        run("bundle", "verify", forged.toString(), "--pub", pub.toString()).failedWith(XenoCli.FAILED);
        Path parent = Files.createDirectories(dir.resolve("extract-here"));
        Path target = parent.resolve("tree");
        CliRun extract = run("bundle", "extract", forged.toString(), "--pub", pub.toString(), "--to", target.toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(extract.err().contains("bundle rejected ["), extract.err());
        try (Stream<Path> left = Files.list(parent)) {
            assertEquals(List.of(), left.toList(), "no tree and no scratch files are left behind");
        }
    }

    @Test
    void extractRefusesADirectoryThatIsNotEmpty() throws IOException {
        Path bundle = build("v1.xsb", 1);
        Path target = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(target.resolve("precious.txt"), "keep me");
        CliRun extract = run("bundle", "extract", bundle.toString(), "--pub", pub.toString(), "--to", target.toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(extract.err().contains("not empty"), extract.err());
        try (Stream<Path> left = Files.list(target)) {
            assertEquals(List.of(target.resolve("precious.txt")), left.toList());
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertFalse(left.anyMatch(p -> p.getFileName().toString().startsWith(".busy")), "no scratch left");
        }
    }

    @Test
    void extractFillsAnEmptyDirectory() throws IOException {
        Path bundle = build("v1.xsb", 1);
        Path target = Files.createDirectories(dir.resolve("empty"));
        run("bundle", "extract", bundle.toString(), "--pub", pub.toString(), "--to", target.toString())
                .succeeded();
        assertEquals(SampleSite.contents(site), SampleSite.contents(target));
    }

    @Test
    void bundleForAnotherSiteIsRejectedWhenTheSiteIsPinned() {
        Path bundle = build("v1.xsb", 1);
        CliRun verify = run("bundle", "verify", bundle.toString(), "--pub", pub.toString(), "--site", "other.example")
                .failedWith(XenoCli.FAILED);
        assertTrue(verify.err().contains("[site]"), verify.err());
    }

    @Test
    void garbageIsNotABundle() throws IOException {
        Path garbage = dir.resolve("garbage.xsb");
        Files.writeString(garbage, "this is not a tar archive at all, just words ".repeat(40));
        CliRun verify = run("bundle", "verify", garbage.toString(), "--pub", pub.toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(verify.err().contains("bundle rejected ["), verify.err());
    }

    @Test
    void missingFilesAreNamed() {
        CliRun noKey = run(
                        "bundle",
                        "build",
                        site.toString(),
                        "--site",
                        "books.example",
                        "--key",
                        dir.resolve("nope.key").toString(),
                        "--version",
                        "1",
                        "--out",
                        dir.resolve("x.xsb").toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(noKey.err().contains("nope.key"), noKey.err());
        CliRun noBundle = run("bundle", "verify", dir.resolve("absent.xsb").toString(), "--pub", pub.toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(noBundle.err().contains("no such file"), noBundle.err());
    }

    @Test
    void privateKeyGivenAsPublicKeySaysWhichKeyIsNeeded() {
        Path bundle = build("v1.xsb", 1);
        CliRun verify = run("bundle", "verify", bundle.toString(), "--pub", key.toString())
                .failedWith(XenoCli.FAILED);
        assertTrue(verify.err().contains("public key"), verify.err());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "bundle build SITE --key KEY --version 1 --out OUT",
                "bundle build SITE --site books.example --key KEY --version 0 --out OUT",
                "bundle build SITE --site books.example --key KEY --version one --out OUT",
                "bundle build SITE --site bad_host! --key KEY --version 1 --out OUT",
                "bundle build SITE --site books.example --key KEY --version 1 --out OUT --created yesterday",
                "bundle build SITE --site books.example --key KEY --version 1 --out OUT --dynamic /order=teleport",
                "bundle build SITE --site books.example --key KEY --version 1 --out OUT --dynamic order=proxy",
                "bundle build SITE --site books.example --key KEY --version 1 --out OUT --dynamic /search=proxy",
                "bundle build SITE --site books.example --key KEY --version 1 --out OUT --dynamic /search=proxy,origin",
                "bundle build SITE --site books.example --key KEY --version 1 --out OUT --dynamic /w=degrade,page=/s.html,status=418",
                "bundle build OUT --site books.example --key KEY --version 1 --out OUT",
                "bundle verify",
                "bundle frobnicate",
                "bundle",
                "keys",
                "",
                "--no-such-option",
            })
    void usageErrorsExitWithTwoAndOneLine(String commandLine) {
        String[] args = commandLine.isEmpty()
                ? new String[0]
                : commandLine
                        .replace("SITE", site.toString())
                        .replace("KEY", key.toString())
                        .replace("OUT", dir.resolve("missing-dir-out").toString())
                        .split(" ");
        run(args).failedWith(XenoCli.USAGE);
        assertFalse(Files.exists(dir.resolve("missing-dir-out")), "nothing written on a usage error");
    }

    @Test
    void dynamicRoutesCarryTheirSettingsIntoTheSignedManifest() throws IOException {
        Path bundle = build(
                "v1.xsb",
                1,
                "--dynamic",
                "/search=proxy,origin=http://10.0.0.5:8080,max-in-flight=8",
                "--dynamic",
                "/wishlist=degrade,page=/index.html,status=200");
        org.xenoservice.bundle.Manifest manifest;
        try (java.io.InputStream in = Files.newInputStream(bundle)) {
            manifest = org.xenoservice.bundle.BundleReader.peekManifest(in);
        }
        assertEquals(
                List.of("/search", "/wishlist"),
                manifest.dynamic().stream().map(r -> r.prefix()).toList());
        assertEquals(
                "http://10.0.0.5:8080", manifest.dynamic().get(0).settings().get("origin"));
        assertEquals("8", manifest.dynamic().get(0).settings().get("max-in-flight"));
        assertEquals("200", manifest.dynamic().get(1).settings().get("status"));
    }

    @Test
    void helpAndVersionExitWithZero() {
        CliRun help = run("bundle", "build", "--help").succeeded();
        assertTrue(help.out().contains("--base"), help.out());
        CliRun version = run("--version").succeeded();
        assertTrue(version.out().startsWith("xenoservice "), version.out());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
