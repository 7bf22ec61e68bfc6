package org.xenoservice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.ManifestDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bundle diff}: which paths a new version adds, changes and removes. */
@Command(
        name = "diff",
        description = {
            "List the paths added (A), changed (M: content, Content-Type or Cache-Control) "
                    + "and removed (D) from OLD to NEW, then a summary line.",
            "Reads the manifests only and does not check signatures: use 'bundle verify' for that."
        })
final class BundleDiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "OLD", description = "The earlier bundle.")
    Path older;

    @Parameters(index = "1", paramLabel = "NEW", description = "The later bundle (full or delta).")
    Path newer;

    @Override
    public Integer call() throws IOException {
        Manifest before = BundleCommand.peek(older);
        Manifest after = BundleCommand.peek(newer);
        if (!before.site().equals(after.site())) {
            throw new IOException(older + " is a bundle of " + before.site() + " but " + newer + " is of "
                    + after.site() + "; compare two versions of one site");
        }
        ManifestDiff diff = ManifestDiff.between(before, after);
        PrintWriter out = spec.commandLine().getOut();
        diff.added().forEach(path -> out.println("A " + path));
        diff.changed().forEach(path -> out.println("M " + path));
        diff.removed().forEach(path -> out.println("D " + path));
        out.printf(
                "%s v%d -> v%d: %d added, %d changed, %d removed, %d unchanged (%s new content)%n",
                after.site(),
                before.version(),
                after.version(),
                diff.added().size(),
                diff.changed().size(),
                diff.removed().size(),
                diff.unchanged(),
                Sizes.human(diff.addedOrChangedBytes()));
        return XenoCli.OK;
    }
}
