package org.xenoservice.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Addresses print in RFC 5952's canonical form, not the JDK's every-group form. */
class AddressLiteralsTest {
    @ParameterizedTest
    @CsvSource({
        "0:0:0:0:0:0:0:1, ::1",
        "0:0:0:0:0:0:0:0, ::",
        "2001:0DB8:0:0:0:0:0:7, 2001:db8::7",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", // the first of two equal runs
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // a single zero group stays
        "2001:db8:0:0:1:0:0:0, 2001:db8:0:0:1::", // the longest run wins
        "fe80:0:0:0:0:0:0:0, fe80::",
        "192.0.2.10, 192.0.2.10"
    })
    void printsTheCanonicalForm(String given, String canonical) throws UnknownHostException {
        assertEquals(canonical, AddressLiterals.format(InetAddress.getByName(given)));
    }

    @ParameterizedTest
    @CsvSource({"fe80::1%7, fe80::1%7"})
    void keepsANumericZone(String given, String canonical) throws UnknownHostException {
        assertEquals(canonical, AddressLiterals.format(InetAddress.getByName(given)));
    }

    @Test
    void formatsAllInOrder() throws UnknownHostException {
        assertEquals(
                List.of("::1", "127.0.0.1"),
                AddressLiterals.formatAll(List.of(
                        InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}),
                        InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))));
    }
}
