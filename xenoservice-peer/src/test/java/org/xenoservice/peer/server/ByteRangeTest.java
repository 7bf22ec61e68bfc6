package org.xenoservice.peer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {
    @ParameterizedTest
    @CsvSource({
        "'bytes=0-99', 0, 100",
        "'bytes=100-199', 100, 100",
        "'bytes=990-', 990, 10",
        "'bytes=0-', 0, 1000",
        "'bytes=-10', 990, 10",
        "'bytes=-5000', 0, 1000",
        "'bytes=900-5000', 900, 100",
        "'bytes=999-999', 999, 1",
        "' Bytes = 5 - 9 ', 5, 5",
        "'bytes=0-99999999999999999999999', 0, 1000"
    })
    void satisfiableRanges(String header, long start, long length) {
        assertEquals(new ByteRange(ByteRange.Kind.SATISFIABLE, start, length), ByteRange.parse(header, 1000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=1000-", "bytes=1000-2000", "bytes=-0", "bytes=99999999999999999999-"})
    void unsatisfiableRanges(String header) {
        assertEquals(ByteRange.Kind.UNSATISFIABLE, ByteRange.parse(header, 1000).kind());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "bytes=0-1,3-4",
                "bytes=0-1,",
                "items=0-1",
                "bytes=5-1",
                "bytes=a-b",
                "bytes=-",
                "bytes=1",
                "bytes 0-1",
                "",
                "bytes=+1-2",
                "bytes=--1"
            })
    void ignoredRanges(String header) {
        assertEquals(ByteRange.NONE, ByteRange.parse(header, 1000));
    }

    @Test
    void nothingOfAnEmptyRepresentationIsSatisfiable() {
        assertEquals(
                ByteRange.Kind.UNSATISFIABLE, ByteRange.parse("bytes=0-", 0).kind());
        assertEquals(
                ByteRange.Kind.UNSATISFIABLE, ByteRange.parse("bytes=-1", 0).kind());
    }

    @Test
    void endIsInclusive() {
        assertEquals(199, ByteRange.parse("bytes=100-199", 1000).end());
    }
}
