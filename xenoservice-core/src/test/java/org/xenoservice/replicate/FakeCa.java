package org.xenoservice.replicate;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.xenoservice.acme.IssuedCertificate;
import org.xenoservice.protocol.ServedCertificate;

/**
 * A certificate authority in memory behind the {@link CertificateSource} seam: it issues a "chain"
 * that only {@link FakePeer} reads (the names, validity and serial number in one line), counts its
 * orders, and can be taken down. Renewal is due when a third of the lifetime is left.
 */
final class FakeCa implements CertificateSource {
    static final String CSR_PEM = "-----BEGIN CERTIFICATE REQUEST-----\nZmFrZQ==\n-----END CERTIFICATE REQUEST-----\n";

    private final List<String> names;
    private final Clock clock;
    private final Duration lifetime;
    private final List<List<String>> orders = new ArrayList<>();
    private boolean down;

    FakeCa(List<String> names, Clock clock, Duration lifetime) {
        this.names = List.copyOf(names);
        this.clock = clock;
        this.lifetime = lifetime;
    }

    synchronized FakeCa down(boolean value) {
        this.down = value;
        return this;
    }

    /** The names of every order placed, in order. */
    synchronized List<List<String>> orders() {
        return List.copyOf(orders);
    }

    /** A certificate as this CA would issue it now, for a peer to hold already. */
    ServedCertificate certificate(Instant notBefore, Duration validFor) {
        return new ServedCertificate(names, notBefore, notBefore.plus(validFor), "5e");
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public synchronized IssuedCertificate issue(List<String> ordered, byte[] csrDer) throws IOException {
        if (down) {
            throw new ConnectException("ca-unreachable: cannot reach the ACME server at https://ca.test/dir");
        }
        orders.add(List.copyOf(ordered));
        Instant now = clock.instant();
        Instant notAfter = now.plus(lifetime);
        String chain = "fake-chain|" + String.join(",", ordered) + "|" + now + "|" + notAfter + "|"
                + Integer.toHexString(orders.size());
        return new IssuedCertificate(chain, ordered, now, notAfter);
    }

    @Override
    public Instant renewalTime(IssuedCertificate certificate) {
        return certificate.notAfter().minus(certificate.lifetime().dividedBy(3));
    }

    /** What {@link FakePeer} serves after installing {@code chain}. */
    static ServedCertificate parse(String chain) throws IOException {
        String[] parts = chain.split("\\|", -1);
        if (parts.length != 5 || !parts[0].equals("fake-chain")) {
            throw new IOException("not a chain from FakeCa: " + chain);
        }
        return new ServedCertificate(
                Arrays.asList(parts[1].split(",", -1)), Instant.parse(parts[2]), Instant.parse(parts[3]), parts[4]);
    }
}
