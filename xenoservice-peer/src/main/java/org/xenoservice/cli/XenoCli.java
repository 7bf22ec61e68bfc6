package org.xenoservice.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Level;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Entry point of {@code xenoservice.jar}: dispatches to the {@code keys}, {@code bundle}, {@code dns} and {@code peer}
 * commands and turns every failure into an exit code and one line on stderr, so that scripts can
 * rely on both. Run {@code java -jar xenoservice.jar --help} for the commands.
 */
@Command(
        name = "xenoservice",
        versionProvider = XenoCli.Version.class,
        description = "Signed site bundles and peer hosts for XenoService.",
        subcommands = {KeysCommand.class, BundleCommand.class, DnsCommand.class, PeerCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:input rejected or work failed", "2:usage error"})
public final class XenoCli extends CommandGroup {
    /** Exit code when the work was done. */
    public static final int OK = 0;
    /** Exit code when the input was rejected or the work failed. */
    public static final int FAILED = 1;
    /** Exit code when the command line is wrong. */
    public static final int USAGE = 2;

    @Option(
            names = {"-V", "--version"},
            versionHelp = true,
            description = "Print the version and exit.")
    boolean version;

    /**
     * Runs the tool and exits the JVM with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        configureLogging(Arrays.asList(args));
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(out, err, args));
    }

    /**
     * Runs the tool in this JVM, writing to the given streams; for tests and embedding.
     *
     * @return the exit code: {@link #OK}, {@link #FAILED} or {@link #USAGE}
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new XenoCli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(XenoCli::usageError);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + Failures.describe(e));
            err.flush();
            return FAILED;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
        err.flush();
        return USAGE;
    }

    /**
     * Library logs go to stderr, one line per event: warnings and errors only unless {@code --verbose}
     * is given, and for {@code peer serve}, a service, what it does too; as JSON lines with
     * {@code --log-format json}.
     */
    private static void configureLogging(List<String> args) {
        boolean verbose = args.contains("--verbose") || args.contains("-v");
        boolean serve = args.contains("serve");
        Level level = verbose ? Level.FINE : serve ? Level.INFO : Level.WARNING;
        int flag = args.indexOf("--log-format");
        String format = flag >= 0 && flag + 1 < args.size() ? args.get(flag + 1) : "";
        for (String arg : args) {
            if (arg.startsWith("--log-format=")) {
                format = arg.substring("--log-format=".length());
            }
        }
        LogLines.install(
                format.equalsIgnoreCase("json") ? LogLines.Format.JSON : LogLines.Format.TEXT, level, System.err);
    }

    /** The version from the jar's manifest. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = XenoCli.class.getPackage().getImplementationVersion();
            return new String[] {"xenoservice " + (version == null ? "(development build)" : version)};
        }
    }
}
