package org.xenoservice.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading TSIG keys as operators write them, and never printing their secrets. */
class TsigKeyTest {
    private static final String SECRET = Base64.getEncoder()
            .encodeToString("0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

    @Test
    void parsesAlgorithmNameAndSecret() {
        TsigKey key = TsigKey.parse("HMAC-SHA512:Xeno-Books.:" + SECRET);
        assertEquals(TsigKey.Algorithm.HMAC_SHA512, key.algorithm());
        assertEquals("xeno-books", key.name());
        assertEquals(TsigKey.parse("hmac-sha512:xeno-books:" + SECRET), key);
    }

    @Test
    void nameAndSecretAloneMeanHmacSha256() {
        assertEquals(
                TsigKey.Algorithm.HMAC_SHA256,
                TsigKey.parse("xeno-books:" + SECRET).algorithm());
    }

    @Test
    void toStringHidesTheSecret() {
        String text = TsigKey.parse("hmac-sha256:xeno-books:" + SECRET).toString();
        assertEquals("hmac-sha256:xeno-books:(secret hidden)", text);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "just-a-name",
                "hmac-md5:k:SECRET",
                "hmac-sha256:k:not base64!",
                "a:b:c:d",
                "hmac-sha256::SECRET",
                "hmac-sha256:bad name:SECRET",
                "hmac-sha256:k:c2hvcnQ="
            })
    void rejectsMalformedKeysWithoutEchoingTheSecret(String text) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TsigKey.parse(text.replace("SECRET", SECRET)));
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertTrue(e.getMessage().length() > 20, e.getMessage());
    }

    @Test
    void serverParsesHostPortAndIpv6() {
        assertEquals(new DnsServer("127.0.0.1", 5353), DnsServer.parse("127.0.0.1:5353"));
        assertEquals(new DnsServer("ns1.example", 53), DnsServer.parse("ns1.example"));
        assertEquals(new DnsServer("2001:db8::1", 53), DnsServer.parse("[2001:db8::1]:53"));
        assertEquals(new DnsServer("2001:db8::1", 53), DnsServer.parse("2001:db8::1"));
        assertEquals("[2001:db8::1]:53", DnsServer.parse("[2001:db8::1]").toString());
        assertThrows(IllegalArgumentException.class, () -> DnsServer.parse("ns1:http"));
        assertThrows(IllegalArgumentException.class, () -> DnsServer.parse("ns1:0"));
        assertThrows(IllegalArgumentException.class, () -> DnsServer.parse("[::1:53"));
        assertThrows(IllegalArgumentException.class, () -> DnsServer.parse(":53"));
    }
}
