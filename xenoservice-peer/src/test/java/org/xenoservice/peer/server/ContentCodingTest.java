package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentCodingTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "gzip",
                "GZip",
                "x-gzip",
                "gzip, deflate, br",
                "br;q=1.0, gzip;q=0.8",
                "*",
                "*;q=0.1",
                "gzip ; q=1",
                "identity;q=0, gzip",
                "gzip;q=0, gzip;q=0.5",
                "deflate, *"
            })
    void acceptsGzip(String header) {
        assertTrue(ContentCoding.acceptsGzip(header), header);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "identity",
                "deflate, br",
                "gzip;q=0",
                "gzip;q=0.0",
                "gzip;q=0.000",
                "*;q=0",
                "*, gzip;q=0",
                "gzip;q=2",
                "gzip;q=abc",
                "gzip;q=-1",
                "gzipper",
                ","
            })
    void refusesGzip(String header) {
        assertFalse(ContentCoding.acceptsGzip(header), header);
    }

    @Test
    void noHeaderMeansIdentity() {
        assertFalse(ContentCoding.acceptsGzip(null));
    }
}
