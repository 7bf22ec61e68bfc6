package org.xenoservice.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.bundle.SiteName;
import org.xenoservice.bundle.ThinBundle;
import org.xenoservice.concurrent.DaemonThreads;
import org.xenoservice.protocol.CertificateRequest;
import org.xenoservice.protocol.ControlCodec;
import org.xenoservice.protocol.ControlError;
import org.xenoservice.protocol.ControlSignature;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.protocol.SiteStatus;
import org.xenoservice.protocol.StagedBundle;

/**
 * The site owner's side of the peer control protocol (the peer's end is
 * {@link org.xenoservice.peer.ControlProtocol}; both speak {@link ControlCodec}): asks a peer
 * which blobs it lacks, uploads bundles, activates and retires versions, reads the site's
 * status there, and gets the peer's HTTPS certificate issued (a request for the peer's own key,
 * then the chain back). Every call is signed with the site's private key ({@link ControlSignature}).
 *
 * <pre>{@code
 * try (PeerClient peer = PeerClient.builder(URI.create("https://peer1.example.net:8081"), "books.example",
 *     SiteKeys.readPrivateKey(Path.of("site.key"))).build()) {
 *   PushResult pushed = peer.push(Path.of("books-v7.xsb"), true, PeerClient.ProgressListener.NONE);
 *   System.out.println("sent " + pushed.blobsSent() + " blobs, serving v" + pushed.version());
 * }
 * }</pre>
 *
 * <p>Every failure is a {@link PeerCallException} with the HTTP status and the peer's reason, or
 * {@link PeerCallException#NO_RESPONSE} when the peer could not be reached in time. Uses the JDK
 * {@link HttpClient} (HTTP/1.1), on daemon threads named {@code xeno-peer-client-C-N} (client C, thread N) that
 * {@link #close()} stops. Safe for concurrent use.
 */
public final class PeerClient implements AutoCloseable {
    /** How long to wait for a connection by default. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a small call may take by default, from sending to the answer's headers. */
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    /** How long an upload may take by default, from sending its first byte to the answer's headers. */
    public static final Duration DEFAULT_UPLOAD_TIMEOUT = Duration.ofMinutes(30);

    private static final Logger LOG = LoggerFactory.getLogger(PeerClient.class);
    private static final int MAX_ANSWER_BYTES = 4 << 20;
    /** Digests asked per missing call: about 700 KB of JSON, well under the peer's limit for a body. */
    private static final int DIGESTS_PER_CALL = 10_000;

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private final URI base;
    private final String site;
    private final PrivateKey key;
    private final Clock clock;
    private final Duration callTimeout;
    private final Duration uploadTimeout;
    private final long maxUploadBytesPerSecond;
    private final ExecutorService executor;
    private final HttpClient http;

    private PeerClient(Builder builder) {
        this.base = builder.base;
        this.site = builder.site;
        this.key = builder.key;
        this.clock = builder.clock;
        this.callTimeout = builder.callTimeout;
        this.uploadTimeout = builder.uploadTimeout;
        this.maxUploadBytesPerSecond = builder.maxUploadBytesPerSecond;
        this.executor = DaemonThreads.cachedPool("xeno-peer-client-" + CLIENTS.incrementAndGet());
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(builder.connectTimeout)
                .executor(executor);
        builder.sslContext.ifPresent(http::sslContext);
        this.http = http.build();
    }

    /**
     * Starts a client for one site on one peer.
     *
     * @param controlUrl the peer's control port, e.g. {@code https://peer1.example.net:8081} (no path)
     * @param site the site's host name
     * @param siteKey the site's Ed25519 private key, which the peer's enrolment pins the public half of
     */
    public static Builder builder(URI controlUrl, String site, PrivateKey siteKey) {
        return new Builder(controlUrl, site, siteKey);
    }

    /** Progress of a {@link #push}: called on the pushing thread or the client's; exceptions are ignored. */
    @FunctionalInterface
    public interface ProgressListener {
        /** Reports nothing. */
        ProgressListener NONE = (phase, done, total) -> {};

        /**
         * Reports progress.
         *
         * @param phase {@code checking} (asking the peer what it lacks), {@code thinning} (writing the
         *     blobs it lacks to a temporary bundle), {@code uploading} or {@code activating}
         * @param doneBytes bytes done in this phase
         * @param totalBytes bytes this phase will do
         */
        void progress(String phase, long doneBytes, long totalBytes);
    }

