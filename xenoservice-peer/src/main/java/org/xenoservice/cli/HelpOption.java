package org.xenoservice.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h, --help} for every command. Subcommands take this instead of picocli's standard
 * options because {@code bundle build} has a {@code --version} of its own (the bundle's).
 */
final class HelpOption {
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;
}
