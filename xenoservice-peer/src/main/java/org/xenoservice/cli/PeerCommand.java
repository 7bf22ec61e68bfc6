package org.xenoservice.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.bundle.Manifest;
import org.xenoservice.client.PeerCallException;
import org.xenoservice.client.PeerClient;
import org.xenoservice.client.PushResult;
import org.xenoservice.key.SiteKeys;
import org.xenoservice.peer.Enrollment;
import org.xenoservice.peer.PeerConfig;
import org.xenoservice.peer.PeerIdentity;
import org.xenoservice.peer.PeerSettingException;
import org.xenoservice.peer.PeerSettingException.Setting;
import org.xenoservice.peer.TlsEngine;
import org.xenoservice.peer.server.PeerServer;
import org.xenoservice.protocol.SiteQuota;
import org.xenoservice.protocol.SiteStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code peer push|status|activate|retire|serve|identity}: a site's bundles on peer hosts, and the
 * peer host itself.
 */
@Command(
        name = "peer",
        description = "Push a site's bundles to peer hosts and manage them there (signed with the site's key), or run "
                + "a peer host.",
        subcommands = {
            PeerCommand.Push.class,
            PeerCommand.Status.class,
            PeerCommand.Activate.class,
            PeerCommand.Retire.class,
            PeerCommand.Serve.class,
            PeerCommand.Identity.class
        })
final class PeerCommand extends CommandGroup {
    /** Which peer to call, and how. */
    static final class Peer {
        @Option(
                names = "--control",
                required = true,
                paramLabel = "URL",
                converter = ControlUrlConverter.class,
                description = "The peer's control port, e.g. https://peer1.example.net:8081.")
        URI control;

        @Option(
                names = "--key",
                required = true,
                paramLabel = "FILE",
                description = "The site's private key (site.key).")
        Path keyFile;

        @Option(
                names = "--trust-store",
                paramLabel = "FILE",
                description =
                        "Trust the certificates in this PKCS#12 or JKS store for an https peer (a self-signed one).")
        Optional<Path> trustStore = Optional.empty();

        @Option(
                names = "--trust-store-password-file",
                paramLabel = "FILE",
                description = "The trust store's password, read from a file.")
        Optional<Path> trustStorePasswordFile = Optional.empty();

        @Option(
                names = "--timeout",
                paramLabel = "S",
                description = "Seconds a call may take (an upload: 60 times as long; default: 30).")
        long timeoutSeconds = PeerClient.DEFAULT_CALL_TIMEOUT.toSeconds();

        PeerClient client(CommandSpec spec, String site) throws IOException {
            if (timeoutSeconds < 1 || timeoutSeconds > 86_400) {
                throw new ParameterException(
                        spec.commandLine(), "--timeout must be between 1 and 86400 seconds, but was " + timeoutSeconds);
            }
            if (trustStorePasswordFile.isPresent() && trustStore.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--trust-store-password-file needs --trust-store");
            }
            PrivateKey key = SiteKeys.readPrivateKey(keyFile);
            PeerClient.Builder builder;
            try {
                builder = PeerClient.builder(control, site, key)
                        .callTimeout(Duration.ofSeconds(timeoutSeconds))
                        .uploadTimeout(Duration.ofSeconds(timeoutSeconds * 60));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            if (trustStore.isPresent()) {
                char[] password = trustStorePasswordFile.isPresent()
                        ? Files.readString(trustStorePasswordFile.get(), StandardCharsets.UTF_8)
                                .strip()
                                .toCharArray()
                        : new char[0];
                builder.trustStore(trustStore.get(), password);
            }
            return builder.build();
        }
    }

    /** The site a call is for. */
    static final class Site {
        @Option(names = "--site", required = true, paramLabel = "HOST", description = "The site's host name.")
        String site;
    }

    /** {@code peer push}. */
    @Command(
            name = "push",
            description = {
                "Send a bundle to a peer: only the blobs the peer lacks travel. The site "
                        + "is the bundle's. The peer verifies the bundle against the key it enrolled for the site and stages it;",
                "with --activate it also starts serving it."
            })
    static final class Push implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Peer peer;

