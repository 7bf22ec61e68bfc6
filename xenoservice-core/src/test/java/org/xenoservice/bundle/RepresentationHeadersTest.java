package org.xenoservice.bundle;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules a peer and the origin both serve a bundle's files by. */
class RepresentationHeadersTest {
    private static final String TAG = "\"abc\"";

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
        assertTrue(RepresentationHeaders.acceptsGzip(header), header);
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
        assertFalse(RepresentationHeaders.acceptsGzip(header), header);
    }

    @Test
    void noHeaderMeansIdentity() {
        assertFalse(RepresentationHeaders.acceptsGzip(null));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"\"abc\"", "W/\"abc\"", "*", "\"x\", \"abc\"", "\"x\",W/\"abc\"", " \"abc\" ", "\"x\" ,\t\"abc\""
            })
    void weakMatches(String header) {
        assertTrue(RepresentationHeaders.weakMatch(header, TAG), header);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"abcd\"", "\"ab\"", "abc", "\"x\"", "", "W/", "\"abc", "W/abc", "\"a,bc\""})
    void weakMismatches(String header) {
        assertFalse(RepresentationHeaders.weakMatch(header, TAG), header);
    }
}
