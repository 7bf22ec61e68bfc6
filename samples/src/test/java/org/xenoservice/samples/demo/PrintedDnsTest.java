package org.xenoservice.samples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrintedDnsTest {
    @Test
    void keepsTheRecordsAndPrintsEveryUpdate() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintedDns dns = new PrintedDns(Duration.ofSeconds(1), new PrintStream(printed, true, StandardCharsets.UTF_8));
        InetAddress origin = InetAddress.getByName("127.0.0.2");
        InetAddress peer = InetAddress.getByName("127.0.0.11");
        dns.update("books.demo.example", List.of(origin), List.of(), Duration.ofSeconds(1));
        dns.update("books.demo.example", List.of(peer), List.of(origin), Duration.ofSeconds(1));
        assertEquals(List.of(peer), dns.show("books.demo.example").addresses());
        assertEquals(Duration.ofSeconds(1), dns.show("books.demo.example.").ttl());
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("[printed DNS] UPDATE books.demo.example. add [127.0.0.11] remove [127.0.0.2]"), text);
    }

    @Test
    void aNameWithoutRecordsIsEmpty() {
        PrintedDns dns = new PrintedDns(
                Duration.ofSeconds(1), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertTrue(dns.show("nothing.demo.example").isEmpty());
    }
}
