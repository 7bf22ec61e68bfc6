package org.xenoservice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.xenoservice.bundle.BundleException;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.Manifest;
import picocli.CommandLine.Command;

/** {@code bundle build|verify|extract|diff}: a site's signed static content. */
@Command(
        name = "bundle",
        description = "Build, verify, unpack and compare signed site bundles (.xsb).",
        subcommands = {
            BundleBuildCommand.class,
            BundleVerifyCommand.class,
            BundleExtractCommand.class,
            BundleDiffCommand.class
        })
final class BundleCommand extends CommandGroup {
    /** Verifies {@code bundle}, after verifying its base when one is given. */
    static Manifest verify(BundleReader reader, Path bundle, Optional<Path> base) throws IOException {
        BundleReader deltaReader = reader;
        if (base.isPresent()) {
            deltaReader = reader.withBase(verifyOne(reader, base.get()));
        }
        try {
            return verifyOne(deltaReader, bundle);
        } catch (BundleException e) {
            throw base.isEmpty() ? withBaseFlag(e) : e;
        }
    }

    /**
     * A delta refused for want of its base, said in this tool's terms (the {@code --base} flag);
     * any other rejection as it is.
     */
    static BundleException withBaseFlag(BundleException e) {
        if (e.missingBase().isEmpty()) {
            return e;
        }
        return new BundleException(
                BundleException.Rule.BASE,
                "this is a delta bundle on base manifest " + e.missingBase().get()
                        + "; give the bundle it was built on with --base, or use a full bundle",
                e);
    }

    private static Manifest verifyOne(BundleReader reader, Path bundle) throws IOException {
        try (InputStream in = Files.newInputStream(bundle)) {
            return reader.verify(in);
        }
    }

    /** The manifest of a bundle file, unverified: for tools that only look. */
    static Manifest peek(Path bundle) throws IOException {
        try (InputStream in = Files.newInputStream(bundle)) {
            return BundleReader.peekManifest(in);
        }
    }

    /** One line describing a manifest, e.g. {@code books.example v2 (delta on 3fa9…), 6 files, 48.2 KB}. */
    static String describe(Manifest manifest) {
        return manifest.site() + " v" + manifest.version()
                + manifest.base()
                        .map(base -> " (delta on manifest " + base.substring(0, 12) + "…)")
                        .orElse("")
                + ", " + manifest.files().size() + " files, " + Sizes.human(manifest.totalSize());
    }
}
