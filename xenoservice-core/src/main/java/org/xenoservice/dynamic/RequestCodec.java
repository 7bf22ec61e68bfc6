package org.xenoservice.dynamic;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.xenoservice.protocol.CapturedRequest;

/**
 * The payload of a request record: the fields of a {@link CapturedRequest} in a plain
 * {@link DataOutputStream} encoding. Strings are an {@code int} count of UTF-16 units followed by
 * the units (exact for every Java string); the instant is {@code long} seconds and {@code int}
 * nanoseconds; the headers a count then name and value each; the body an {@code int} length then
 * the bytes.
 */
final class RequestCodec {
    /**
     * Largest payload any valid {@link CapturedRequest} encodes to: the body, two bytes per
     * character of every string field at its limit, and the fixed fields.
     */
    static final int MAX_PAYLOAD_BYTES = CapturedRequest.MAX_BODY_BYTES
            + 2
                    * (CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS
                            + CapturedRequest.MAX_SITE_CHARS
                            + CapturedRequest.MAX_METHOD_CHARS
                            + CapturedRequest.MAX_PATH_CHARS
                            + CapturedRequest.MAX_HEADER_CHARS)
            + 4 * 4
            + 12
            + 4
            + CapturedRequest.MAX_HEADERS * 8
            + 4;

    private RequestCodec() {}

    static byte[] encode(CapturedRequest request) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + request.bodyLength());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeString(out, request.idempotencyKey());
            writeString(out, request.site());
            writeString(out, request.method());
            writeString(out, request.path());
            Instant capturedAt = request.capturedAt();
            out.writeLong(capturedAt.getEpochSecond());
            out.writeInt(capturedAt.getNano());
            out.writeInt(request.headers().size());
            for (CapturedRequest.Header header : request.headers()) {
                writeString(out, header.name());
                writeString(out, header.value());
            }
            byte[] body = request.body();
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Decodes a payload; throws {@link IllegalArgumentException} naming what is wrong when the bytes
     * are not exactly one valid request.
     */
    static CapturedRequest decode(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            String key = readString(in, CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS);
            String site = readString(in, CapturedRequest.MAX_SITE_CHARS);
            String method = readString(in, CapturedRequest.MAX_METHOD_CHARS);
            String path = readString(in, CapturedRequest.MAX_PATH_CHARS);
            long seconds = in.readLong();
            int nanos = in.readInt();
            if (nanos < 0 || nanos > 999_999_999) {
                // Instant would carry them into the seconds: the same instant would have two encodings
                throw new IllegalArgumentException("capture time nanoseconds " + nanos + " out of range 0..999999999");
            }
            Instant capturedAt = Instant.ofEpochSecond(seconds, nanos);
            int headerCount = in.readInt();
            if (headerCount < 0 || headerCount > CapturedRequest.MAX_HEADERS) {
                throw new IllegalArgumentException("header count " + headerCount + " out of range");
            }
            List<CapturedRequest.Header> headers = new ArrayList<>(headerCount);
            for (int i = 0; i < headerCount; i++) {
                headers.add(new CapturedRequest.Header(
                        readString(in, CapturedRequest.MAX_HEADER_CHARS),
                        readString(in, CapturedRequest.MAX_HEADER_CHARS)));
            }
            int bodyLength = in.readInt();
            if (bodyLength < 0 || bodyLength != in.available()) {
                throw new IllegalArgumentException("body length " + bodyLength + " does not match the " + in.available()
                        + " bytes left in the record");
            }
            byte[] body = in.readNBytes(bodyLength);
            return new CapturedRequest(key, site, method, path, headers, body, capturedAt);
        } catch (EOFException e) {
            throw new IllegalArgumentException("record ends inside a field", e);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("capture time out of range", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
    }

    /** The length of a request fingerprint ({@link CapturedRequest#fingerprint()}) in a key record. */
    static final int FINGERPRINT_BYTES = 32;

    /**
     * An acknowledged request's idempotency key, kept after compaction, with the request's
     * fingerprint; an empty fingerprint when the key record was written before fingerprints were kept.
     */
    @SuppressWarnings("ArrayRecordComponent") // package-private, never compared
    record KeptKey(String key, byte[] fingerprint) {}

    /**
     * The payload of a key record: the key encoded as the strings of a request, then the request's
     * 32-byte fingerprint (absent in records written before fingerprints were kept).
     */
    static byte[] encodeKey(String key, byte[] fingerprint) {
        ByteBuffer buffer =
                ByteBuffer.allocate(4 + 2 * key.length() + fingerprint.length).putInt(key.length());
        for (int i = 0; i < key.length(); i++) {
            buffer.putChar(key.charAt(i));
        }
        return buffer.put(fingerprint).array();
    }

    static KeptKey decodeKey(byte[] payload) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
            String key = readString(in, CapturedRequest.MAX_IDEMPOTENCY_KEY_CHARS);
            int left = in.available();
            if (left != 0 && left != FINGERPRINT_BYTES) {
                throw new IllegalArgumentException(
                        left + " bytes after the key, neither none nor a " + FINGERPRINT_BYTES + "-byte fingerprint");
            }
            byte[] fingerprint = in.readNBytes(left);
            // the key must be one a CapturedRequest accepts
            if (!CapturedRequest.isIdempotencyKey(key)) {
                throw new IllegalArgumentException("the key record holds no valid idempotency key");
            }
            return new KeptKey(key, fingerprint);
        } catch (EOFException e) {
            throw new IllegalArgumentException("record ends inside the key", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading from memory cannot fail", e);
        }
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        out.writeInt(value.length());
        out.writeChars(value);
    }

    private static String readString(DataInputStream in, int maxChars) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > maxChars) {
            throw new IllegalArgumentException("string length " + length + " out of range 0.." + maxChars);
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = in.readChar();
        }
        return new String(chars);
    }
}
