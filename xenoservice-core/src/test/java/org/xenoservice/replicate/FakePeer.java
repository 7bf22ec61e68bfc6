package org.xenoservice.replicate;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.xenoservice.bundle.BundleReader;
import org.xenoservice.protocol.CertificateRequest;
import org.xenoservice.protocol.ServedCertificate;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.protocol.SiteStatus;

/**
 * A peer host in memory behind the {@link PeerLink} seam: it stages the bundles it is sent (reading
 * their signed manifest for the version), serves the version it is told to, counts requests as the
 * test says, and can be made to fail or to lie. Every call is logged, e.g. {@code "activate 17"}.
 */
final class FakePeer implements PeerLink {
    final String site;
    private final List<String> calls = new ArrayList<>();
    private final TreeSet<Long> versions = new TreeSet<>();
    private OptionalLong active = OptionalLong.empty();
    private long requests;
    private boolean down;
    private Optional<OptionalLong> claimedActive = Optional.empty();
    private boolean closed;
    private Optional<ServedCertificate> certificate = Optional.empty();

    FakePeer(String site) {
        this.site = site;
    }

    /** Every call from now on fails as a peer that refuses connections would. */
    synchronized FakePeer down(boolean value) {
        this.down = value;
        return this;
    }

    /** From now on, status answers that the peer serves {@code version} (empty: nothing), whatever it does. */
    synchronized FakePeer claimsToServe(OptionalLong version) {
        this.claimedActive = Optional.of(version);
        return this;
    }

    /** Makes the peer serve {@code more} requests. */
    synchronized void serve(long more) {
        requests += more;
    }

    /** The peer already serves {@code version} (as after an earlier run of the origin). */
    synchronized FakePeer serving(long version) {
        versions.add(version);
        active = OptionalLong.of(version);
        return this;
    }

    /** The peer serves {@code value} over HTTPS (as after an earlier run, or installed by its operator). */
    synchronized FakePeer holding(ServedCertificate value) {
        this.certificate = Optional.of(value);
        return this;
    }

    /** The peer no longer serves a certificate (its store was rebuilt), whatever the origin believes. */
    synchronized FakePeer losingCertificate() {
        this.certificate = Optional.empty();
        return this;
    }

    synchronized Optional<ServedCertificate> certificate() {
        return certificate;
    }

    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    synchronized void forgetCalls() {
        calls.clear();
    }

    synchronized OptionalLong active() {
        return active;
    }

    synchronized NavigableSet<Long> versions() {
        return new TreeSet<>(versions);
    }

    synchronized boolean closed() {
        return closed;
    }

    @Override
    public synchronized void stage(Path bundleFile) throws IOException {
        long version;
        try (InputStream in = Files.newInputStream(bundleFile)) {
            version = BundleReader.peekManifest(in).version();
        }
        calls.add("stage " + version);
        check();
        versions.add(version);
    }

    @Override
    public synchronized void activate(long version) throws IOException {
        calls.add("activate " + version);
        check();
        if (!versions.contains(version)) {
            throw new IOException("version " + version + " is not staged");
        }
        active = OptionalLong.of(version);
    }

    @Override
    public synchronized SiteStatus status() throws IOException {
        calls.add("status");
        check();
        return new SiteStatus(
                site,
                claimedActive.orElse(active),
                Optional.empty(),
                List.copyOf(versions),
                0,
                requests,
                0,
                0,
                SiteQuota.DEFAULT,
                certificate);
    }

    @Override
    public synchronized CertificateRequest certificateRequest(List<String> names) throws IOException {
        calls.add("csr " + names);
        check();
        return new CertificateRequest(names, FakeCa.CSR_PEM);
    }

    @Override
    public synchronized ServedCertificate installCertificate(String chainPem) throws IOException {
        calls.add("install");
        check();
        certificate = Optional.of(FakeCa.parse(chainPem));
        return certificate.get();
    }

    @Override
    public synchronized void retire() throws IOException {
        calls.add("retire");
        check();
        active = OptionalLong.empty();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void check() throws IOException {
        if (closed) {
            throw new IOException("the link is closed");
        }
        if (down) {
            throw new ConnectException("Connection refused");
        }
    }
}