    /** Configures a {@link PeerClient}. */
    public static final class Builder {
        private final URI base;
        private final String site;
        private final PrivateKey key;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
        private Duration uploadTimeout = DEFAULT_UPLOAD_TIMEOUT;
        private long maxUploadBytesPerSecond;
        private Optional<SSLContext> sslContext = Optional.empty();
        private Clock clock = Clock.systemUTC();

        private Builder(URI controlUrl, String site, PrivateKey key) {
            this.base = checkUrl(Objects.requireNonNull(controlUrl, "controlUrl"));
            this.site = SiteName.of(Objects.requireNonNull(site, "site")).value();
            this.key = Objects.requireNonNull(key, "siteKey");
            if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
                throw new IllegalArgumentException(
                        "siteKey must be the site's Ed25519 private key, but is " + key.getAlgorithm());
            }
        }

        /** How long to wait for a connection; {@link #DEFAULT_CONNECT_TIMEOUT} by default. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checkTimeout("connectTimeout", timeout);
            return this;
        }

        /** How long a call other than an upload may take; {@link #DEFAULT_CALL_TIMEOUT} by default. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = checkTimeout("callTimeout", timeout);
            return this;
        }

        /** How long an upload may take; {@link #DEFAULT_UPLOAD_TIMEOUT} by default. */
        public Builder uploadTimeout(Duration timeout) {
            this.uploadTimeout = checkTimeout("uploadTimeout", timeout);
            return this;
        }

