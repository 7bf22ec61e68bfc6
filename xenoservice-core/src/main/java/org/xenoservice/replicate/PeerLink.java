package org.xenoservice.replicate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.xenoservice.protocol.CertificateRequest;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.protocol.SiteStatus;

/**
 * How the replicator reaches one peer's control port: the seam between its decisions and the
 * network. The real one, {@link HttpPeerLink}, signs HTTP calls with the site's key through a
 * {@link org.xenoservice.peer.PeerClient}; unit tests put a fake in its place (through
 * {@code Replicator.Builder.peerLinks}) to exercise waves, confirmation, withdrawal and failures
 * without sockets.
 *
 * <p>Every call blocks until the peer answered and throws {@link IOException} when it did not do
 * what was asked (down, refusing, slow). The replicator calls it from its peer-call threads: a
 * status poll may run while another call to the same peer is under way, and {@link #close()} comes
 * from yet another thread, so implementations must be safe for concurrent use.
 */
interface PeerLink extends AutoCloseable {
    /** Stages a bundle on the peer (only the blobs it lacks travel); the peer does not serve it yet. */
    void stage(Path bundleFile) throws IOException;

    /** Tells the peer to serve a staged version. */
    void activate(long version) throws IOException;

    /** The site's state on the peer: the version it serves and the requests it has answered. */
    SiteStatus status() throws IOException;

    /** Tells the peer to stop serving the site (it keeps the versions it holds). */
    void retire() throws IOException;

    /**
     * Asks the peer for a certificate request for {@code names}, made with the key it keeps for the
     * site (the key never leaves the peer).
     */
    CertificateRequest certificateRequest(List<String> names) throws IOException;

    /** Hands the peer the chain (PEM, leaf first) issued for its request; it serves it from then on. */
    ServedCertificate installCertificate(String chainPem) throws IOException;

    /** Releases what the link holds; calls after closing fail. */
    @Override
    void close();
}
