package org.xenoservice.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.xenoservice.key.SiteKeys;

/**
 * Crafts bundles a well-behaved builder never writes: tar archives of any entries (links,
 * devices, odd names, any order), and manifests written by hand and validly signed, so that
 * each hostile test states only what it breaks.
 */
final class HostileBundles {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long MTIME_MILLIS = BundleFixtures.CREATED.toEpochMilli();

    private HostileBundles() {}

    /** One tar entry: a regular file with data, or another type with an optional link target. */
    @SuppressWarnings("ArrayRecordComponent") // test data, never compared
    record Entry(String name, byte type, byte[] data, String linkName) {
        static Entry file(String name, byte[] data) {
            return new Entry(name, TarConstants.LF_NORMAL, data, "");
        }

        static Entry ofType(String name, byte type, String linkName) {
            return new Entry(name, type, new byte[0], linkName);
        }

        Entry withData(byte[] newData) {
            return new Entry(name, type, newData, linkName);
        }

        @Override
        public String toString() {
            return name + " (type '" + (char) type + "', " + data.length + " bytes)";
        }
    }

    /** Writes the entries, in order and unchecked, as a POSIX tar; absolute names stay absolute. */
    static byte[] tar(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Entry entry : entries) {
                TarArchiveEntry header = new TarArchiveEntry(entry.name(), entry.type(), true);
                header.setModTime(MTIME_MILLIS);
                header.setMode(entry.type() == TarConstants.LF_DIR ? 040755 : 0100644);
                if (!entry.linkName().isEmpty()) {
                    header.setLinkName(entry.linkName());
                }
                header.setSize(entry.data().length);
                tar.putArchiveEntry(header);
                tar.write(entry.data());
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The entries of an uncompressed bundle, in order. */
    static List<Entry> entries(byte[] bundle) {
        List<Entry> entries = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(bundle))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries.add(new Entry(e.getName(), e.getLinkFlag(), tar.readAllBytes(), e.getLinkName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** Gzip with the given deflate level. */
    static byte[] gzip(byte[] data, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(level);
            }
        }) {
            gzip.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Gzip at the default level. */
    static byte[] gzip(byte[] data) {
        return gzip(data, Deflater.DEFAULT_COMPRESSION);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] flip(byte[] data, int index) {
        byte[] copy = Arrays.copyOf(data, data.length);
        copy[index] ^= 0x01;
        return copy;
    }

    /** A blob as a manifest names it and a bundle carries it. */
    @SuppressWarnings("ArrayRecordComponent") // test data, never compared
    record Blob(String sha256, Encoding encoding, long size, byte[] stored) {
        static Blob identity(byte[] content) {
            return new Blob(HostileBundles.sha256(content), Encoding.IDENTITY, content.length, content);
        }

        static Blob gzipped(byte[] content) {
            return new Blob(HostileBundles.sha256(content), Encoding.GZIP, content.length, gzip(content, 9));
        }

        Entry entry() {
            return Entry.file("blobs/" + sha256, stored);
        }
    }

    /** A manifest of the test site with no files yet; add them with {@link #file}. */
    static ObjectNode manifest(long version) {
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", Manifest.FORMAT);
        manifest.put("site", BundleFixtures.SITE);
        manifest.put("version", version);
        manifest.put("created", "2026-11-25T10:15:30Z");
        manifest.putNull("base");
        manifest.putArray("files");
        manifest.putArray("dynamic");
        return manifest;
    }

    /** Adds a file entry for a blob at a path and returns it, to adjust fields. */
    static ObjectNode file(ObjectNode manifest, String path, Blob blob) {
        ObjectNode file = ((ArrayNode) manifest.get("files")).addObject();
        file.put("path", path);
        file.put("sha256", blob.sha256());
        file.put("size", blob.size());
        file.put("contentType", "text/html; charset=utf-8");
        file.put("encoding", blob.encoding().token());
        file.put("storedSize", blob.stored().length);
        file.put("lastModified", "2026-11-01T09:30:00Z");
        file.put("cacheControl", "public, max-age=300");
        return file;
    }

    static byte[] json(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A bundle of these manifest bytes, signed with {@link TestKeys#SITE}, then the entries. */
    static byte[] signedBundle(byte[] manifestJson, List<Entry> blobs) {
        return signedBundle(TestKeys.SITE.getPrivate(), manifestJson, blobs);
    }

    static byte[] signedBundle(PrivateKey key, byte[] manifestJson, List<Entry> blobs) {
        List<Entry> entries = new ArrayList<>();
        entries.add(Entry.file("manifest.json", manifestJson));
        entries.add(Entry.file("manifest.sig", SiteKeys.sign(key, manifestJson)));
        entries.addAll(blobs);
        return tar(entries);
    }

    /** A signed bundle of a crafted manifest and the blobs. */
    static byte[] signedBundle(ObjectNode manifest, Blob... blobs) {
        List<Entry> entries = new ArrayList<>();
        for (Blob blob : blobs) {
            entries.add(blob.entry());
        }
        return signedBundle(json(manifest), entries);
    }
}
