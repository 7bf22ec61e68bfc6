package org.xenoservice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.xenoservice.StaticSite.headers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestFile;

/**
 * How the origin's memory gets the current bundle: within its limits, smallest files first, on the
 * loader's thread, swapped whole (old or new answers, never a mix), never waited for.
 */
class StaticPagesLoadingTest {
    private static final long PLENTY = XenoConfig.DEFAULT_STATIC_MEMORY_BYTES;
    private static final long PER_FILE = XenoConfig.DEFAULT_STATIC_MEMORY_FILE_BYTES;
    private static final Function<String, Optional<String>> NONE = headers();

    @TempDir
    Path dir;

    private StaticSite site;

    @BeforeEach
    void writeSite() throws IOException {
        site = new StaticSite(dir);
    }

    @Test
    void aFileOverThePerFileLimitIsLeftToTheApplication() throws IOException {
        StaticPages pages = StaticSite.holding(site.bundle(1), 1, PLENTY, 100_000);

        assertEquals(Optional.empty(), pages.answer("GET", "/big.bin", NONE), "200 000 bytes, over the limit");
        assertArrayEquals(
                site.bytes("logo.png"),
                pages.answer("GET", "/logo.png", NONE).orElseThrow().body());
        assertEquals(4, pages.status().filesHeld());
        assertEquals(1, pages.status().filesLeftOut());
    }

    @Test
    void overTheLimitTheSmallestFilesAreHeld() throws IOException {
        Path bundle = site.bundle(1);
        List<ManifestFile> bySize = new ArrayList<>(manifest(bundle).files());
        bySize.sort(Comparator.comparingLong(HeldPages::heldBytes));
        long twoSmallest = HeldPages.heldBytes(bySize.get(0))
                + HeldPages.heldBytes(bySize.get(1))
                + 2 * HeldPages.OVERHEAD_BYTES_PER_FILE;

        StaticPages pages = StaticSite.holding(bundle, 1, twoSmallest, PER_FILE);

        for (int i = 0; i < bySize.size(); i++) {
            String path = bySize.get(i).path();
            assertEquals(i < 2, pages.answer("GET", path, NONE).isPresent(), path);
        }
        assertEquals(twoSmallest, pages.status().bytesHeld());
        assertEquals(2, pages.status().filesHeld());
        assertEquals(3, pages.status().filesLeftOut());
        for (long limit = 0; limit < 300_000; limit += 7_919) {
            StaticPages bounded = StaticSite.holding(bundle, 1, limit, PER_FILE);
            assertTrue(bounded.status().bytesHeld() <= limit, limit + ": " + bounded.status());
        }
    }

    @Test
    void aLimitOfZeroHoldsNothingAndReadsNoBundle() throws IOException {
        StaticPages pages = new StaticPages(StaticSite.SITE, 0, PER_FILE, site.loader());
        pages.bundleBuilt(1, site.bundle(1));

        assertEquals(0, site.runLoads());
        assertEquals(Optional.empty(), pages.answer("GET", "/index.html", NONE));
        assertEquals(new XenoStatus.FromMemory(0, OptionalLong.empty(), 0, 0, 0, 0), pages.status());
    }

    @Test
    void requestsGetTheOldFilesUntilTheNewBundleIsLoaded() throws IOException {
        StaticPages pages = new StaticPages(StaticSite.SITE, PLENTY, PER_FILE, site.loader());
        pages.bundleBuilt(1, site.bundle(1));
        assertEquals(Optional.empty(), pages.answer("GET", "/style.css", NONE), "nothing before the first load");
        site.runLoads();
        site.write("style.css", "body { color: maroon; }\n");
        pages.bundleBuilt(2, site.bundle(2));

        assertEquals("body { font-family: serif; }\n".repeat(50), text(pages, "/style.css"), "not loaded yet");
        assertEquals(1, site.runLoads());
        assertEquals("body { color: maroon; }\n", text(pages, "/style.css"));
        assertEquals(2, pages.status().bundleVersion().orElseThrow());
    }

    @Test
    void ofSeveralBundlesBuiltDuringALoadOnlyTheLatestIsLoaded() throws IOException {
        StaticPages pages = new StaticPages(StaticSite.SITE, PLENTY, PER_FILE, site.loader());
        pages.bundleBuilt(1, site.bundle(1));
        site.write("style.css", "v2");
        pages.bundleBuilt(2, site.bundle(2));
        site.write("style.css", "v3");
        pages.bundleBuilt(3, site.bundle(3));

        assertEquals(1, site.runLoads(), "one load was asked for: the loader takes the latest bundle");
        assertEquals("v3", text(pages, "/style.css"));
        assertEquals(3, pages.status().bundleVersion().orElseThrow());
    }

