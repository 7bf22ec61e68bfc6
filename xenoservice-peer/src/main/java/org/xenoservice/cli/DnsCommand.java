package org.xenoservice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.xenoservice.dns.AddressLiterals;
import org.xenoservice.dns.AddressSet;
import org.xenoservice.dns.DnsServer;
import org.xenoservice.dns.Rfc2136DnsUpdater;
import org.xenoservice.dns.TsigKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code dns add|remove|replace|show|lower-ttl}: a name's A and AAAA records, by RFC 2136 with TSIG. */
@Command(
        name = "dns",
        description = "Change or show a name's A/AAAA records on its primary DNS server (RFC 2136 dynamic "
                + "updates signed with TSIG). Repeated --address options go in one UPDATE message.",
        subcommands = {
            DnsCommand.Add.class,
            DnsCommand.Remove.class,
            DnsCommand.Replace.class,
            DnsCommand.Show.class,
            DnsCommand.LowerTtl.class
        })
final class DnsCommand extends CommandGroup {
    /** Where and as whom to send the update, and for which name. */
    static final class Target {
        @Option(
                names = "--server",
                required = true,
                paramLabel = "HOST:PORT",
                converter = ServerConverter.class,
                description = "The zone's primary server; repeat to try others in order.")
        List<DnsServer> servers;

        @Option(names = "--zone", paramLabel = "ZONE", description = "The zone (default: found from the name's SOA).")
        Optional<String> zone = Optional.empty();

        @Option(
                names = "--tsig",
                paramLabel = "ALG:NAME:SECRET",
                converter = TsigConverter.class,
                description = {
                    "The TSIG key, e.g. hmac-sha256:xeno-books:BASE64 (hmac-sha256, hmac-sha512 or hmac-sha1);",
                    "@FILE reads it from a file, which keeps the secret out of the process list."
                })
        Optional<TsigKey> tsig = Optional.empty();

        @Option(names = "--unsigned", description = "Send without TSIG (only for servers that trust addresses).")
        boolean unsigned;

        @Option(names = "--name", required = true, paramLabel = "NAME", description = "The name to change or show.")
        String name;

        @Option(
                names = "--timeout",
                paramLabel = "MS",
                description = "Milliseconds to wait for each answer (default: 2000).")
        long timeoutMillis = Rfc2136DnsUpdater.DEFAULT_TIMEOUT.toMillis();

        Rfc2136DnsUpdater updater(CommandSpec spec) {
            if (tsig.isEmpty() && !unsigned) {
                throw new ParameterException(
                        spec.commandLine(),
                        "Missing required option: '--tsig=ALG:NAME:SECRET' "
                                + "(or --unsigned for a server that takes unsigned updates)");
            }
            try {
                Rfc2136DnsUpdater.Builder builder =
                        Rfc2136DnsUpdater.builder().manage(name).timeout(Duration.ofMillis(timeoutMillis));
                servers.forEach(builder::server);
                zone.ifPresent(builder::zone);
                tsig.ifPresentOrElse(builder::tsig, builder::unsigned);
                return builder.build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
        }
    }

    /** The addresses of one change. */
    static final class Addresses {
        @Option(
                names = "--address",
                paramLabel = "IP",
                converter = AddressConverter.class,
                description = "An IPv4 or IPv6 address; repeat for several (all in one message).")
        List<InetAddress> addresses = List.of();

        @Option(names = "--ttl", paramLabel = "S", description = "TTL of added records in seconds (default: 30).")
        long ttlSeconds = Rfc2136DnsUpdater.DEFAULT_TTL.toSeconds();

        Duration ttl(CommandSpec spec) {
            return checkedTtl(spec, ttlSeconds);
        }

        List<InetAddress> required(CommandSpec spec) {
            if (addresses.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "Missing required option: '--address=IP'");
            }
            return addresses;
        }
    }

    /** {@code dns add}. */
    @Command(name = "add", description = "Add addresses to the name (adding one that is there is harmless).")
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Target target;

        @Mixin
        Addresses change;

