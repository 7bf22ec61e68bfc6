package org.xenoservice.benchmarks;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.CountDownLatch;
import org.xenoservice.bundle.BundleBuilder;
import org.xenoservice.bundle.DirectorySource;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.ConnectionLimits;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.TlsEngine;
import org.xenoservice.peer.server.PeerServer;
import org.xenoservice.protocol.SiteQuota;

/**
 * A {@link PeerServer} serving one site built from a directory, for the HTTP and HTTPS benchmarks
 * against nginx: bundles the directory, pushes it through the peer's own receive path, activates
 * it, and prints {@code serving-port=N} (and {@code https-port=N}) once it is ready. Runs until
 * killed.
 *
 * <p>Usage: {@code java -cp benchmarks.jar org.xenoservice.benchmarks.PeerBenchmarkServer SITE_DIR HOST PORT WORK_DIR
 * [HTTPS_PORT CHAIN_PEM KEY_PEM [TLS_ENGINE]]}. With the HTTPS three, the site is served over HTTPS
 * too, with that chain and key as its manual certificate (as {@code site.HOST.tls-certificate} and
 * {@code site.HOST.tls-key} in a peer's properties), on the TLS engine {@code TLS_ENGINE} ({@code auto},
 * {@code boringssl} or {@code jdk}, as {@code tls-engine}; {@code auto} by default), and the engine used
 * is printed as {@code https-engine=boringssl} or {@code https-engine=jdk}.
 */
public final class PeerBenchmarkServer {
    private PeerBenchmarkServer() {}

    /** Starts the peer and blocks. */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Path siteDir = Path.of(args[0]);
        String host = args[1];
        int port = Integer.parseInt(args[2]);
        Path work = Path.of(args[3]);
        Files.createDirectories(work);
        KeyPair keys = SiteKeys.generate();
        Path bundle = work.resolve("site.xsb");
        BundleBuilder.forSite(host)
                .source(DirectorySource.of(siteDir))
                .signingKey(keys.getPrivate())
                .version(1)
                .build(bundle);
        PeerServer.Builder builder = PeerServer.builder()
                .servingPort(port)
                .controlPort(0)
                .bindAddress("127.0.0.1")
                .storeDirectory(work.resolve("peer"))
                // wrk's connections all come from 127.0.0.1: no cap per address below the total
                .connectionLimits(ConnectionLimits.builder()
                        .maxConnectionsPerAddress(ConnectionLimits.DEFAULT_MAX_CONNECTIONS)
                        .build())
                .enroll(new Enrollment(host, keys.getPublic(), new SiteQuota(1L << 34, 1e9, 1.0)));
        if (args.length >= 7) {
            builder.httpsPort(Integer.parseInt(args[4])).manualCertificate(host, Path.of(args[5]), Path.of(args[6]));
        }
        if (args.length >= 8) {
            builder.tlsEngine(TlsEngine.fromPropertyValue(args[7])
                    .orElseThrow(() -> new IllegalArgumentException(
                            "TLS_ENGINE must be auto, boringssl or jdk, but was '" + args[7] + "'")));
        }
        PeerServer peer = builder.build();
        peer.start();
        try (InputStream in = Files.newInputStream(bundle)) {
            peer.sites().receive(host, in);
        }
        peer.sites().activate(host, 1);
        System.out.println("serving-port=" + peer.servingPort());
        peer.httpsEngine().ifPresent(engine -> System.out.println("https-engine=" + engine.propertyValue()));
        peer.httpsPort().ifPresent(https -> System.out.println("https-port=" + https));
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(peer::close, "xeno-peer-shutdown"));
        new CountDownLatch(1).await();
    }
}
