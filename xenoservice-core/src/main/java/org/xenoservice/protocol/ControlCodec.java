package org.xenoservice.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The JSON bodies of the peer control protocol, in one place for both ends: the origin's client
 * writes the requests and reads the answers, the peer's control port reads the requests and
 * writes the answers, each with the same method pair here, so a field cannot drift apart.
 *
 * <ul>
 *   <li>{@code missing}: {@code {"digests":[…]}} → {@code {"missing":[…]}}
 *   <li>{@code bundle}: a bundle → {@code {"site","version","manifestSha256","staged":true}} ({@link StagedBundle})
 *   <li>{@code activate}: {@code {"version":N}} → {@code {"site","version","serving":true}}
 *   <li>{@code retire}: no body → {@code {"site","serving":false}}
 *   <li>{@code status}: no body → {@link SiteStatus}, whose {@code certificate} is a
 *       {@link ServedCertificate} or null
 *   <li>{@code tls/csr}: {@code {"names":[…]}} → {@code {"names":[…],"csr":"<PEM>"}} ({@link CertificateRequest})
 *   <li>{@code tls/certificate}: {@code {"chain":"<PEM>"}} → {@code {"names":[…],"notBefore","notAfter",
 *       "serialNumber"}} ({@link ServedCertificate})
 *   <li>a refusal: {@code {"error":"<reason>","message":"…"}} ({@link ControlError})
 * </ul>
 *
 * <p>Readers take the body's bytes and throw {@link IllegalArgumentException} with a message that
 * says what is wrong ("no whole number storedBytes") when the body is not that message; the caller
 * maps it to its own error (a 400 on the peer, a {@code bad-answer} on the origin). Stateless and
 * safe for concurrent use.
 */
public final class ControlCodec {
    /** The media type of every control body but a bundle's. */
    public static final String JSON_TYPE = "application/json";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** The most names one certificate request may ask for (Let's Encrypt's limit too). */
    public static final int MAX_CERTIFICATE_NAMES = 100;
    /** The most characters of a PEM certificate chain: a leaf and a few intermediates. */
    public static final int MAX_CHAIN_CHARS = 64 * 1024;

    private ControlCodec() {}

