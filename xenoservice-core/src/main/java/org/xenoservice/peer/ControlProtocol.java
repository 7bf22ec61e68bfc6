package org.xenoservice.peer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.protocol.ControlCodec;
import org.xenoservice.protocol.ControlError;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.SiteStatus;
import org.xenoservice.protocol.StagedBundle;

/**
 * The peer's control port, independent of the web server: routes a request to {@link PeerSites},
 * after {@link ControlAuthenticator} accepted it, and answers JSON. The adapter only copies the
 * method, path, headers and body in and the status, type and body out.
 *
 * <ul>
 *   <li>{@code POST /xeno/v1/sites/{site}/missing} {@code {"digests":[…]}} → {@code {"missing":[…]}}
 *   <li>{@code PUT  /xeno/v1/sites/{site}/bundle} (a bundle, possibly thin) → the staged version
 *   <li>{@code POST /xeno/v1/sites/{site}/activate} {@code {"version":N}} → serving N
 *   <li>{@code POST /xeno/v1/sites/{site}/retire} → no longer serving
 *   <li>{@code GET  /xeno/v1/sites/{site}/status} → versions, bytes stored, requests, quota, the
 *       certificate served over HTTPS
 *   <li>{@code POST /xeno/v1/sites/{site}/tls/csr} {@code {"names":[…]}} → a certificate signing request
 *       for a fresh key that stays on the peer ({@link SiteCertificates})
 *   <li>{@code PUT  /xeno/v1/sites/{site}/tls/certificate} {@code {"chain":"<PEM>"}} → the certificate
 *       now served
 *   <li>{@code GET  /metrics} → Prometheus text of every site, for the operator's scraper: only with
 *       {@code Authorization: Bearer <token>} where the operator configured that token
 *       ({@link #withMetricsToken}); 401 without it, 404 on a peer with no token. A site's owner reads
 *       its own figures with the signed {@code status}; no tenant sees another's.
 * </ul>
 *
 * <p>Every site call must be signed; errors are {@code {"error":"<reason>","message":"…"}} with
 * 400, 401, 403, 404, 405, 409 or 413. The two {@code tls} calls answer 409 {@code https-off}
 * on a peer without an HTTPS listener, where no certificate would be served. The bodies are those of {@link ControlCodec}, which the
 * origin's client reads with the same code. Uploads are spooled to a file (at most
 * {@code maxUploadBytes}) so that the body's SHA-256 is checked against the signed one before
 * anything reaches the store; a spooled upload counts toward its site's storage quota while it
 * exists ({@link PeerSites#uploadRoom}), and is refused with 413 {@code quota} once it would not fit.
 * Safe for concurrent use.
 */