        @Option(names = "--bundle", required = true, paramLabel = "FILE", description = "The bundle (.xsb) to push.")
        Path bundle;

        @Option(names = "--activate", description = "Serve the version once it is staged.")
        boolean activate;

        @Override
        public Integer call() throws IOException {
            Manifest manifest = BundleCommand.peek(bundle);
            PrintWriter err = spec.commandLine().getErr();
            try (PeerClient client = peer.client(spec, manifest.site())) {
                PushResult pushed;
                try {
                    pushed = client.push(bundle, activate, new StderrProgress(err, System::nanoTime));
                } catch (PeerCallException e) {
                    if (manifest.base().isPresent() && e.reason().equals(PeerCallException.REASON_BUNDLE_BASE)) {
                        throw new IOException(
                                e.getMessage() + "; the peer does not hold the version this delta is built on: "
                                        + "push the full bundle of v" + manifest.version()
                                        + " instead ('xenoservice bundle build' "
                                        + "without --base)",
                                e);
                    }
                    throw e;
                }
                spec.commandLine()
                        .getOut()
                        .printf(
                                Locale.ROOT,
                                "pushed %s v%d to %s: %d of %d blobs sent (%d already there), " + "%s; %s%n",
                                pushed.site(),
                                pushed.version(),
                                client.controlUrl(),
                                pushed.blobsSent(),
                                pushed.blobsSent() + pushed.blobsSkipped(),
                                pushed.blobsSkipped(),
                                Sizes.human(pushed.bytesSent()),
                                pushed.activated()
                                        ? "serving v" + pushed.version()
                                        : "staged, not serving (activate with 'xenoservice peer activate --version "
                                                + pushed.version() + "')");
            }
            return XenoCli.OK;
        }
    }

    /** {@code peer status}. */
    @Command(name = "status", description = "Print the site's state on a peer, one 'name: value' per line.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Peer peer;

        @Mixin
        Site site;

        @Override
        public Integer call() throws IOException {
            SiteStatus status;
            try (PeerClient client = peer.client(spec, site.site)) {
                status = client.status();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("site: " + status.site());
            out.println("active-version: "
                    + (status.activeVersion().isPresent()
                            ? Long.toString(status.activeVersion().getAsLong())
                            : "none"));
            out.println(
                    "active-manifest-sha256: " + status.activeManifestSha256().orElse("none"));
            out.println("versions: "
                    + (status.versions().isEmpty()
                            ? "none"
                            : String.join(
                                    ", ",
                                    status.versions().stream()
                                            .map(String::valueOf)
                                            .toList())));
            out.println("stored-bytes: " + status.storedBytes());
            out.println("disk-bytes: " + status.diskBytes());
            out.println("requests: " + status.requests());
            out.println("bytes-sent: " + status.bytesSent());
            out.println("rejected-requests: " + status.rejectedRequests());
            out.println("quota-max-stored-bytes: " + status.quota().maxStoredBytes());
            out.println("quota-requests-per-second: " + decimal(status.quota().requestsPerSecond()));
            out.println("quota-bandwidth-share: " + decimal(status.quota().bandwidthShare()));
            out.println("tls-certificate: "
                    + status.certificate()
                            .map(served -> String.join(", ", served.names()) + " until " + served.notAfter())
                            .orElse("none"));
            return XenoCli.OK;
        }

        private static String decimal(double value) {
            return value == Math.rint(value) && Math.abs(value) < 1e15
                    ? Long.toString((long) value)
                    : Double.toString(value);
        }
    }

    /** {@code peer activate}. */
    @Command(
            name = "activate",
            description = "Serve a staged version (no rollbacks: it must be newer than the one " + "served).")
    static final class Activate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Peer peer;

        @Mixin
        Site site;

        @Option(names = "--version", required = true, paramLabel = "N", description = "The version to serve.")
        long version;

        @Override
        public Integer call() throws IOException {
            if (version < 1) {
                throw new ParameterException(spec.commandLine(), "--version must be at least 1, but was " + version);
            }
            try (PeerClient client = peer.client(spec, site.site)) {
                client.activate(version);
                spec.commandLine().getOut().printf("%s serves %s v%d%n", client.controlUrl(), client.site(), version);
            }
            return XenoCli.OK;
        }
    }