    /** The {@code missing} request: the digests the origin asks about. */
    public static byte[] writeDigests(Collection<String> digests) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode list = request.putArray("digests");
        digests.forEach(list::add);
        return bytes(request);
    }

    /**
     * Reads a {@code missing} request.
     *
     * @throws IllegalArgumentException if it is not JSON, not an object, or a digest is not 64
     *     lower-case hex characters
     */
    public static List<String> readDigests(byte[] body) {
        JsonNode digests = request(body).get("digests");
        if (digests == null || !digests.isArray()) {
            throw new IllegalArgumentException("missing takes {\"digests\": [\"<sha256>\", …]}");
        }
        List<String> asked = new ArrayList<>();
        for (JsonNode digest : digests) {
            if (!digest.isTextual() || !SHA256.matcher(digest.asText()).matches()) {
                throw new IllegalArgumentException("digests must be 64 lower-case hex characters each");
            }
            asked.add(digest.asText());
        }
        return asked;
    }

    /** The {@code missing} answer: the digests the peer lacks. */
    public static byte[] writeMissing(Collection<String> missing) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("missing");
        missing.forEach(list::add);
        return bytes(answer);
    }

    /** Reads a {@code missing} answer, in the peer's order. */
    public static Set<String> readMissing(byte[] body) {
        Set<String> missing = new LinkedHashSet<>();
        for (JsonNode digest : array(answer(body), "missing")) {
            if (!digest.isTextual()) {
                throw new IllegalArgumentException("a digest that is not text");
            }
            missing.add(digest.asText());
        }
        return missing;
    }

    /** The {@code bundle} answer: the version staged. */
    public static byte[] writeStaged(StagedBundle staged) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("site", staged.site());
        answer.put("version", staged.version());
        answer.put("manifestSha256", staged.manifestSha256());
        answer.put("staged", true);
        return bytes(answer);
    }

    /** Reads a {@code bundle} answer. */
    public static StagedBundle readStaged(byte[] body) {
        JsonNode answer = answer(body);
        return new StagedBundle(
                text(answer, "site"), whole(answer.path("version"), "version"), text(answer, "manifestSha256"));
    }

    /** The {@code activate} request: the version to serve. */
    public static byte[] writeActivate(long version) {
        ObjectNode request = JSON.createObjectNode();
        request.put("version", version);
        return bytes(request);
    }

    /**
     * Reads an {@code activate} request.
     *
     * @throws IllegalArgumentException if it is not JSON, not an object, or has no whole-number version
     */
    public static long readActivate(byte[] body) {
        JsonNode version = request(body).get("version");
        if (version == null || !version.canConvertToLong() || !version.isIntegralNumber()) {
            throw new IllegalArgumentException("activate takes {\"version\": N}");
        }
        return version.asLong();
    }

    /** The {@code activate} answer: {@code site} now serves {@code version}. */
    public static byte[] writeServing(String site, long version) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("site", site);
        answer.put("version", version);
        answer.put("serving", true);
        return bytes(answer);
    }

    /** The {@code retire} answer: {@code site} is no longer served. */
    public static byte[] writeRetired(String site) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("site", site);
        answer.put("serving", false);
        return bytes(answer);
    }

    /** Reads an {@code activate} or {@code retire} answer: whether the peer now serves the site. */
    public static boolean readServing(byte[] body) {
        return answer(body).path("serving").asBoolean(false);
    }

    /** The {@code status} answer. */
    public static byte[] writeStatus(SiteStatus status) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("site", status.site());
        if (status.activeVersion().isPresent()) {
            answer.put("activeVersion", status.activeVersion().getAsLong());
            answer.put("activeManifestSha256", status.activeManifestSha256().orElseThrow());
        } else {
            answer.putNull("activeVersion");
            answer.putNull("activeManifestSha256");
        }
        ArrayNode versions = answer.putArray("versions");
        status.versions().forEach(versions::add);
        answer.put("storedBytes", status.storedBytes());
        answer.put("requests", status.requests());
        answer.put("bytesSent", status.bytesSent());
        answer.put("rejectedRequests", status.rejectedRequests());
        ObjectNode quota = answer.putObject("quota");
        quota.put("maxStoredBytes", status.quota().maxStoredBytes());
        quota.put("requestsPerSecond", status.quota().requestsPerSecond());
        quota.put("bandwidthShare", status.quota().bandwidthShare());
        if (status.certificate().isPresent()) {
            answer.set("certificate", certificate(status.certificate().get()));
        } else {
            answer.putNull("certificate");
        }
        answer.put("diskBytes", status.diskBytes());
        return bytes(answer);
    }

    /** Reads a {@code status} answer. */
    public static SiteStatus readStatus(byte[] body) {
        JsonNode answer = answer(body);
        JsonNode quota = answer.path("quota");
        JsonNode active = answer.path("activeVersion");
        List<Long> versions = new ArrayList<>();
        for (JsonNode version : array(answer, "versions")) {
            versions.add(whole(version, "versions[]"));
        }
        return new SiteStatus(
                text(answer, "site"),
                active.isNull() || active.isMissingNode()
                        ? OptionalLong.empty()
                        : OptionalLong.of(whole(active, "activeVersion")),
                answer.path("activeManifestSha256").isTextual()
                        ? Optional.of(answer.get("activeManifestSha256").asText())
                        : Optional.empty(),
                versions,
                whole(answer.path("storedBytes"), "storedBytes"),
                whole(answer.path("requests"), "requests"),
                whole(answer.path("bytesSent"), "bytesSent"),
                whole(answer.path("rejectedRequests"), "rejectedRequests"),
                new SiteQuota(
                        whole(quota.path("maxStoredBytes"), "quota.maxStoredBytes"),
                        number(quota.path("requestsPerSecond"), "quota.requestsPerSecond"),
                        number(quota.path("bandwidthShare"), "quota.bandwidthShare")),
                answer.path("certificate").isObject()
                        ? Optional.of(certificate(answer.get("certificate")))
                        : Optional.empty(),
                // a peer of an earlier release reports no diskBytes: its blobs are what it counted
                answer.has("diskBytes")
                        ? whole(answer.path("diskBytes"), "diskBytes")
                        : whole(answer.path("storedBytes"), "storedBytes"));
    }

    /** The {@code tls/csr} request: the names the certificate should cover. */
    public static byte[] writeCertificateNames(List<String> names) {
        ObjectNode request = JSON.createObjectNode();
        ArrayNode list = request.putArray("names");
        names.forEach(list::add);
        return bytes(request);
    }

    /**
     * Reads a {@code tls/csr} request. The names are only checked to be a list of 1 to
     * {@value #MAX_CERTIFICATE_NAMES} short texts here; which names a site may ask for is the peer's rule.
     *
     * @throws IllegalArgumentException if it is not {@code {"names":["…", …]}}
     */
    public static List<String> readCertificateNames(byte[] body) {
        JsonNode names = request(body).get("names");
        if (names == null || !names.isArray() || names.isEmpty() || names.size() > MAX_CERTIFICATE_NAMES) {
            throw new IllegalArgumentException(
                    "tls/csr takes {\"names\": [\"books.example\", …]} with 1 to " + MAX_CERTIFICATE_NAMES + " names");
        }
        List<String> list = new ArrayList<>();
        for (JsonNode name : names) {
            if (!name.isTextual() || name.asText().isEmpty() || name.asText().length() > 253) {
                throw new IllegalArgumentException("every name must be a host name of 1 to 253 characters");
            }
            list.add(name.asText());
        }
        return list;
    }

    /** The {@code tls/csr} answer. */
    public static byte[] writeCertificateRequest(CertificateRequest request) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("names");
        request.names().forEach(list::add);
        answer.put("csr", request.pem());
        return bytes(answer);
    }

    /** Reads a {@code tls/csr} answer. */
    public static CertificateRequest readCertificateRequest(byte[] body) {
        JsonNode answer = answer(body);
        List<String> names = new ArrayList<>();
        for (JsonNode name : array(answer, "names")) {
            if (!name.isTextual()) {
                throw new IllegalArgumentException("a name that is not text");
            }
            names.add(name.asText());
        }
        return new CertificateRequest(names, text(answer, "csr"));
    }

    /** The {@code tls/certificate} request: the chain, leaf first, in PEM. */
    public static byte[] writeCertificateChain(String chainPem) {
        ObjectNode request = JSON.createObjectNode();
        request.put("chain", chainPem);
        return bytes(request);
    }

    /**
     * Reads a {@code tls/certificate} request.
     *
     * @throws IllegalArgumentException if it is not {@code {"chain":"<PEM>"}} of at most
     *     {@value #MAX_CHAIN_CHARS} characters
     */
    public static String readCertificateChain(byte[] body) {
        JsonNode chain = request(body).get("chain");
        if (chain == null || !chain.isTextual() || chain.asText().isBlank()) {
            throw new IllegalArgumentException(
                    "tls/certificate takes {\"chain\": \"-----BEGIN CERTIFICATE-----…\"}, the leaf first");
        }
        if (chain.asText().length() > MAX_CHAIN_CHARS) {
            throw new IllegalArgumentException("the chain is longer than " + MAX_CHAIN_CHARS
                    + " characters; send the leaf and its intermediates only, not the root");
        }
        return chain.asText();
    }

    /** The {@code tls/certificate} answer: the certificate the peer now serves. */
    public static byte[] writeCertificate(ServedCertificate certificate) {
        return bytes(certificate(certificate));
    }

    /** Reads a {@code tls/certificate} answer. */
    public static ServedCertificate readCertificate(byte[] body) {
        return certificate(answer(body));
    }

    private static ObjectNode certificate(ServedCertificate certificate) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode names = node.putArray("names");
        certificate.names().forEach(names::add);
        node.put("notBefore", certificate.notBefore().toString());
        node.put("notAfter", certificate.notAfter().toString());
        node.put("serialNumber", certificate.serialNumber());
        return node;
    }

    private static ServedCertificate certificate(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (JsonNode name : array(node, "names")) {
            if (!name.isTextual()) {
                throw new IllegalArgumentException("a certificate name that is not text");
            }
            names.add(name.asText());
        }
        return new ServedCertificate(
                names, instant(node, "notBefore"), instant(node, "notAfter"), text(node, "serialNumber"));
    }

    private static Instant instant(JsonNode node, String field) {
        try {
            return Instant.parse(text(node, field));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("no time " + field + " (RFC 3339, e.g. 2026-01-02T03:04:05Z)", e);
        }
    }

    /** A refusal: the machine-readable reason and the message that says what to do. */
    public static byte[] writeError(ControlError error) {
        ObjectNode node = JSON.createObjectNode();
        node.put("error", error.reason());
        node.put("message", error.message());
        return bytes(node);
    }

    /**
     * Reads a refusal; empty when the body is not one (not JSON, or no {@code error} text): then
     * the answer did not come from a XenoService peer.
     */
    public static Optional<ControlError> readError(byte[] body) {
        JsonNode json = object(body);
        if (json == null || !json.path("error").isTextual()) {
            return Optional.empty();
        }
        return Optional.of(new ControlError(
                json.get("error").asText(), json.path("message").asText("")));
    }

    /** A request body: a JSON object, or an exception saying what it is instead. */
    private static JsonNode request(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object");
        }
        return node;
    }

    /** An answer body: a JSON object, or an exception. */
    private static JsonNode answer(byte[] body) {
        JsonNode node = object(body);
        if (node == null) {
            throw new IllegalArgumentException("an answer that is not a JSON object");
        }
        return node;
    }

    private static JsonNode object(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static Iterable<JsonNode> array(JsonNode answer, String field) {
        JsonNode node = answer.path(field);
        if (!node.isArray()) {
            throw new IllegalArgumentException("no " + field + " list");
        }
        return node;
    }

    private static String text(JsonNode answer, String field) {
        JsonNode node = answer.path(field);
        if (!node.isTextual()) {
            throw new IllegalArgumentException("no " + field);
        }
        return node.asText();
    }

    private static long whole(JsonNode node, String field) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new IllegalArgumentException("no whole number " + field);
        }
        return node.asLong();
    }

    private static double number(JsonNode node, String field) {
        if (!node.isNumber()) {
            throw new IllegalArgumentException("no number " + field);
        }
        return node.asDouble();
    }
}
