package org.xenoservice.peer.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.xenoservice.key.SiteKeys;

/**
 * Bundles a hostile tenant writes: a well-built bundle taken apart, one file's blob replaced by
 * other stored bytes (a valid gzip with a huge comment, a decompression bomb), its manifest entry
 * changed to match, and the manifest signed again with the tenant's own key. Every rule of the
 * format still holds, so the peer accepts them; what they test is what the peer then does.
 */
final class CraftedBundles {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CraftedBundles() {}

    /**
     * {@code bundle} with the blob of {@code path} replaced by {@code stored} (gzip bytes that decode
     * to {@code size} bytes hashing to {@code sha256}), signed again with {@code key}.
     */
    static byte[] replaceGzipBlob(byte[] bundle, PrivateKey key, String path, String sha256, long size, byte[] stored)
            throws IOException {
        Map<String, byte[]> entries = entries(bundle);
        ObjectNode manifest = (ObjectNode) JSON.readTree(entries.remove("manifest.json"));
        entries.remove("manifest.sig");
        String oldSha256 = null;
        for (JsonNode file : manifest.get("files")) {
            if (file.get("path").asText().equals(path)) {
                oldSha256 = file.get("sha256").asText();
                ObjectNode edited = (ObjectNode) file;
                edited.put("sha256", sha256);
                edited.put("size", size);
                edited.put("encoding", "gzip");
                edited.put("storedSize", stored.length);
            }
        }
        if (oldSha256 == null) {
            throw new IllegalArgumentException("the bundle has no file " + path);
        }
        entries.remove("blobs/" + oldSha256);
        entries.put("blobs/" + sha256, stored);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        Map<String, byte[]> ordered = new LinkedHashMap<>();
        ordered.put("manifest.json", manifestBytes);
        ordered.put("manifest.sig", SiteKeys.sign(key, manifestBytes));
        ordered.putAll(entries);
        return tar(ordered);
    }

    /**
     * One gzip member of {@code content} whose header carries a comment of {@code commentBytes}
     * bytes: valid for every decoder, and as large as its writer likes.
     */
    static byte[] gzipWithComment(byte[] content, int commentBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 16, 0, 0, 0, 0, 0, (byte) 0xff});
        byte[] comment = new byte[commentBytes];
        java.util.Arrays.fill(comment, (byte) 'x');
        out.writeBytes(comment);
        out.write(0);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(content);
        deflater.finish();
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(content);
        littleEndian(out, crc.getValue());
        littleEndian(out, content.length);
        return out.toByteArray();
    }

    /**
     * A gzip bomb: {@code size} bytes of {@code 'a'}, deflated, behind a comment of
     * {@code commentBytes} that keeps the ratio under the bundle limit. Returns the gzip bytes; the
     * identity digest is {@link #repeatedSha256}.
     */
    static byte[] gzipBomb(long size, int commentBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 16, 0, 0, 0, 0, 0, (byte) 0xff});
        byte[] comment = new byte[commentBytes];
        java.util.Arrays.fill(comment, (byte) 'x');
        out.writeBytes(comment);
        out.write(0);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'a');
        byte[] buffer = new byte[64 * 1024];
        CRC32 crc = new CRC32();
        for (long left = size; left > 0; left -= chunk.length) {
            int n = (int) Math.min(chunk.length, left);
            crc.update(chunk, 0, n);
            deflater.setInput(chunk, 0, n);
            while (!deflater.needsInput()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        littleEndian(out, crc.getValue());
        littleEndian(out, size);
        return out.toByteArray();
    }

    /** The SHA-256 of {@code size} bytes of {@code 'a'}. */
    static String repeatedSha256(long size) {
        MessageDigest sha256 = sha256();
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 'a');
        for (long left = size; left > 0; left -= chunk.length) {
            sha256.update(chunk, 0, (int) Math.min(chunk.length, left));
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void littleEndian(ByteArrayOutputStream out, long value) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
    }

    private static Map<String, byte[]> entries(byte[] bundle) throws IOException {
        InputStream raw = new ByteArrayInputStream(bundle);
        if ((bundle[0] & 0xff) == 0x1f && (bundle[1] & 0xff) == 0x8b) {
            raw = new GZIPInputStream(raw);
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(raw, "UTF-8")) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                entries.put(entry.getName(), tar.readAllBytes());
            }
        }
        return entries;
    }

    private static byte[] tar(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name())) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                TarArchiveEntry header = new TarArchiveEntry(entry.getKey());
                header.setSize(entry.getValue().length);
                tar.putArchiveEntry(header);
                tar.write(entry.getValue());
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return out.toByteArray();
    }
}
