package org.xenoservice.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.function.Function;

/**
 * Fuzzes {@link ControlCodec}'s readers, which parse what the other end sent: a peer reads
 * requests from anyone who reaches its control port, the origin reads answers from a peer. Each
 * must refuse a body only with {@link IllegalArgumentException} (or, for an error, say there is
 * none). In a normal build this runs the empty input; run with {@code JAZZER_FUZZ=1} to fuzz for real.
 */
class ControlCodecFuzzTest {
    private static final List<Function<byte[], ?>> READERS = List.of(
            ControlCodec::readDigests,
            ControlCodec::readMissing,
            ControlCodec::readStaged,
            ControlCodec::readActivate,
            ControlCodec::readServing,
            ControlCodec::readStatus,
            ControlCodec::readCertificateNames,
            ControlCodec::readCertificateRequest,
            ControlCodec::readCertificateChain,
            ControlCodec::readCertificate);

    @FuzzTest(maxDuration = "20s")
    void readersRefuseOnlyWithIllegalArgumentException(byte[] body) {
        for (Function<byte[], ?> reader : READERS) {
            try {
                Object unused = reader.apply(body);
            } catch (IllegalArgumentException refused) {
                // the one way to refuse a body
            }
        }
        ControlCodec.readError(body);
    }
}