        @Override
        public Integer call() throws IOException {
            List<InetAddress> addresses = change.required(spec);
            Duration ttl = change.ttl(spec);
            try (Rfc2136DnsUpdater dns = target.updater(spec)) {
                dns.add(target.name, addresses, ttl);
            }
            spec.commandLine()
                    .getOut()
                    .printf("added %s to %s (ttl %d s)%n", literals(addresses), target.name, ttl.toSeconds());
            return XenoCli.OK;
        }
    }

    /** {@code dns remove}. */
    @Command(
            name = "remove",
            description = "Remove addresses from the name (removing one that is not there is harmless).")
    static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Target target;

        @Mixin
        Addresses change;

        @Override
        public Integer call() throws IOException {
            List<InetAddress> addresses = change.required(spec);
            try (Rfc2136DnsUpdater dns = target.updater(spec)) {
                dns.remove(target.name, addresses);
            }
            spec.commandLine().getOut().printf("removed %s from %s%n", literals(addresses), target.name);
            return XenoCli.OK;
        }
    }

    /** {@code dns replace}. */
    @Command(
            name = "replace",
            description =
                    "Make the given addresses the name's whole A/AAAA set (none: delete "
                            + "them all), unless another updater changes it meanwhile, in which case it reads again and retries.")
    static final class Replace implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Target target;

        @Mixin
        Addresses change;

        @Override
        public Integer call() throws IOException {
            try (Rfc2136DnsUpdater dns = target.updater(spec)) {
                print(spec.commandLine().getOut(), dns.replace(target.name, change.addresses, change.ttl(spec)));
            }
            return XenoCli.OK;
        }
    }

    /** {@code dns lower-ttl}. */
    @Command(
            name = "lower-ttl",
            description = "Lower the TTL of the name's A/AAAA records, keeping the addresses, "
                    + "ahead of a change so that caches expire soon after it.")
    static final class LowerTtl implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Target target;

        @Option(names = "--ttl", required = true, paramLabel = "S", description = "The TTL in seconds.")
        long ttlSeconds;

        @Override
        public Integer call() throws IOException {
            Duration ttl = checkedTtl(spec, ttlSeconds);
            try (Rfc2136DnsUpdater dns = target.updater(spec)) {
                dns.lowerTtl(target.name, ttl);
                print(spec.commandLine().getOut(), dns.show(target.name));
            }
            return XenoCli.OK;
        }
    }

    /** {@code dns show}. */
    @Command(name = "show", description = "Print the name's A/AAAA records as the server holds them, one per line.")
    static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Target target;

        @Override
        public Integer call() throws IOException {
            try (Rfc2136DnsUpdater dns = target.updater(spec)) {
                print(spec.commandLine().getOut(), dns.show(target.name));
            }
            return XenoCli.OK;
        }
    }

    static Duration checkedTtl(CommandSpec spec, long seconds) {
        if (seconds < 1 || seconds > Rfc2136DnsUpdater.MAX_TTL.toSeconds()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--ttl must be between 1 and " + Rfc2136DnsUpdater.MAX_TTL.toSeconds() + " seconds, but was "
                            + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /** Lines as in a zone file: {@code shop.example. 30 IN A 192.0.2.1}; nothing for an empty set. */
    static void print(PrintWriter out, AddressSet set) {
        for (InetAddress address : set.addresses()) {
            out.printf(
                    "%s %d IN %s %s%n",
                    set.name(),
                    set.ttl().toSeconds(),
                    address instanceof Inet4Address ? "A" : "AAAA",
                    AddressLiterals.format(address));
        }
    }

    private static List<String> literals(List<InetAddress> addresses) {
        return AddressLiterals.formatAll(addresses);
    }

    /** {@code HOST[:PORT]}. */
    static final class ServerConverter implements ITypeConverter<DnsServer> {
        @Override
        public DnsServer convert(String value) {
            try {
                return DnsServer.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code ALG:NAME:SECRET} or {@code @FILE} holding it. */
    static final class TsigConverter implements ITypeConverter<TsigKey> {
        @Override
        public TsigKey convert(String value) {
            String text = value;
            if (value.startsWith("@")) {
                Path file = Path.of(value.substring(1));
                try {
                    text = Files.readString(file, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new TypeConversionException(
                            "cannot read the TSIG key file " + file + ": " + Failures.describe(e));
                }
            }
            try {
                return TsigKey.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** An IP address literal; host names are refused rather than looked up. */
    static final class AddressConverter implements ITypeConverter<InetAddress> {
        private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
        private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

        @Override
        public InetAddress convert(String value) throws Exception {
            boolean v4 = IPV4.matcher(value).matches()
                    && java.util.Arrays.stream(value.split("\\.")).allMatch(part -> Integer.parseInt(part) <= 255);
            boolean v6 = value.indexOf(':') >= 0 && IPV6.matcher(value).matches();
            if (!v4 && !v6) {
                throw new TypeConversionException(
                        "\"" + value + "\" is not an IPv4 or IPv6 address such as 192.0.2.10 " + "or 2001:db8::10");
            }
            try {
                return InetAddress.getByName(value);
            } catch (java.net.UnknownHostException e) {
                throw new TypeConversionException("\"" + value + "\" is not a valid IP address");
            }
        }
    }
}
