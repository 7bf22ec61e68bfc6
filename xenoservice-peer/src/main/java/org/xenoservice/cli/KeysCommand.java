package org.xenoservice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import org.xenoservice.key.SiteKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code keys generate}: a site's Ed25519 key pair, the private half for signing, the public for peers. */
@Command(name = "keys", description = "Manage a site's signing keys.", subcommands = KeysCommand.Generate.class)
final class KeysCommand extends CommandGroup {
    /** Writes {@code site.key} and {@code site.pub} into a directory. */
    @Command(
            name = "generate",
            description = {
                "Generate an Ed25519 key pair: DIR/site.key (PKCS#8 PEM, mode 600, keep it "
                        + "secret) signs bundles; DIR/site.pub (X.509 PEM) is what peers pin.",
                "Refuses to overwrite existing keys."
            })
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Option(
                names = "--out",
                required = true,
                paramLabel = "DIR",
                description = "Directory for site.key and site.pub (created if missing).")
        Path out;

        @Override
        public Integer call() throws IOException {
            Path privateFile = out.resolve("site.key");
            Path publicFile = out.resolve("site.pub");
            for (Path existing : new Path[] {privateFile, publicFile}) {
                if (Files.exists(existing)) {
                    throw new java.nio.file.FileAlreadyExistsException(
                            existing.toString(),
                            null,
                            "already exists; keys are never overwritten, choose another --out directory");
                }
            }
            Files.createDirectories(out);
            KeyPair pair = SiteKeys.generate();
            SiteKeys.writePrivateKey(privateFile, pair.getPrivate());
            SiteKeys.writePublicKey(publicFile, pair.getPublic());
            spec.commandLine()
                    .getOut()
                    .printf(
                            "wrote %s (private: keep it secret) and %s (public: give it to peers)%n",
                            privateFile, publicFile);
            return XenoCli.OK;
        }
    }
}