    /** {@code peer retire}. */
    @Command(name = "retire", description = "Stop serving the site on a peer (its versions stay stored there).")
    static final class Retire implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Mixin
        Peer peer;

        @Mixin
        Site site;

        @Override
        public Integer call() throws IOException {
            try (PeerClient client = peer.client(spec, site.site)) {
                client.retire();
                spec.commandLine().getOut().printf("%s no longer serves %s%n", client.controlUrl(), client.site());
            }
            return XenoCli.OK;
        }
    }

    /** How long a stop waits for requests in flight and capture deliveries by default. */
    static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(PeerCommand.class);

    /** {@code peer serve}. */
    @Command(
            name = "serve",
            description = {
                "Run a peer host until stopped (Ctrl-C, SIGTERM: it finishes the requests in flight first): serve the "
                        + "enrolled sites on the serving port and take their owners' signed bundles on the control port.",
                "SIGHUP reloads the --config file (and the --enroll key files); GET /healthz and /readyz on the "
                        + "control port tell a supervisor whether it lives and serves.",
                "Options override the --config file's settings."
            })
    static final class Serve implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Option(names = "--config", paramLabel = "FILE", description = "A peer properties file (see PeerConfig).")
        Optional<Path> config = Optional.empty();

        @Option(names = "--port", paramLabel = "P", description = "The serving port (default: 8080; 0: any free port).")
        Optional<Integer> port = Optional.empty();

        @Option(
                names = "--https-port",
                paramLabel = "H",
                description = "Also serve the sites over HTTPS on this port, each with its own certificate chosen by "
                        + "SNI (default: none; 0: any free port).")
        Optional<Integer> httpsPort = Optional.empty();

        @Option(
                names = "--tls-engine",
                paramLabel = "E",
                converter = TlsEngineConverter.class,
                description = "The HTTPS port's TLS: auto (BoringSSL, built into the peer, when it loads on this "
                        + "platform, else the JDK's, with a warning), boringssl (fail to start without it; "
                        + "also named openssl) or jdk (default: auto).")
        Optional<TlsEngine> tlsEngine = Optional.empty();

        @Option(names = "--control-port", paramLabel = "C", description = "The control port (default: 8081).")
        Optional<Integer> controlPort = Optional.empty();

        @Option(names = "--bind", paramLabel = "ADDR", description = "The address to listen on (default: 0.0.0.0).")
        Optional<String> bind = Optional.empty();

        @Option(names = "--store", paramLabel = "DIR", description = "Where blobs and state are kept.")
        Optional<Path> store = Optional.empty();

        @Option(names = "--max-upload-bytes", paramLabel = "N", description = "The largest upload (default: 1 GiB).")
        Optional<Long> maxUploadBytes = Optional.empty();

        @Option(
                names = "--enroll",
                paramLabel = "HOST=PUBKEYFILE",
                description = "Serve this site, whose bundles and calls are signed by the key of this public key file "
                        + "(default quota); repeat for several.")
        List<String> enroll = List.of();

        @Option(
                names = "--shutdown-timeout",
                paramLabel = "S",
                description = "Seconds a stop (SIGTERM, Ctrl-C) waits for the requests in flight to finish and the "
                        + "captured requests to be delivered, before it closes what is left (default: 30).")
        long shutdownTimeoutSeconds = DEFAULT_SHUTDOWN_TIMEOUT.toSeconds();

        @Option(
                names = "--log-format",
                paramLabel = "F",
                converter = LogFormatConverter.class,
                description = "text (default) or json: one JSON object per line (timestamp, level, logger, thread, "
                        + "message, error) for a log shipper.")
        LogLines.Format logFormat = LogLines.Format.TEXT;

        private final CountDownLatch stopped = new CountDownLatch(1);

        @Override
        public Integer call() throws IOException {
            if (shutdownTimeoutSeconds < 0 || shutdownTimeoutSeconds > 3600) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--shutdown-timeout must be between 0 and 3600 seconds, but was " + shutdownTimeoutSeconds);
            }
            Duration grace = Duration.ofSeconds(shutdownTimeoutSeconds);
            PeerConfig settings = settings();
            PeerServer server = PeerServer.fromConfig(settings, this::settings);
            server.start();
            Thread hook = new Thread(() -> server.stop(grace), "xeno-peer-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            ServiceSignals.on("HUP", server::reload)
                    .ifPresent(why -> LOG.warn("peer: {}; reload with the control call instead", why));
            ServiceSignals.on("TERM", stopped::countDown)
                    .ifPresent(why -> LOG.warn("peer: {}; SIGTERM stops through the shutdown hook", why));
            PrintWriter out = spec.commandLine().getOut();
            say(out, banner(settings, server));
            say(
                    out,
                    "peer identity (origins pin it as peer.<name>.public-key): "
                            + server.identity().publicKeyId());
            boolean interrupted = false;
            try {
                stopped.await();
            } catch (InterruptedException e) {
                // asked to stop by an embedding program; close with the flag clear, since stopping waits for threads
                interrupted = true;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
                server.stop(grace);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            say(out, "peer stopped");
            return XenoCli.OK;
        }

        /** A line for whoever started the peer: on stdout, or with JSON logs, a log event, so that every line is JSON. */
        private void say(PrintWriter out, String line) {
            if (logFormat == LogLines.Format.JSON) {
                LOG.info("{}", line);
            } else {
                out.println(line);
                out.flush();
            }
        }

        private static String banner(PeerConfig settings, PeerServer server) {
            String scheme = settings.tlsKeystore().isPresent() ? "https" : "http";
            return String.format(
                    Locale.ROOT,
                    "peer serving %s on %s://%s:%d%s, control on %s://%s:%d; Ctrl-C or SIGTERM stops it, SIGHUP "
                            + "reloads its configuration",
                    String.join(
                            ", ",
                            settings.enrollments().stream()
                                    .map(Enrollment::site)
                                    .toList()),
                    scheme,
                    settings.bindAddress(),
                    server.servingPort(),
                    server.httpsPort().isPresent()
                            ? " and https://" + settings.bindAddress() + ":"
                                    + server.httpsPort().getAsInt() + " (by SNI, "
                                    + server.httpsEngine().orElseThrow().propertyValue() + " TLS)"
                            : "",
                    scheme,
                    settings.bindAddress(),
                    server.controlPort());
        }

        private PeerConfig settings() throws IOException {
            PeerConfig.Builder builder = PeerConfig.builder();
            if (config.isPresent()) {
                builder.load(config.get());
            }
            try {
                port.ifPresent(builder::servingPort);
                httpsPort.ifPresent(builder::httpsPort);
                tlsEngine.ifPresent(builder::tlsEngine);
                controlPort.ifPresent(builder::controlPort);
                bind.ifPresent(builder::bindAddress);
                store.ifPresent(builder::storeDirectory);
                maxUploadBytes.ifPresent(builder::maxUploadBytes);
            } catch (PeerSettingException e) {
                throw new ParameterException(spec.commandLine(), flag(e.setting()) + " " + e.problem(), e);
            }
            for (String site : enroll) {
                int equals = site.indexOf('=');
                if (equals < 1 || equals == site.length() - 1) {
                    throw new ParameterException(
                            spec.commandLine(),
                            "--enroll takes HOST=PUBKEYFILE, e.g. " + "books.example=keys/books.pub, but was '" + site
                                    + "'");
                }
                Enrollment enrollment;
                try {
                    enrollment = new Enrollment(
                            site.substring(0, equals),
                            SiteKeys.readPublicKey(Path.of(site.substring(equals + 1))),
                            SiteQuota.DEFAULT);
                    builder.enroll(enrollment);
                } catch (PeerSettingException e) {
                    throw new ParameterException(
                            spec.commandLine(),
                            "--enroll " + site + ": the site is enrolled twice"
                                    + (config.isPresent() ? " (the --config file enrols it already)" : ""),
                            e);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--enroll " + site + ": " + e.getMessage(), e);
                }
            }
            try {
                return builder.build();
            } catch (PeerSettingException e) {
                String message = !e.missing()
                        ? flag(e.setting()) + " " + e.problem()
                        : e.setting() == Setting.STORE_DIRECTORY
                                ? "Missing required option: '--store=DIR' (or store-directory in the --config file)"
                                : "Missing required option: '--enroll=HOST=PUBKEYFILE' (or site.<host>.key in the --config file)";
                throw new ParameterException(spec.commandLine(), message, e);
            }
        }

        /** The flag of {@code serve} that sets {@code setting}. */
        private static String flag(Setting setting) {
            return switch (setting) {
                case SERVING_PORT -> "--port";
                case HTTPS_PORT -> "--https-port";
                case TLS_ENGINE -> "--tls-engine";
                case MANUAL_CERTIFICATES -> "site.<host>.tls-certificate (in the --config file)";
                case CONTROL_PORT -> "--control-port";
                case BIND_ADDRESS -> "--bind";
                case STORE_DIRECTORY -> "--store";
                case MAX_UPLOAD_BYTES -> "--max-upload-bytes";
                case ENROLLMENTS -> "--enroll";
                case METRICS_TOKEN -> "metrics-token-file (in the --config file)";
                case BANDWIDTH_BYTES_PER_SECOND -> "bandwidth-bytes-per-second (in the --config file)";
                case HEADER_TIMEOUT,
                        BODY_TIMEOUT,
                        IDLE_TIMEOUT,
                        UPLOAD_TIMEOUT,
                        MAX_CONNECTIONS,
                        MAX_CONNECTIONS_PER_ADDRESS,
                        MAX_CONCURRENT_UPLOADS,
                        RETIRED_FORWARDING -> setting.propertyName() + " (in the --config file)";
            };
        }
    }

    /** {@code text} or {@code json}, in any case. */
    static final class LogFormatConverter implements ITypeConverter<LogLines.Format> {
        @Override
        public LogLines.Format convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "text" -> LogLines.Format.TEXT;
                case "json" -> LogLines.Format.JSON;
                default ->
                    throw new TypeConversionException(
                            "'" + value + "' is not a log format; give text (one line per event) or json (JSON lines)");
            };
        }
    }

    /** {@code auto}, {@code boringssl} (or {@code openssl}) or {@code jdk}, in any case. */
    static final class TlsEngineConverter implements ITypeConverter<TlsEngine> {
        @Override
        public TlsEngine convert(String value) {
            return TlsEngine.fromPropertyValue(value)
                    .orElseThrow(() -> new TypeConversionException(
                            "'" + value + "' is not a TLS engine; give auto (BoringSSL when it loads, else the JDK's), "
                                    + "boringssl or jdk"));
        }
    }

    /** {@code peer identity}. */
    @Command(
            name = "identity",
            description = {
                "Print this peer host's public key, on one line, for the owners of the sites it serves: their origin"
                        + " pins it as peer.<name>.public-key and trusts only the requests it signed.",
                "The identity is made in the store on first use (identity/peer.key, mode 600) and kept."
            })
    static final class Identity implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        HelpOption help;

        @Option(
                names = "--store",
                required = true,
                paramLabel = "DIR",
                description = "The peer's store directory (store-directory of its --config file).")
        Path store;

        @Override
        public Integer call() throws IOException {
            PeerIdentity identity = PeerIdentity.loadOrCreate(store.toAbsolutePath(), Clock.systemUTC());
            spec.commandLine().getOut().println(identity.publicKeyId());
            return XenoCli.OK;
        }
    }

    /** {@code http(s)://HOST:PORT}. */
    static final class ControlUrlConverter implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            URI url;
            try {
                url = new URI(value);
            } catch (URISyntaxException e) {
                throw new TypeConversionException(
                        "\"" + value + "\" is not a URL such as https://peer1.example.net:8081");
            }
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            boolean bare = url.getRawPath() == null
                    || url.getRawPath().isEmpty()
                    || url.getRawPath().equals("/");
            if (!(scheme.equals("http") || scheme.equals("https"))
                    || url.getHost() == null
                    || !bare
                    || url.getRawQuery() != null
                    || url.getRawUserInfo() != null) {
                throw new TypeConversionException("\"" + value + "\" is not a control URL such as "
                        + "https://peer1.example.net:8081 (http or https, host, port, no path)");
            }
            return url;
        }
    }
}