    @Test
    void aBundleReplacedBeforeItsTurnIsSkippedAndTheOldFilesStay() throws IOException {
        StaticPages pages = new StaticPages(StaticSite.SITE, PLENTY, PER_FILE, site.loader());
        pages.bundleBuilt(1, site.bundle(1));
        site.runLoads();
        Path second = site.bundle(2);
        pages.bundleBuilt(2, second);
        Files.delete(second);

        site.runLoads();

        assertEquals(1, pages.status().bundleVersion().orElseThrow());
        assertTrue(pages.answer("GET", "/index.html", NONE).isPresent());
    }

    @Test
    void anOlderBundleNeverReplacesANewerOne() throws IOException {
        Path first = site.bundle(1);
        site.write("style.css", "v2");
        StaticPages pages = StaticSite.holding(site.bundle(2), 2, PLENTY, PER_FILE);

        pages.bundleBuilt(1, first);

        assertEquals("v2", text(pages, "/style.css"));
    }

    @Test
    void aDamagedBundleLeavesEverythingToTheApplication() throws IOException {
        StaticPages pages = StaticSite.holding(site.bundle(1), 1, PLENTY, PER_FILE);
        Path damaged = site.bundle(2);
        byte[] bytes = Files.readAllBytes(damaged);
        Files.write(damaged, Arrays.copyOf(bytes, 700)); // the manifest cut short

        pages.bundleBuilt(2, damaged);

        assertEquals(Optional.empty(), pages.answer("GET", "/index.html", NONE));
        assertEquals(OptionalLong.empty(), pages.status().bundleVersion());
        site.write("style.css", "v3");
        pages.bundleBuilt(3, site.bundle(3));
        assertEquals("v3", text(pages, "/style.css"), "the next bundle is held again");
    }

    @Test
    void filesANewBundleDidNotChangeAreSharedNotReadAgain() throws IOException {
        StaticPages pages = StaticSite.holding(site.bundle(1), 1, PLENTY, PER_FILE);
        byte[] logo = pages.answer("GET", "/logo.png", NONE).orElseThrow().body();
        site.write("style.css", "v2");

        pages.bundleBuilt(2, site.bundle(2));

        assertSame(logo, pages.answer("GET", "/logo.png", NONE).orElseThrow().body());
        assertEquals("v2", text(pages, "/style.css"));
    }

    @Test
    void closingLetsGoOfTheFiles() throws IOException {
        StaticPages pages = StaticSite.holding(site.bundle(1), 1, PLENTY, PER_FILE);
        pages.close();
        assertEquals(Optional.empty(), pages.answer("GET", "/index.html", NONE));
    }

    @Test
    void aRequestDuringSwapsGetsOneBundlesAnswerWholeNeverAMix() throws Exception {
        String oldCss = "body { font-family: serif; }\n".repeat(50);
        Path first = site.bundle(1);
        site.write("style.css", "body { color: maroon; }\n".repeat(40));
        site.write("index.html", StaticSite.PAGE.replace("Antiquarian", "Rare"));
        Path second = site.bundle(2);
        StaticPages pages = new StaticPages(StaticSite.SITE, PLENTY, PER_FILE, Runnable::run);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(threads.submit(() -> read(pages, done, oldCss)));
            }
            Future<?> swaps = threads.submit(() -> {
                for (long version = 1; version <= 200; version++) {
                    pages.bundleBuilt(version, version % 2 == 1 ? first : second);
                }
                done.set(true);
            });
            swaps.get();
            for (Future<Integer> reader : readers) {
                assertTrue(reader.get() > 0, "the reader saw answers");
            }
        } finally {
            done.set(true);
            threads.shutdownNow();
        }
    }

    /** Reads until {@code done}, checking each answer is whole: its tag is its own body's digest. */
    private int read(StaticPages pages, AtomicBoolean done, String oldCss) {
        int answered = 0;
        String newCss = "body { color: maroon; }\n".repeat(40);
        Function<String, Optional<String>> gzip = headers("Accept-Encoding", "gzip");
        while (!done.get() || answered == 0) {
            for (Function<String, Optional<String>> header : List.of(NONE, gzip)) {
                Optional<XenoResponse> css = pages.answer("GET", "/style.css", header);
                Optional<XenoResponse> index = pages.answer("GET", "/", header);
                for (XenoResponse answer :
                        List.of(css, index).stream().flatMap(Optional::stream).toList()) {
                    byte[] decoded = StaticSite.decoded(answer);
                    String tag = answer.headers().get("ETag");
                    assertTrue(tag.startsWith('"' + StaticPagesTest.sha256(decoded)), "a mixed answer: " + tag);
                    answered++;
                }
                css.ifPresent(answer -> {
                    String text = new String(StaticSite.decoded(answer), StandardCharsets.UTF_8);
                    assertTrue(text.equals(oldCss) || text.equals(newCss), text);
                });
            }
        }
        return answered;
    }

    private static String text(StaticPages pages, String path) {
        return StaticSite.text(pages.answer("GET", path, NONE).orElseThrow());
    }

    private static Manifest manifest(Path bundle) throws IOException {
        try (InputStream in = Files.newInputStream(bundle)) {
            return BundleReader.peekManifest(in);
        }
    }
}
