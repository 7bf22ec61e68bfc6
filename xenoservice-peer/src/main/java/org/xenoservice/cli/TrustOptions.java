package org.xenoservice.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.key.SiteKeys;
import picocli.CommandLine.Option;

/** What a command that checks a bundle trusts: the pinned public key, the site, and a delta's base. */
final class TrustOptions {
    @Option(names = "--pub", required = true, paramLabel = "FILE", description = "The site's public key (site.pub).")
    Path pubFile;

    @Option(names = "--base", paramLabel = "BUNDLE", description = "The base bundle, for a delta (verified too).")
    Optional<Path> base = Optional.empty();

    @Option(names = "--site", paramLabel = "HOST", description = "Also require the bundle to be for this site.")
    Optional<String> site = Optional.empty();

    /** A reader pinned to the public key, checking the site when one is given. */
    BundleReader reader() throws IOException {
        BundleReader.Builder builder = BundleReader.builder(SiteKeys.readPublicKey(pubFile));
        site.ifPresent(builder::site);
        return builder.build();
    }
}
