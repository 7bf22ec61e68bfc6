package org.xenoservice.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.xenoservice.bundle.BundleException;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.TreeExtractor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bundle extract}: the site's file tree, written only after the whole bundle verified. */
@Command(
        name = "extract",
        description = {
            "Verify a bundle whole, then write the site's files (decoded to their own "
                    + "bytes) under DIR, which must be new or empty. Nothing is written if any rule is broken, "
                    + "and nothing is ever written outside DIR.",
            "A delta bundle needs --base, the bundle it was built on."
        })
final class BundleExtractCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The bundle.")
    Path bundle;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "DIR",
            description = "Where to write the files (new or empty).")
    Path target;

    @Mixin
    TrustOptions trust;

    @Override
    public Integer call() throws IOException {
        Manifest manifest;
        try {
            manifest = TreeExtractor.extractBundle(trust.reader(), bundle, trust.base, target);
        } catch (BundleException e) {
            throw trust.base.isEmpty() ? BundleCommand.withBaseFlag(e) : e;
        }
        spec.commandLine()
                .getOut()
                .printf("extracted %s into %s: %s%n", bundle, target, BundleCommand.describe(manifest));
        return XenoCli.OK;
    }
}
