package org.xenoservice.replicate;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.xenoservice.client.PeerClient;
import org.xenoservice.protocol.CertificateRequest;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.protocol.SiteStatus;

/**
 * The real {@link PeerLink}: signed HTTP control calls through a {@link PeerClient}, staging with
 * delta pushes (only the blobs the peer lacks travel). Safe for concurrent use, as the client is.
 */
final class HttpPeerLink implements PeerLink {
    private final PeerClient client;

    HttpPeerLink(PeerClient client) {
        this.client = client;
    }

    /** A link to {@code spec}'s control port for {@code site}, with the replicator's timeouts and limits. */
    static HttpPeerLink connect(
            PeerSpec spec,
            String site,
            PrivateKey siteKey,
            Duration callTimeout,
            long maxUploadBytesPerSecond,
            Optional<SSLContext> sslContext) {
        PeerClient.Builder client = PeerClient.builder(spec.controlUrl(), site, siteKey)
                .callTimeout(callTimeout)
                .connectTimeout(callTimeout)
                .maxUploadBytesPerSecond(maxUploadBytesPerSecond);
        sslContext.ifPresent(client::sslContext);
        return new HttpPeerLink(client.build());
    }

    @Override
    public void stage(Path bundleFile) throws IOException {
        client.push(bundleFile, false, PeerClient.ProgressListener.NONE);
    }

    @Override
    public void activate(long version) throws IOException {
        client.activate(version);
    }

    @Override
    public SiteStatus status() throws IOException {
        return client.status();
    }

    @Override
    public void retire() throws IOException {
        client.retire();
    }

    @Override
    public CertificateRequest certificateRequest(List<String> names) throws IOException {
        return client.certificateRequest(names);
    }

    @Override
    public ServedCertificate installCertificate(String chainPem) throws IOException {
        return client.installCertificate(chainPem);
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "HttpPeerLink{" + client + "}";
    }
}
