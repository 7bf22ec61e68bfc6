package org.xenoservice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xenoservice.dns.BindServer;
import org.xenoservice.dns.BindServerExtension;

/** {@code xenoservice dns ...} against a real BIND 9 on loopback. */
class DnsCliIT {
    @RegisterExtension
    static final BindServerExtension BIND = new BindServerExtension();

    @TempDir
    Path dir;

    private static CliRun dns(String command, String name, String... extra) {
        String[] base = {
            "dns",
            command,
            "--server",
            BIND.server().server(),
            "--tsig",
            BIND.server().keyText(BindServer.FULL_KEY),
            "--name",
            name
        };
        return XenoCliTest.run(Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
    }

    @Test
    void addShowRemoveWithSeveralAddressesInOneMessage() {
        String name = "shop." + BindServer.ZONE;
        CliRun added = dns(
                        "add",
                        name,
                        "--address",
                        "192.0.2.1",
                        "--address",
                        "2001:db8::1",
                        "--address",
                        "192.0.2.2",
                        "--ttl",
                        "45")
                .succeeded();
        assertTrue(added.out().startsWith("added [192.0.2.1, 2001:db8::1, 192.0.2.2]"), added.out());
        assertEquals(
                List.of(
                        "shop.test.example. 45 IN A 192.0.2.1",
                        "shop.test.example. 45 IN A 192.0.2.2",
                        "shop.test.example. 45 IN AAAA 2001:db8::1"),
                dns("show", name).succeeded().out().lines().toList());
        dns("remove", name, "--address", "192.0.2.1", "--address", "2001:db8::1")
                .succeeded();
        assertEquals(
                List.of("shop.test.example. 45 IN A 192.0.2.2"),
                dns("show", name).succeeded().out().lines().toList());
    }

    @Test
    void replaceAndLowerTtl() {
        String name = "swap." + BindServer.ZONE;
        dns("add", name, "--address", "192.0.2.9", "--ttl", "600").succeeded();
        assertEquals(
                List.of("swap.test.example. 300 IN A 198.51.100.1"),
                dns("replace", name, "--address", "198.51.100.1", "--ttl", "300")
                        .succeeded()
                        .out()
                        .lines()
                        .toList());
        assertEquals(
                List.of("swap.test.example. 20 IN A 198.51.100.1"),
                dns("lower-ttl", name, "--ttl", "20").succeeded().out().lines().toList());
    }

    @Test
    void keyCanBeReadFromAFile() throws Exception {
        Path keyFile = Files.writeString(dir.resolve("tsig.key"), BIND.server().keyText(BindServer.FULL_KEY) + "\n");
        String name = "file." + BindServer.ZONE;
        XenoCliTest.run(
                        "dns",
                        "add",
                        "--server",
                        BIND.server().server(),
                        "--tsig",
                        "@" + keyFile,
                        "--name",
                        name,
                        "--address",
                        "192.0.2.44")
                .succeeded();
        assertEquals(
                List.of("file.test.example. 30 IN A 192.0.2.44"),
                dns("show", name).succeeded().out().lines().toList());
    }

    @Test
    void wrongSecretFailsWithOneLineThatSaysSo() {
        String key = BIND.server().keyText(BindServer.FULL_KEY);
        String forged = key.substring(0, key.lastIndexOf(':') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        CliRun run = XenoCliTest.run(
                        "dns",
                        "add",
                        "--server",
                        BIND.server().server(),
                        "--tsig",
                        forged,
                        "--name",
                        "x." + BindServer.ZONE,
                        "--address",
                        "192.0.2.1")
                .failedWith(XenoCli.FAILED);
        assertTrue(run.err().contains("badsig"), run.err());
    }

    @Test
    void refusedByUpdatePolicy() {
        CliRun run = XenoCliTest.run(
                        "dns",
                        "add",
                        "--server",
                        BIND.server().server(),
                        "--tsig",
                        BIND.server().keyText(BindServer.WWW_ONLY_KEY),
                        "--zone",
                        BindServer.ZONE,
                        "--name",
                        "not-www." + BindServer.ZONE,
                        "--address",
                        "192.0.2.1")
                .failedWith(XenoCli.FAILED);
        assertTrue(run.err().contains("update-policy"), run.err());
    }

    @Test
    void deadServerFailsWithOneLine() throws Exception {
        int deadPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            deadPort = probe.getLocalPort();
        }
        CliRun run = XenoCliTest.run(
                        "dns",
                        "show",
                        "--server",
                        "127.0.0.1:" + deadPort,
                        "--tsig",
                        BIND.server().keyText(BindServer.FULL_KEY),
                        "--zone",
                        BindServer.ZONE,
                        "--name",
                        "www." + BindServer.ZONE,
                        "--timeout",
                        "100")
                .failedWith(XenoCli.FAILED);
        assertTrue(run.err().contains("127.0.0.1:" + deadPort), run.err());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "dns add --server SERVER --tsig KEY --name www.test.example --address not-an-ip",
                "dns add --server SERVER --tsig KEY --name www.test.example --address 300.1.1.1",
                "dns add --server SERVER --tsig KEY --name www.test.example",
                "dns add --server SERVER --name www.test.example --address 192.0.2.1",
                "dns add --server SERVER --tsig hmac-md5:k:c2VjcmV0c2VjcmV0c2VjcmV0 --name www.test.example --address 192.0.2.1",
                "dns add --server SERVER --tsig @/nonexistent/key --name www.test.example --address 192.0.2.1",
                "dns add --server host:port --tsig KEY --name www.test.example --address 192.0.2.1",
                "dns add --server SERVER --tsig KEY --name www.test.example --address 192.0.2.1 --ttl 0",
                "dns add --server SERVER --tsig KEY --name bad..name --address 192.0.2.1",
                "dns show --tsig KEY --name www.test.example",
                "dns",
            })
    void usageErrorsExitWithTwo(String commandLine) {
        String[] args = commandLine
                .replace("SERVER", BIND.server().server())
                .replace("KEY", BIND.server().keyText(BindServer.FULL_KEY))
                .split(" ");
        XenoCliTest.run(args).failedWith(XenoCli.USAGE);
    }
}