        /**
         * The most bytes per second an upload sends, so that staging bundles in calm times never
         * crowds out the site's own traffic; 0 (the default) is unlimited.
         */
        public Builder maxUploadBytesPerSecond(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException(
                        "maxUploadBytesPerSecond must not be negative, was " + bytesPerSecond);
            }
            this.maxUploadBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** The TLS context for an {@code https} peer (e.g. one that trusts its own CA); the JDK's by default. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Optional.of(Objects.requireNonNull(context, "context"));
            return this;
        }

        /**
         * Trusts the certificates in a key store (PKCS#12 or JKS) for an {@code https} peer, instead of
         * the JDK's default authorities: for a peer with a self-signed or private-CA certificate.
         *
         * @throws IOException if the store cannot be read or opened with the password
         */
        public Builder trustStore(Path file, char[] password) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(in, password);
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(store);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, trust.getTrustManagers(), null);
                return sslContext(context);
            } catch (GeneralSecurityException e) {
                throw new IOException(
                        "cannot use the trust store " + file + ": " + e.getMessage()
                                + "; give a PKCS#12 or JKS store holding the peer's certificate, with its password",
                        e);
            }
        }

        /** The clock calls are signed with; the system clock by default. */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Builds the client. */
        public PeerClient build() {
            if (base.getScheme().equals("https") && sslContext.isEmpty()) {
                try {
                    sslContext = Optional.of(SSLContext.getDefault());
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("the JDK has no default TLS context", e);
                }
            }
            return new PeerClient(this);
        }

        private static URI checkUrl(URI url) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if ((!scheme.equals("http") && !scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException(
                        "the control URL must be http://HOST:PORT or https://HOST:PORT, but was '" + url + "'");
            }
            boolean bare = url.getRawPath() == null
                    || url.getRawPath().isEmpty()
                    || url.getRawPath().equals("/");
            if (!bare || url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
                throw new IllegalArgumentException(
                        "the control URL must be only http(s)://HOST:PORT, without path, query or " + "user, but was '"
                                + url + "'");
            }
            try {
                return new URI(scheme, null, url.getHost(), url.getPort(), null, null, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("the control URL '" + url + "' is not valid: " + e.getMessage(), e);
            }
        }

        private static Duration checkTimeout(String name, Duration timeout) {
            Objects.requireNonNull(timeout, name);
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, but was " + timeout);
            }
            return timeout;
        }
    }

    /** The peer's control URL. */
    public URI controlUrl() {
        return base;
    }

    /** The site this client acts for. */
    public String site() {
        return site;
    }

    /** The site's state on the peer. */
    public SiteStatus status() throws IOException {
        return read("status", call("GET", "status", new byte[0]), ControlCodec::readStatus);
    }

    /**
     * The digests among {@code digests} the peer lacks for this site: only those need sending.
     */
    public Set<String> missing(Set<String> digests) throws IOException {
        Set<String> missing = new LinkedHashSet<>();
        List<String> all = List.copyOf(digests);
        for (int from = 0; from < all.size() || from == 0; from += DIGESTS_PER_CALL) {
            byte[] request =
                    ControlCodec.writeDigests(all.subList(from, Math.min(all.size(), from + DIGESTS_PER_CALL)));
            missing.addAll(read("missing", call("POST", "missing", request), ControlCodec::readMissing));
        }
        return missing;
    }

    /**
     * Uploads a bundle file (full or thin) as it is: the peer verifies and stages it. The file is read
     * twice, once for the SHA-256 the call is signed with and once to send it, so it must not change
     * meanwhile.
     */
    public StagedBundle upload(Path bundleFile) throws IOException {
        return upload(bundleFile, ProgressListener.NONE);
    }

    private StagedBundle upload(Path bundleFile, ProgressListener progress) throws IOException {
        long size = Files.size(bundleFile);
        String sha256 = sha256(bundleFile);
        BodyPublisher file = maxUploadBytesPerSecond == 0
                ? BodyPublishers.ofFile(bundleFile)
                : BodyPublishers.fromPublisher(
                        BodyPublishers.ofInputStream(() -> {
                            try {
                                return new ThrottledInputStream(
                                        Files.newInputStream(bundleFile), maxUploadBytesPerSecond);
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }),
                        size);
        BodyPublisher body = counting(file, size, progress);
        return read("bundle", send("PUT", "bundle", body, sha256, uploadTimeout), ControlCodec::readStaged);
    }

    /** Starts serving a staged version (the peer refuses one older than it serves: no rollbacks). */
    public void activate(long version) throws IOException {
        read("activate", call("POST", "activate", ControlCodec.writeActivate(version)), ControlCodec::readServing);
    }

    /** Stops serving the site on the peer (its versions stay stored). */
    public void retire() throws IOException {
        read("retire", call("POST", "retire", new byte[0]), ControlCodec::readServing);
    }

    /**
     * Asks the peer for a certificate signing request for {@code names} (the site and names under
     * it, such as {@code www.}): the peer makes a fresh key for it, which never leaves the peer. Have
     * the request signed (ACME {@code finalize} takes {@link CertificateRequest#der()}) and hand the
     * chain back with {@link #installCertificate}.
     *
     * @throws PeerCallException 403 {@code name-not-owned} for a name outside the site, 409
     *     {@code operator-managed} when the peer's operator manages the site's certificate, 409
     *     {@code https-off} when the peer serves no HTTPS
     */
    public CertificateRequest certificateRequest(List<String> names) throws IOException {
        Objects.requireNonNull(names, "names");
        return read(
                "tls/csr",
                call("POST", "tls/csr", ControlCodec.writeCertificateNames(List.copyOf(names))),
                ControlCodec::readCertificateRequest);
    }

    /**
     * Hands the peer the chain (PEM, leaf first) issued for one of its requests; it serves it from
     * the next TLS handshake on.
     *
     * @return the certificate the peer now serves
     * @throws PeerCallException 409 {@code unknown-key} for a chain whose key the peer did not make
     *     (or whose request a newer one replaced), 400 or 403 with the rule a chain breaks (names,
     *     validity, links)
     */
    public ServedCertificate installCertificate(String chainPem) throws IOException {
        Objects.requireNonNull(chainPem, "chainPem");
        return read(
                "tls/certificate",
                call("PUT", "tls/certificate", ControlCodec.writeCertificateChain(chainPem)),
                ControlCodec::readCertificate);
    }

    /**
     * Pushes a bundle with only the blobs the peer lacks: reads the bundle's manifest, asks the peer
     * which of its blobs are missing, writes a thin copy beside the bundle (deleted afterwards),
     * uploads it and, if asked, activates the version.
     *
     * @param bundle a bundle built for this client's site
     * @param activate whether to start serving the version once staged
     * @throws IllegalArgumentException if the bundle is for another site
     * @throws IOException if the bundle cannot be read, its folder cannot be written, or a call fails
     */
    public PushResult push(Path bundle, boolean activate, ProgressListener progress) throws IOException {
        Objects.requireNonNull(progress, "progress");
        Manifest manifest;
        try (InputStream in = Files.newInputStream(bundle)) {
            manifest = BundleReader.peekManifest(in);
        }
        if (!manifest.site().equals(site)) {
            throw new IllegalArgumentException(
                    bundle + " is a bundle for " + manifest.site() + ", but this client pushes " + site);
        }
        Set<String> digests = ThinBundle.digests(manifest);
        report(progress, "checking", 0, digests.size());
        Set<String> missing = missing(digests);
        report(progress, "checking", digests.size(), digests.size());
        Path folder = bundle.toAbsolutePath().getParent();
        Path thin = Files.createTempFile(folder, "." + bundle.getFileName() + ".", ".thin");
        try {
            long inputSize = Files.size(bundle);
            report(progress, "thinning", 0, inputSize);
            int carried;
            try (InputStream in = Files.newInputStream(bundle);
                    OutputStream out = Files.newOutputStream(thin)) {
                carried = ThinBundle.write(in, missing, out);
            }
            report(progress, "thinning", inputSize, inputSize);
            long sent = Files.size(thin);
            LOG.debug(
                    "push {} v{} to {}: {} of {} blobs, {} bytes",
                    site,
                    manifest.version(),
                    base,
                    carried,
                    digests.size(),
                    sent);
            StagedBundle staged = upload(thin, progress);
            if (activate) {
                report(progress, "activating", 0, 1);
                activate(staged.version());
                report(progress, "activating", 1, 1);
            }
            return new PushResult(
                    site, staged.version(), staged.manifestSha256(), carried, digests.size() - carried, sent, activate);
        } finally {
            Files.deleteIfExists(thin);
        }
    }

    /** Stops the client's threads; calls after this fail. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "PeerClient{" + site + " at " + base + "}";
    }

    /** Makes one call and returns the body of its 2xx answer. */
    private byte[] call(String method, String call, byte[] body) throws IOException {
        BodyPublisher publisher = body.length == 0 ? BodyPublishers.noBody() : BodyPublishers.ofByteArray(body);
        return send(method, call, publisher, ControlSignature.sha256(body), callTimeout);
    }

    /** Sends one signed call and returns the body of its 2xx answer. */
    private byte[] send(String method, String call, BodyPublisher body, String bodySha256, Duration timeout)
            throws IOException {
        String path = "/xeno/v1/sites/" + site + "/" + call;
        URI url = base.resolve(path);
        HttpRequest request = signedRequest(method, call, path, url, body, bodySha256, timeout);
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException interrupted = new InterruptedIOException("interrupted while calling " + url);
            interrupted.initCause(e);
            throw interrupted;
        } catch (IOException e) {
            throw noResponse(url, call, timeout, e);
        }
        return answer(url, call, response);
    }

    /** The request for one call, with the headers that sign it for the site. */
    private HttpRequest signedRequest(
            String method, String call, String path, URI url, BodyPublisher body, String bodySha256, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .method(method, body)
                .header("Accept", "application/json");
        if (!method.equals("GET")) {
            request.header(
                    "Content-Type",
                    call.equals("bundle") ? "application/x-xenoservice-bundle" : ControlCodec.JSON_TYPE);
        }
        for (Map.Entry<String, String> header : ControlSignature.sign(
                        key, site, method, path, bodySha256, clock.instant())
                .entrySet()) {
            request.header(header.getKey(), header.getValue());
        }
        return request.build();
    }

    /** Why a call got no answer at all (timeout, refused connection, TLS, other I/O), and what to check. */
    private PeerCallException noResponse(URI url, String call, Duration timeout, IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return new PeerCallException(
                    url,
                    PeerCallException.NO_RESPONSE,
                    "timeout",
                    "could not connect to the peer at " + base
                            + " (timed out); check the address and port, and that the peer is up and reachable",
                    e);
        }
        if (e instanceof HttpTimeoutException) {
            return new PeerCallException(
                    url,
                    PeerCallException.NO_RESPONSE,
                    "timeout",
                    "the peer at " + base + " did not answer " + call + " within " + timeout.toSeconds()
                            + " s; retry, or raise the timeout",
                    e);
        }
        if (e instanceof ConnectException) {
            return new PeerCallException(
                    url,
                    PeerCallException.NO_RESPONSE,
                    "unreachable",
                    "cannot connect to the peer at " + base
                            + " (connection refused); check the address and port, and that the peer is running",
                    e);
        }
        if (e instanceof SSLException) {
            return new PeerCallException(
                    url,
                    PeerCallException.NO_RESPONSE,
                    "tls",
                    "TLS with the peer at " + base
                            + " failed (" + e.getMessage()
                            + "); if the peer's certificate is self-signed or from a private CA, "
                            + "trust it with a trust store",
                    e);
        }
        Throwable cause = e.getCause() instanceof ConnectException ? e.getCause() : e;
        String reason = cause instanceof ConnectException ? "unreachable" : "io";
        return new PeerCallException(
                url,
                PeerCallException.NO_RESPONSE,
                reason,
                "the call to the peer at " + base + " failed (" + describe(cause)
                        + "); check the address and port, and that the peer is running",
                e);
    }

    /** The body of a 2xx answer, read up to its limit; any other answer is the peer's refusal. */
    private byte[] answer(URI url, String call, HttpResponse<InputStream> response) throws IOException {
        byte[] answer;
        try (InputStream in = response.body()) {
            answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
        }
        if (answer.length > MAX_ANSWER_BYTES) {
            throw new PeerCallException(
                    url,
                    response.statusCode(),
                    "http-" + response.statusCode(),
                    "the peer at " + base
                            + " answered " + call + " with more than " + MAX_ANSWER_BYTES
                            + " bytes; is this a XenoService control "
                            + "port?",
                    null);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return answer;
        }
        throw refusal(url, call, status, answer);
    }

    /** Decodes a 2xx answer; one that is not the call's answer is a {@code bad-answer}. */
    private <T> T read(String call, byte[] answer, Function<byte[], T> decoder) throws PeerCallException {
        try {
            return decoder.apply(answer);
        } catch (IllegalArgumentException e) {
            throw unexpected(call, e.getMessage());
        }
    }

    private PeerCallException refusal(URI url, String call, int status, byte[] answer) {
        Optional<ControlError> error = ControlCodec.readError(answer);
        if (error.isEmpty()) {
            return new PeerCallException(
                    url,
                    status,
                    "http-" + status,
                    "the server at " + base + " answered " + call + " with HTTP " + status
                            + ", not a XenoService answer; check that the URL is the peer's control port",
                    null);
        }
        String reason = error.get().reason();
        String message = error.get().message();
        String advice = switch (reason) {
            case "bad-signature" ->
                "; check that the key is " + site + "'s private key, whose public key the peer's operator "
                        + "enrolled";
            case "no-such-call" -> "; check that the URL is the peer's control port, not its serving port";
            case "too-large" -> "; ask the peer's operator to raise max-upload-bytes, or push a smaller bundle";
            case "version" -> "; build the bundle with a version above those the peer holds (see peer status)";
            case "body-digest" -> "; the upload was altered on the way, retry it";
            case "replayed" -> "; retry the call";
            default -> status >= 500 ? "; ask the peer's operator to check its log" : "";
        };
        return new PeerCallException(
                url,
                status,
                reason,
                "the peer at " + base + " refused " + call + " for " + site + " (" + status + " " + reason + "): "
                        + message + advice,
                null);
    }

    private PeerCallException unexpected(String call, String what) {
        return new PeerCallException(
                base,
                200,
                "bad-answer",
                "the peer at " + base + " answered " + call + " with " + what
                        + "; is it a XenoService peer of this version?",
                null);
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void report(ProgressListener progress, String phase, long done, long total) {
        try {
            progress.progress(phase, done, total);
        } catch (RuntimeException e) {
            LOG.warn("push progress listener failed; ignoring it", e);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** A body that reports how much of it was handed to the connection. */
    private static BodyPublisher counting(BodyPublisher body, long total, ProgressListener progress) {
        if (progress == ProgressListener.NONE) {
            return body;
        }
        return new BodyPublisher() {
            @Override
            public long contentLength() {
                return body.contentLength();
            }

            @Override
            public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                report(progress, "uploading", 0, total);
                body.subscribe(new Flow.Subscriber<ByteBuffer>() {
                    private long done;

                    @Override
                    public void onSubscribe(Flow.Subscription subscription) {
                        subscriber.onSubscribe(subscription);
                    }

                    @Override
                    public void onNext(ByteBuffer item) {
                        int bytes = item.remaining();
                        subscriber.onNext(item);
                        done += bytes;
                        report(progress, "uploading", done, total);
                    }

                    @Override
                    public void onError(Throwable error) {
                        subscriber.onError(error);
                    }

                    @Override
                    public void onComplete() {
                        subscriber.onComplete();
                    }
                });
            }
        };
    }
}
