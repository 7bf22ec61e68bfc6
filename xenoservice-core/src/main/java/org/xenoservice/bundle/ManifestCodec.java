package org.xenoservice.bundle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xenoservice.bundle.BundleException.Rule;

/**
 * Writes a manifest as deterministic compact JSON (fixed field order, files sorted by path) and
 * parses one strictly: duplicate keys, unknown fields, wrong types and bad values are rejected
 * with the field that is wrong.
 */
final class ManifestCodec {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> TOP_FIELDS =
            Set.of("format", "site", "version", "created", "base", "files", "dynamic", "https");
    private static final Set<String> FILE_FIELDS =
            Set.of("path", "sha256", "size", "contentType", "encoding", "storedSize", "lastModified", "cacheControl");
    private static final Set<String> HTTPS_FIELDS = Set.of("redirect", "hsts");
    private static final int MAX_HEADER_VALUE = 256;

    private ManifestCodec() {}

    /** Serialises the fields into the manifest's canonical bytes and returns it. */
    static Manifest write(
            String site,
            long version,
            Instant created,
            Optional<String> base,
            List<ManifestFile> files,
            List<DynamicRoute> dynamic,
            HttpsSettings https) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + files.size() * 240);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("format", Manifest.FORMAT);
            json.writeStringField("site", site);
            json.writeNumberField("version", version);
            json.writeStringField("created", rfc3339(created));
            if (base.isPresent()) {
                json.writeStringField("base", base.get());
            } else {
                json.writeNullField("base");
            }
            json.writeArrayFieldStart("files");
            for (ManifestFile file : files) {
                json.writeStartObject();
                json.writeStringField("path", file.path());
                json.writeStringField("sha256", file.sha256());
                json.writeNumberField("size", file.size());
                json.writeStringField("contentType", file.contentType());
                json.writeStringField("encoding", file.encoding().token());
                json.writeNumberField("storedSize", file.storedSize());
                json.writeStringField("lastModified", rfc3339(file.lastModified()));
                json.writeStringField("cacheControl", file.cacheControl());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("dynamic");
            for (DynamicRoute route : dynamic) {
                json.writeStartObject();
                json.writeStringField("prefix", route.prefix());
                json.writeStringField("policy", route.policy().token());
                for (Map.Entry<String, String> setting : route.settings().entrySet()) {
                    json.writeStringField(setting.getKey(), setting.getValue());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            if (!https.isNone()) {
                // Only when set, so that a manifest without HTTPS settings keeps the bytes it always had.
                json.writeObjectFieldStart("https");
                json.writeBooleanField("redirect", https.redirect());
                if (https.hsts().isPresent()) {
                    json.writeStringField("hsts", https.hsts().get());
                } else {
                    json.writeNullField("hsts");
                }
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory cannot fail", e);
        }
        return new Manifest(site, version, created, base, files, dynamic, https, out.toByteArray());
    }

    /** RFC 3339 in UTC, whole seconds, e.g. {@code 2026-11-25T10:15:30Z}. */
    static String rfc3339(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Parses manifest bytes, checking every field; the signature must already have verified. */
    static Manifest parse(byte[] bytes) throws BundleException {
        JsonNode root;
        try {
            root = STRICT.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw syntax("manifest.json is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw syntax("manifest.json could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw syntax("manifest.json must be a JSON object");
        }
        JsonNode format = root.get("format");
        if (format == null || !format.isTextual()) {
            throw new BundleException(
                    Rule.FORMAT_VERSION, "manifest has no 'format' field; expected \"" + Manifest.FORMAT + "\"");
        }
        if (!Manifest.FORMAT.equals(format.textValue())) {
            throw new BundleException(
                    Rule.FORMAT_VERSION,
                    "manifest format is \""
                            + printable(format.textValue()) + "\", this reader understands \"" + Manifest.FORMAT
                            + "\"; upgrade XenoService or rebuild the bundle with this version");
        }
        checkFields(root, TOP_FIELDS, "manifest");
        String site = requireText(root, "site", "manifest");
        Optional<String> siteProblem = SiteName.problem(site);
        if (siteProblem.isPresent()) {
            throw syntax("'site' \"" + printable(site) + "\" " + siteProblem.get());
        }
        long version = requireLong(root, "version", "manifest");
        if (version < 1) {
            throw syntax("'version' must be a positive integer, was " + version);
        }
        Instant created = requireInstant(root, "created", "manifest");
        JsonNode baseNode = require(root, "base", "manifest");
        Optional<String> base;
        if (baseNode.isNull()) {
            base = Optional.empty();
        } else if (baseNode.isTextual() && Digests.isSha256Hex(baseNode.textValue())) {
            base = Optional.of(baseNode.textValue());
        } else {
            throw syntax("'base' must be null or the 64 lower-case hex SHA-256 of the base manifest");
        }
        List<ManifestFile> files = parseFiles(requireArray(root, "files", "manifest"));
        List<DynamicRoute> dynamic = parseDynamic(requireArray(root, "dynamic", "manifest"));
        HttpsSettings https = root.has("https") ? parseHttps(root.get("https")) : HttpsSettings.NONE;
        return new Manifest(site, version, created, base, files, dynamic, https, bytes);
    }

    private static List<ManifestFile> parseFiles(JsonNode array) throws BundleException {
        List<ManifestFile> files = new ArrayList<>(array.size());
        Set<String> paths = new HashSet<>(array.size() * 2);
        Map<String, ManifestFile> firstBySha = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            String where = "files[" + i + "]";
            JsonNode node = array.get(i);
            if (!node.isObject()) {
                throw syntax("'" + where + "' must be an object");
            }
            checkFields(node, FILE_FIELDS, where);
            String path = requireText(node, "path", where);
            Optional<String> pathProblem = BundlePaths.fileProblem(path);
            if (pathProblem.isPresent()) {
                throw new BundleException(
                        Rule.PATH,
                        where + ".path \"" + printable(path) + "\" " + pathProblem.get()
                                + "; rebuild the bundle from a clean source tree");
            }
            if (!paths.add(path)) {
                throw new BundleException(
                        Rule.DUPLICATE_PATH,
                        "path \"" + printable(path) + "\" is listed twice (again at " + where + ")");
            }
            String sha256 = requireText(node, "sha256", where);
            if (!Digests.isSha256Hex(sha256)) {
                throw syntax(where + ".sha256 must be 64 lower-case hex characters");
            }
            long size = requireLong(node, "size", where);
            long storedSize = requireLong(node, "storedSize", where);
            if (size < 0 || storedSize < 0) {
                throw syntax(where + " sizes must not be negative");
            }
            String encodingToken = requireText(node, "encoding", where);
            Encoding encoding = Encoding.fromToken(encodingToken)
                    .orElseThrow(() -> syntax(where + ".encoding must be \"identity\" or \"gzip\", was \""
                            + printable(encodingToken) + "\""));
            if (encoding == Encoding.IDENTITY && storedSize != size) {
                throw new BundleException(
                        Rule.BLOB_SIZE,
                        where + " (" + printable(path) + ") is stored identity but storedSize " + storedSize
                                + " differs from size " + size);
            }
            String contentType = requireHeaderValue(node, "contentType", where);
            String cacheControl = requireHeaderValue(node, "cacheControl", where);
            Instant lastModified = requireInstant(node, "lastModified", where);
            ManifestFile file =
                    new ManifestFile(path, sha256, size, contentType, encoding, storedSize, lastModified, cacheControl);
            ManifestFile same = firstBySha.putIfAbsent(sha256, file);
            if (same != null
                    && (same.size() != size || same.encoding() != encoding || same.storedSize() != storedSize)) {
                throw new BundleException(
                        Rule.BLOB_SIZE,
                        "paths \"" + printable(same.path()) + "\" and \""
                                + printable(path) + "\" share digest " + sha256
                                + " but give different sizes or encodings (one blob per digest in a bundle)");
            }
            files.add(file);
        }
        checkNoFileIsAlsoADirectory(paths);
        return files;
    }

    /** "/a" and "/a/b" cannot both be files: no tree on disk, and no origin, could hold both. */
    private static void checkNoFileIsAlsoADirectory(Set<String> paths) throws BundleException {
        for (String path : paths) {
            for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
                String parent = path.substring(0, slash);
                if (paths.contains(parent)) {
                    throw new BundleException(
                            Rule.PATH,
                            "\"" + printable(parent) + "\" is listed as a file and as the folder of \""
                                    + printable(path) + "\"");
                }
            }
        }
    }

    private static List<DynamicRoute> parseDynamic(JsonNode array) throws BundleException {
        List<DynamicRoute> routes = new ArrayList<>(array.size());
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            String where = "dynamic[" + i + "]";
            JsonNode node = array.get(i);
            if (!node.isObject()) {
                throw syntax("'" + where + "' must be an object");
            }
            String prefix = requireText(node, "prefix", where);
            Optional<String> problem = BundlePaths.prefixProblem(prefix);
            if (problem.isPresent()) {
                throw new BundleException(Rule.PATH, where + ".prefix \"" + printable(prefix) + "\" " + problem.get());
            }
            if (!prefixes.add(prefix)) {
                throw new BundleException(
                        Rule.DUPLICATE_PATH, "dynamic prefix \"" + printable(prefix) + "\" is listed twice");
            }
            String token = requireText(node, "policy", where);
            DynamicRoute.Policy policy = DynamicRoute.Policy.fromToken(token)
                    .orElseThrow(() -> syntax(where + ".policy must be \"proxy\", \"capture\" or \"degrade\", was \""
                            + printable(token) + "\""));
            Map<String, String> settings = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals("prefix") || field.getKey().equals("policy")) {
                    continue;
                }
                if (!field.getValue().isTextual()) {
                    throw syntax(where + "." + printable(field.getKey()) + " must be a string");
                }
                settings.put(field.getKey(), field.getValue().textValue());
            }
            routes.add(new DynamicRoute(prefix, policy, settings));
        }
        return routes;
    }

    /** The optional {@code https} object: both fields required, nothing else, the HSTS value checked. */
    private static HttpsSettings parseHttps(JsonNode node) throws BundleException {
        if (!node.isObject()) {
            throw syntax("manifest.https must be an object {\"redirect\": true|false, \"hsts\": \"max-age=...\"|null}");
        }
        checkFields(node, HTTPS_FIELDS, "manifest.https");
        JsonNode redirect = require(node, "redirect", "manifest.https");
        if (!redirect.isBoolean()) {
            throw syntax("manifest.https.redirect must be true or false");
        }
        JsonNode hsts = require(node, "hsts", "manifest.https");
        if (hsts.isNull()) {
            return new HttpsSettings(redirect.booleanValue(), Optional.empty());
        }
        if (!hsts.isTextual()) {
            throw syntax("manifest.https.hsts must be a string or null");
        }
        Optional<String> problem = HttpsSettings.hstsProblem(hsts.textValue());
        if (problem.isPresent()) {
            throw syntax("manifest.https.hsts \"" + printable(hsts.textValue()) + "\" " + problem.get()
                    + " (it is sent as the Strict-Transport-Security header)");
        }
        return new HttpsSettings(redirect.booleanValue(), Optional.of(hsts.textValue()));
    }

    private static void checkFields(JsonNode node, Set<String> allowed, String where) throws BundleException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw syntax(where + " has unknown field '" + printable(name) + "'");
            }
        }
    }

    private static JsonNode require(JsonNode node, String field, String where) throws BundleException {
        JsonNode value = node.get(field);
        if (value == null) {
            throw syntax(where + " has no '" + field + "' field");
        }
        return value;
    }

    private static String requireText(JsonNode node, String field, String where) throws BundleException {
        JsonNode value = require(node, field, where);
        if (!value.isTextual()) {
            throw syntax(where + "." + field + " must be a string");
        }
        return value.textValue();
    }

    private static String requireHeaderValue(JsonNode node, String field, String where) throws BundleException {
        String value = requireText(node, field, where);
        if (value.isEmpty() || value.length() > MAX_HEADER_VALUE) {
            throw syntax(where + "." + field + " must be 1 to " + MAX_HEADER_VALUE + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw syntax(where + "." + field + " must be printable ASCII (it becomes an HTTP header)");
            }
        }
        return value;
    }

    private static long requireLong(JsonNode node, String field, String where) throws BundleException {
        JsonNode value = require(node, field, where);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw syntax(where + "." + field + " must be an integer");
        }
        return value.longValue();
    }

    private static JsonNode requireArray(JsonNode node, String field, String where) throws BundleException {
        JsonNode value = require(node, field, where);
        if (!value.isArray()) {
            throw syntax(where + "." + field + " must be an array");
        }
        return value;
    }

    private static Instant requireInstant(JsonNode node, String field, String where) throws BundleException {
        String text = requireText(node, field, where);
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            throw syntax(where + "." + field + " must be an RFC 3339 time such as 2026-11-25T10:15:30Z, was \""
                    + printable(text) + "\"");
        }
    }

    private static BundleException syntax(String message) {
        return new BundleException(Rule.MANIFEST_SYNTAX, message);
    }

    /** Shortens and escapes untrusted text before it goes into a message or a log line. */
    static String printable(String text) {
        int limit = 120;
        StringBuilder out = new StringBuilder(Math.min(text.length(), limit) + 8);
        int i = 0;
        for (; i < text.length() && out.length() < limit; i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pair) {
                out.append(c).append(text.charAt(++i));
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (i < text.length()) {
            out.append('…');
        }
        return out.toString();
    }
}
