package org.xenoservice.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.xenoservice.bundle.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bundle verify}: every rule a peer enforces, without storing anything. */
@Command(
        name = "verify",
        description = {
            "Check a bundle as a peer would: signature against the pinned public key, entry "
                    + "names and types, every blob's digest and size, paths, limits. Exit 0 if it would be "
                    + "accepted, 1 (with the broken rule) if not.",
            "A delta bundle needs --base, the bundle it was built on (verified too)."
        })
final class BundleVerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", paramLabel = "FILE", description = "The bundle.")
    Path bundle;

    @Mixin
    TrustOptions trust;

    @Override
    public Integer call() throws IOException {
        Manifest manifest = BundleCommand.verify(trust.reader(), bundle, trust.base);
        spec.commandLine()
                .getOut()
                .printf(
                        "verified %s: %s, manifest sha256 %s%n",
                        bundle, BundleCommand.describe(manifest), manifest.sha256());
        return XenoCli.OK;
    }
}
