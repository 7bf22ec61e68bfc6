package org.xenoservice.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.xenoservice.bundle.BuildResult;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.key.SiteKeys;

/**
 * Times a full bundle build of a {@link MixedTree} against GNU {@code tar czf} of the same tree,
 * in the same JMH run, so that the ratio of the two is measured on the same machine, files and
 * page cache. Each invocation builds the whole tree once ({@link Mode#SingleShotTime}); throughput
 * in MB/s is the tree's bytes over the time ({@code run-bundle-benchmark.sh} computes it from
 * JMH's JSON output).
 *
 * <ul>
 *   <li>{@link #xenoBuild}: {@link BundleBuilder} over a {@link DirectorySource}, the normal mode:
 *       SHA-256 of every file, each compressible file gzipped on its own (level 6), duplicates
 *       stored once, the manifest signed with Ed25519, an uncompressed tar written to a file.
 *   <li>{@link #xenoBuildGzipped}: the same with {@code gzipWholeBundle(true)}, which adds a gzip
 *       pass over the whole tar (mostly over already-compressed bytes).
 *   <li>{@link #tarCzf}: {@code tar czf out.tar.gz -C tree .}, the baseline: one gzip stream
 *       (level 6, in a second process) over every byte, no hashing, no signature.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BundleBuildBenchmark
 * -p treeDir=$PWD/benchmarks/target/mixed-tree-200mb -rf json -rff result.json}; the tree is
 * generated in the trial setup when its marker is missing. Outputs go to a temporary directory
 * beside the tree, deleted after each iteration, followed by a {@code sync}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@State(Scope.Benchmark)
public class BundleBuildBenchmark {
    /** The tree's directory; empty means {@code target/mixed-tree-<sizeMb>mb} under the working directory. */
    @Param("")
    public String treeDir;

    /** The tree's size in MB (10^6 bytes). */
    @Param("200")
    public int sizeMb;

    /** The tree's seed. */
    @Param("42")
    public long seed;

    private static final String SITE = "bench.example";
    private static final Instant CREATED = Instant.parse("2024-06-01T00:00:00Z");

    private Path tree;
    private Path outDir;
    private PrivateKey key;
    private long treeBytes;

    /** Generates the tree if needed, and a signing key. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path dir = treeDir.isEmpty() ? Path.of("target", "mixed-tree-" + sizeMb + "mb") : Path.of(treeDir);
        MixedTree.Summary summary = MixedTree.ensure(dir, seed, sizeMb * 1_000_000L);
        tree = summary.root();
        treeBytes = summary.bytes();
        key = SiteKeys.generate().getPrivate();
        Path parent = tree.getParent();
        outDir = Files.createTempDirectory(parent, "bench-out-");
        System.out.printf(Locale.ROOT, "%ntree %s: %d files, %d bytes%n", tree, summary.files(), treeBytes);
    }

    /**
     * Prints what the iteration wrote, deletes it so that the disk does not fill up, and runs
     * {@code sync}, so that the next iteration does not pay for this one's write-back.
     */
    @TearDown(Level.Iteration)
    public void deleteOutputs() throws IOException, InterruptedException {
        try (var files = Files.list(outDir)) {
            for (Path file : files.sorted().toList()) {
                System.out.printf(Locale.ROOT, "  [%s: %d bytes]", file.getFileName(), Files.size(file));
                Files.delete(file);
            }
        }
        run(List.of("sync"));
    }

    /** Removes the output directory. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        deleteOutputs();
        try (var paths = Files.walk(outDir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** A full bundle, normal mode: blobs gzipped one by one where it pays, the tar not compressed. */
    @Benchmark
    public BuildResult xenoBuild() throws IOException {
        return builder(false).build(outDir.resolve("site.xsb"));
    }

    /** A full bundle with the whole tar gzipped as well. */
    @Benchmark
    public BuildResult xenoBuildGzipped() throws IOException {
        return builder(true).build(outDir.resolve("site.xsb.gz"));
    }

    /** The baseline: GNU {@code tar czf} of the same tree. */
    @Benchmark
    public long tarCzf() throws IOException, InterruptedException {
        Path out = outDir.resolve("site.tar.gz");
        return tarCzf(tree, out);
    }

    /**
     * Runs {@code tar czf out -C dir .} and returns the archive's size.
     *
     * @throws IOException if tar fails or exits with a non-zero status
     */
    static long tarCzf(Path dir, Path out) throws IOException, InterruptedException {
        run(List.of("tar", "czf", out.toString(), "-C", dir.toString(), "."));
        return Files.size(out);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .start();
        int status = process.waitFor();
        if (status != 0) {
            throw new IOException(String.join(" ", command) + " exited with status " + status);
        }
    }

    private BundleBuilder builder(boolean gzipWhole) {
        return BundleBuilder.forSite(SITE)
                .source(DirectorySource.of(tree))
                .signingKey(key)
                .version(1)
                .created(CREATED)
                .gzipWholeBundle(gzipWhole);
    }
}