public final class ControlProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(ControlProtocol.class);
    private static final Pattern SITE_PATH = Pattern.compile("/xeno/v1/sites/([a-z0-9.-]{1,253})/([a-z]+(?:/[a-z]+)?)");
    private static final int MAX_JSON_BYTES = 4 << 20;
    /** The {@code tls} calls' bodies: a few names, or a chain of at most 64 Ki characters in JSON. */
    private static final int MAX_TLS_BYTES = 256 << 10;

    private final PeerSites sites;
    private final PeerAccounting accounting;
    private final ControlAuthenticator authenticator;
    private final long maxUploadBytes;
    private final Path spoolDirectory;
    private final Optional<SiteCertificates> certificates;
    private final Optional<byte[]> metricsAuthorization;

    /** A response: status, content type and body. */
    @SuppressWarnings("ArrayRecordComponent") // the body is handed on as is, not copied; responses are not compared
    public record Response(int status, String contentType, byte[] body) {
        static Response json(int status, byte[] body) {
            return new Response(status, ControlCodec.JSON_TYPE, body);
        }
    }

    /**
     * The control protocol over a peer's sites: a call must be signed by the key enrolled for its
     * site, within 300 s of {@code clock}, with a fresh nonce.
     *
     * @param clock the peer's clock, against which the calls' timestamps are checked
     * @param maxUploadBytes the largest bundle upload accepted (413 above it)
     * @param spoolDirectory where uploads are held while their digest is checked
     */
    public ControlProtocol(
            PeerSites sites, PeerAccounting accounting, Clock clock, long maxUploadBytes, Path spoolDirectory) {
        this(sites, accounting, Optional.empty(), clock, maxUploadBytes, spoolDirectory);
    }

    /**
     * The control protocol of a peer that serves HTTPS with {@code certificates}: as
     * {@link #ControlProtocol(PeerSites, PeerAccounting, Clock, long, Path)}, plus the {@code tls}
     * calls and the certificate in the status.
     */
    public ControlProtocol(
            PeerSites sites,
            PeerAccounting accounting,
            SiteCertificates certificates,
            Clock clock,
            long maxUploadBytes,
            Path spoolDirectory) {
        this(
                sites,
                accounting,
                Optional.of(Objects.requireNonNull(certificates, "certificates")),
                clock,
                maxUploadBytes,
                spoolDirectory);
    }

    private ControlProtocol(
            PeerSites sites,
            PeerAccounting accounting,
            Optional<SiteCertificates> certificates,
            Clock clock,
            long maxUploadBytes,
            Path spoolDirectory) {
        this(
                sites,
                accounting,
                certificates,
                new ControlAuthenticator(
                        site -> sites.enrollment(site).map(Enrollment::key), clock, ControlAuthenticator.DEFAULT_SKEW),
                maxUploadBytes,
                spoolDirectory);
    }

    ControlProtocol(
            PeerSites sites,
            PeerAccounting accounting,
            ControlAuthenticator authenticator,
            long maxUploadBytes,
            Path spoolDirectory) {
        this(sites, accounting, Optional.empty(), authenticator, maxUploadBytes, spoolDirectory);
    }

    ControlProtocol(
            PeerSites sites,
            PeerAccounting accounting,
            Optional<SiteCertificates> certificates,
            ControlAuthenticator authenticator,
            long maxUploadBytes,
            Path spoolDirectory) {
        this.certificates = Objects.requireNonNull(certificates, "certificates");
        this.sites = Objects.requireNonNull(sites, "sites");
        this.accounting = Objects.requireNonNull(accounting, "accounting");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("maxUploadBytes must be positive, but was " + maxUploadBytes);
        }
        this.maxUploadBytes = maxUploadBytes;
        this.spoolDirectory = Objects.requireNonNull(spoolDirectory, "spoolDirectory");
        this.metricsAuthorization = Optional.empty();
    }

    private ControlProtocol(ControlProtocol settings, String metricsToken) {
        this.certificates = settings.certificates;
        this.sites = settings.sites;
        this.accounting = settings.accounting;
        this.authenticator = settings.authenticator;
        this.maxUploadBytes = settings.maxUploadBytes;
        this.spoolDirectory = settings.spoolDirectory;
        this.metricsAuthorization = Optional.of(("Bearer " + metricsToken).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * This protocol with {@code GET /metrics} answered to callers that send
     * {@code Authorization: Bearer <token>}; without a token (the default) {@code /metrics} is off.
     */
    public ControlProtocol withMetricsToken(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("the metrics token must be visible ASCII characters, without spaces");
        }
        return new ControlProtocol(this, token);
    }

    /**
     * A control call checked before its body is read: either refused (route, method, declared length
     * or signature), or admitted for {@link #handle(Admission, InputStream)}. Admitting a call uses
     * up its nonce. Immutable.
     */
    public static final class Admission {
        private final Optional<Response> refusal;
        private final String method;
        private final String site;
        private final String call;
        private final String declaredSha256;

        private Admission(Optional<Response> refusal, String method, String site, String call, String declaredSha256) {
            this.refusal = refusal;
            this.method = method;
            this.site = site;
            this.call = call;
            this.declaredSha256 = declaredSha256;
        }

        static Admission refused(Response refusal) {
            return new Admission(Optional.of(refusal), "", "", "", "");
        }

        /** The answer to send without reading the body, when the call is refused. */
        public Optional<Response> refusal() {
            return refusal;
        }

        /** Whether the call is a bundle upload, whose body may be large and slow. */
        public boolean upload() {
            return call.equals("bundle");
        }
    }

    /**
     * Handles one control request.
     *
     * @param declaredLength the request's Content-Length, or -1 when unknown
     */
    public Response handle(
            String method, String path, Map<String, String> headers, long declaredLength, InputStream body) {
        Admission admission = admit(method, path, headers, declaredLength);
        return admission.refusal().isPresent() ? admission.refusal().get() : handle(admission, body);
    }

    /**
     * Checks a call before its body is read, so that a stranger's or an oversized upload is
     * refused without reading a byte of it: the route, the method, the declared length, then the
     * signature (which uses up the nonce).
     *
     * @param declaredLength the request's Content-Length, or -1 when unknown
     */
    public Admission admit(String method, String path, Map<String, String> headers, long declaredLength) {
        try {
            if (path.equals("/metrics")) {
                Optional<Response> refused = metricsRefusal(header(headers, "Authorization"));
                return refused.isPresent()
                        ? Admission.refused(refused.get())
                        : new Admission(Optional.empty(), method, "", "metrics", "");
            }
            Matcher route = SITE_PATH.matcher(path);
            if (!route.matches()) {
                return Admission.refused(error(
                        404, "no-such-call", "no control call at " + path + "; see /xeno/v1/sites/{site}/status"));
            }
            String site = route.group(1);
            String call = route.group(2);
            String expected = switch (call) {
                case "missing", "activate", "retire", "tls/csr" -> "POST";
                case "bundle", "tls/certificate" -> "PUT";
                case "status" -> "GET";
                default -> "";
            };
            if (expected.isEmpty()) {
                return Admission.refused(error(
                        404,
                        "no-such-call",
                        "no control call '" + call + "'; the calls are missing, bundle, activate, "
                                + "retire, status, tls/csr and tls/certificate"));
            }
            if (!expected.equals(method)) {
                return Admission.refused(error(405, "method", call + " takes " + expected + ", not " + method));
            }
            long limit =
                    call.equals("bundle") ? maxUploadBytes : call.startsWith("tls/") ? MAX_TLS_BYTES : MAX_JSON_BYTES;
            if (declaredLength > limit) {
                return Admission.refused(error(
                        413,
                        "too-large",
                        "the body of " + declaredLength + " bytes is over the limit of " + limit + " bytes"));
            }
            authenticator.authenticate(method, path, site, headers);
            return new Admission(
                    Optional.empty(), method, site, call, header(headers, ControlSignature.CONTENT_SHA256_HEADER));
        } catch (ControlAuthException e) {
            return Admission.refused(error(e.status(), e.reason().id(), e.getMessage()));
        }
    }

    /** Handles an admitted call, reading its body from {@code body}. */
    public Response handle(Admission admission, InputStream body) {
        if (admission.refusal().isPresent()) {
            throw new IllegalArgumentException("the call was refused; send its refusal instead");
        }
        String site = admission.site;
        String call = admission.call;
        String declaredSha256 = admission.declaredSha256;
        try {
            return switch (call) {
                case "metrics" -> metrics(admission.method);
                case "missing" -> missing(site, read(body, declaredSha256, ControlCodec::readDigests));
                case "bundle" -> bundle(site, body, declaredSha256);
                case "activate" -> activate(site, read(body, declaredSha256, ControlCodec::readActivate));
                case "retire" -> retire(site, body, declaredSha256);
                case "tls/csr" ->
                    certificateRequest(
                            site, read(body, MAX_TLS_BYTES, declaredSha256, ControlCodec::readCertificateNames));
                case "tls/certificate" ->
                    installCertificate(
                            site, read(body, MAX_TLS_BYTES, declaredSha256, ControlCodec::readCertificateChain));
                default -> status(site, body, declaredSha256);
            };
        } catch (PeerException e) {
            return error(e.status(), e.reason(), e.getMessage());
        } catch (IOException e) {
            LOG.warn("control: {} for {} failed", call, site, e);
            return error(500, "io", "the peer could not complete the call: " + e.getMessage());
        }
    }

    /** Why {@code /metrics} is not answered to this caller, if it is not (checked before any body). */
    private Optional<Response> metricsRefusal(String authorization) {
        if (metricsAuthorization.isEmpty()) {
            return Optional.of(error(
                    404,
                    "metrics-off",
                    "/metrics is off on this peer: it shows every site's traffic, so it needs a token; the peer's "
                            + "operator sets metrics-token-file to turn it on (a site's owner reads its own figures "
                            + "with the signed status call)"));
        }
        if (!MessageDigest.isEqual(authorization.getBytes(StandardCharsets.US_ASCII), metricsAuthorization.get())) {
            return Optional.of(error(
                    401,
                    "metrics-unauthorized",
                    "/metrics needs the header Authorization: Bearer <token>, with the token in the peer's "
                            + "metrics-token-file"));
        }
        return Optional.empty();
    }

    private Response metrics(String method) {
        if (!method.equals("GET")) {
            return error(405, "method", "/metrics takes GET");
        }
        Map<String, Long> stored = new LinkedHashMap<>();
        for (String site : sites.enrolledSites()) {
            try {
                stored.put(site, sites.holdings(site).storedBytes());
            } catch (PeerException e) {
                stored.put(site, 0L);
            }
        }
        return new Response(
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                accounting.prometheus(stored).getBytes(StandardCharsets.UTF_8));
    }

    private Response missing(String site, List<String> asked) throws PeerException {
        Set<String> missing = sites.missing(site, asked);
        return Response.json(200, ControlCodec.writeMissing(missing));
    }

    private Response bundle(String site, InputStream body, String declaredSha256) throws PeerException, IOException {
        long room = sites.uploadRoom(site);
        Files.createDirectories(spoolDirectory);
        Path spool = Files.createTempFile(spoolDirectory, "upload-", ".xsb");
        SpoolCounter counted = new SpoolCounter(site);
        try {
            MessageDigest sha256 = sha256();
            long copied;
            try (InputStream in = new DigestInputStream(body, sha256);
                    OutputStream out = new CountingOutputStream(Files.newOutputStream(spool), counted)) {
                copied = copyAtMost(in, out, Math.min(maxUploadBytes, room));
            } catch (PeerException e) {
                throw room < maxUploadBytes && e.reason().equals("too-large") ? overQuota(site, room) : e;
            }
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (!MessageDigest.isEqual(
                    actual.getBytes(StandardCharsets.US_ASCII), declaredSha256.getBytes(StandardCharsets.US_ASCII))) {
                throw new PeerException(
                        400,
                        "body-digest",
                        "the body's SHA-256 is " + actual + " but the signed header says " + declaredSha256
                                + "; the upload was altered or cut short (" + copied
                                + " bytes received); nothing was kept, push it again");
            }
            Manifest manifest;
            try (InputStream in = Files.newInputStream(spool)) {
                manifest = sites.receive(site, in);
            }
            return Response.json(
                    200,
                    ControlCodec.writeStaged(new StagedBundle(manifest.site(), manifest.version(), manifest.sha256())));
        } finally {
            counted.release();
            Files.deleteIfExists(spool);
        }
    }

    private static PeerException overQuota(String site, long room) {
        return new PeerException(
                413,
                "quota",
                "the upload for " + site + " is larger than the " + room + " bytes left of the site's storage quota "
                        + "(an upload counts while it is spooled); push a thin bundle (only what the peer lacks), "
                        + "retire old versions or ask the peer's operator for more");
    }

    /** Counts a spooled upload toward its site's quota while the spool exists. */
    private final class SpoolCounter {
        private final String site;
        private long counted;

        SpoolCounter(String site) {
            this.site = site;
        }

        void add(long bytes) {
            sites.spooling(site, bytes);
            counted += bytes;
        }

        void release() {
            add(-counted);
        }
    }

    /** Counts what is written to a spool. */
    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private final SpoolCounter counter;

        CountingOutputStream(OutputStream out, SpoolCounter counter) {
            super(out);
            this.counter = counter;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            counter.add(length);
            out.write(bytes, offset, length);
        }

        @Override
        public void write(int b) throws IOException {
            counter.add(1);
            out.write(b);
        }
    }

    private Response activate(String site, long version) throws PeerException, IOException {
        ServedSite served = sites.activate(site, version);
        return Response.json(200, ControlCodec.writeServing(served.host(), served.version()));
    }

    private Response retire(String site, InputStream body, String declaredSha256) throws PeerException, IOException {
        readBody(body, declaredSha256);
        sites.retire(site);
        return Response.json(200, ControlCodec.writeRetired(site));
    }

    private Response status(String site, InputStream body, String declaredSha256) throws PeerException, IOException {
        readBody(body, declaredSha256);
        PeerSites.Holdings held = sites.holdings(site);
        PeerAccounting.Snapshot counts = accounting.snapshot(site);
        SiteStatus status = new SiteStatus(
                held.site(),
                held.activeVersion(),
                held.activeManifestSha256(),
                held.versions(),
                held.storedBytes(),
                counts.requests(),
                counts.bytesSent(),
                counts.rejected(),
                held.quota(),
                certificates.flatMap(tls -> tls.served(held.site())),
                sites.diskBytes(site));
        return Response.json(200, ControlCodec.writeStatus(status));
    }

    private Response certificateRequest(String site, List<String> names) throws PeerException, IOException {
        return Response.json(200, ControlCodec.writeCertificateRequest(tls().request(site, names)));
    }

    private Response installCertificate(String site, String chainPem) throws PeerException, IOException {
        return Response.json(200, ControlCodec.writeCertificate(tls().install(site, chainPem)));
    }

    private SiteCertificates tls() throws PeerException {
        return certificates.orElseThrow(() -> new PeerException(
                409,
                "https-off",
                "this peer serves no HTTPS (its operator set no https-port), so it holds no certificates; ask the "
                        + "peer's operator to set https-port"));
    }

    /** Reads a small JSON request body, checks its SHA-256 against the signed one, and decodes it. */
    private static <T> T read(InputStream body, String declaredSha256, Function<byte[], T> decoder)
            throws PeerException, IOException {
        return read(body, MAX_JSON_BYTES, declaredSha256, decoder);
    }

    /** As {@link #read(InputStream, String, Function)}, with a body of at most {@code limit} bytes. */
    private static <T> T read(InputStream body, long limit, String declaredSha256, Function<byte[], T> decoder)
            throws PeerException, IOException {
        byte[] bytes = readBody(body, limit, declaredSha256);
        try {
            return decoder.apply(bytes);
        } catch (IllegalArgumentException e) {
            throw new PeerException(400, "bad-request", e.getMessage(), e);
        }
    }

    /** Reads a small body and checks its SHA-256 against the signed one. */
    private static byte[] readBody(InputStream body, String declaredSha256) throws PeerException, IOException {
        return readBody(body, MAX_JSON_BYTES, declaredSha256);
    }

    private static byte[] readBody(InputStream body, long limit, String declaredSha256)
            throws PeerException, IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        copyAtMost(body, out, limit);
        byte[] bytes = out.toByteArray();
        if (!ControlSignature.sha256(bytes).equals(declaredSha256)) {
            throw new PeerException(400, "body-digest", "the body's SHA-256 does not match the signed header");
        }
        return bytes;
    }

    private static long copyAtMost(InputStream in, OutputStream out, long limit) throws PeerException, IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0; ) {
            total += n;
            if (total > limit) {
                throw new PeerException(413, "too-large", "the body is over the limit of " + limit + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return total;
    }

    private static String header(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue().strip();
            }
        }
        return "";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static Response error(int status, String reason, String message) {
        return Response.json(status, ControlCodec.writeError(new ControlError(reason, message)));
    }
}
