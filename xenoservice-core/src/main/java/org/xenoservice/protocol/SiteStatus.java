package org.xenoservice.protocol;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A site's state on a peer, as the control port's {@code status} call answers it: what the peer
 * serves and holds for the site, what it has served, and the site's quota there. The peer writes
 * it and the origin's client reads it with {@link ControlCodec}, so both ends agree on every field.
 *
 * @param site the host name
 * @param activeVersion the version served, empty when none is
 * @param activeManifestSha256 the SHA-256 of the served manifest, empty when none is served
 * @param versions the versions the peer holds (staged or active), ascending
 * @param storedBytes bytes of the site's blobs in the peer's store
 * @param requests requests the peer's serving port answered for the site
 * @param bytesSent body bytes it sent for the site
 * @param rejectedRequests requests it refused over the site's rate quota (429)
 * @param quota the site's quota on the peer
 * @param certificate the certificate the peer serves for the site over HTTPS, empty when it holds
 *     none (or serves no HTTPS)
 * @param diskBytes every byte the peer keeps on disk for the site: its blobs and manifests, uploads
 *     in flight, captured requests; what its storage quota bounds
 */
public record SiteStatus(
        String site,
        OptionalLong activeVersion,
        Optional<String> activeManifestSha256,
        List<Long> versions,
        long storedBytes,
        long requests,
        long bytesSent,
        long rejectedRequests,
        SiteQuota quota,
        Optional<ServedCertificate> certificate,
        long diskBytes) {
    /** Copies the list and checks nothing is null. */
    public SiteStatus {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(activeVersion, "activeVersion");
        Objects.requireNonNull(activeManifestSha256, "activeManifestSha256");
        versions = List.copyOf(versions);
        Objects.requireNonNull(quota, "quota");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** A status from a peer that does not report its disk use apart: {@code diskBytes} is {@code storedBytes}. */
    public SiteStatus(
            String site,
            OptionalLong activeVersion,
            Optional<String> activeManifestSha256,
            List<Long> versions,
            long storedBytes,
            long requests,
            long bytesSent,
            long rejectedRequests,
            SiteQuota quota,
            Optional<ServedCertificate> certificate) {
        this(
                site,
                activeVersion,
                activeManifestSha256,
                versions,
                storedBytes,
                requests,
                bytesSent,
                rejectedRequests,
                quota,
                certificate,
                storedBytes);
    }
}
