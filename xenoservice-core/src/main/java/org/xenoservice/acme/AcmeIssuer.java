package org.xenoservice.acme;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeLazyLoadingException;
import org.shredzone.acme4j.exception.AcmeProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xenoservice.acme.IssuanceException.Reason;
import org.xenoservice.dns.ChallengeRecords;

/**
 * Gets a site's HTTPS certificates from an ACME CA (RFC 8555), proving control of each name with a
 * DNS-01 challenge that the origin writes itself, with the TSIG key it already holds for the
 * site's zone. The key pair of the certificate stays with whoever made the certificate request (a
 * peer): the issuer only ever sees the request and the chain.
 *
 * <pre>{@code
 * AcmeIssuer issuer = AcmeIssuer.builder()
 *     .settings(settings)                   // directory, contact, extra names, account key, trust
 *     .site("books.example")                // with settings' extra names: what it may order
 *     .challengeRecords(rfc2136Updater)     // manages books.example and www.books.example
 *     .build();
 * IssuedCertificate certificate = issuer.issue(List.of("books.example", "www.books.example"), csrDer);
 * Instant renewAt = issuer.renewalTime(certificate);
 * }</pre>
 *
 * <p>One {@link #issue} places a new order; for each authorization the CA has not already granted
 * it writes {@code _acme-challenge.<name>} TXT, waits until the zone's primary answers it, asks
 * the CA to check it and polls with a bounded backoff until the CA says valid or invalid; then it
 * finalizes the order with the request, polls until the certificate is issued and downloads the
 * chain. The TXT records are removed again whatever happened. Each wait is bounded by
 * {@link Builder#waitTimeout}, each HTTP call by {@link Builder#networkTimeout}. The account key
 * is read from {@link AcmeSettings#accountKeyFile()}, or made there (EC P-256, mode 600), and the
 * account registered or found again on first use.
 *
 * <p>Safe for concurrent use; orders are placed one at a time, since CAs limit how many an
 * account may place.
 */
public final class AcmeIssuer {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeIssuer.class);

    /** How long each wait may take: the primary answering, the CA validating, the CA issuing. */
    public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofMinutes(2);
    /** How long one HTTP call to the CA may take. */
    public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(10);

    private final AcmeSettings settings;
    private final List<String> allowedNames;
    private final ChallengeRecords records;
    private final Duration waitTimeout;
    private final Polling polling;
    private final Clock clock;
    private final Session session;
    private final AcmeFailures failures;
    private Optional<Login> login = Optional.empty(); // guarded by this

    private AcmeIssuer(Builder builder) {
        this.settings = builder.settings;
        this.allowedNames = settings.names(builder.site);
        this.records = builder.records;
        this.waitTimeout = builder.waitTimeout;
        this.polling = builder.polling;
        this.clock = builder.clock;
        this.session = new Session(settings.directory(), new TrustingProvider(settings.trust()));
        this.session.networkSettings().setTimeout(builder.networkTimeout);
        this.failures = new AcmeFailures(settings.directory());
    }

    /** Starts the configuration of an issuer. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures an {@link AcmeIssuer}. */
    public static final class Builder {
        private AcmeSettings settings;
        private String site;
        private ChallengeRecords records;
        private Duration waitTimeout = DEFAULT_WAIT_TIMEOUT;
        private Duration networkTimeout = DEFAULT_NETWORK_TIMEOUT;
        private Polling polling = Polling.system();
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The CA, the account and the extra names (required). */
        public Builder settings(AcmeSettings value) {
            this.settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /** The site's host name (required); with the settings' extra names, the names it may order. */
        public Builder site(String host) {
            this.site = AcmeSettings.hostName("site", host);
            return this;
        }

        /**
         * What writes the challenge TXT records (required): usually the site's
         * {@code Rfc2136DnsUpdater}, managing every name certificates are ordered for.
         */
        public Builder challengeRecords(ChallengeRecords value) {
            this.records = Objects.requireNonNull(value, "challengeRecords");
            return this;
        }

        /** How long each wait may take; {@link #DEFAULT_WAIT_TIMEOUT} by default. */
        public Builder waitTimeout(Duration value) {
            this.waitTimeout = check("waitTimeout", value, Duration.ofMillis(1), Duration.ofHours(1));
            return this;
        }

        /** How long one HTTP call to the CA may take; {@link #DEFAULT_NETWORK_TIMEOUT} by default. */
        public Builder networkTimeout(Duration value) {
            this.networkTimeout = check("networkTimeout", value, Duration.ofMillis(1), Duration.ofMinutes(5));
            return this;
        }

        /** The clock and sleep the waits use, for tests. */
        Builder timing(Clock value, Polling.Sleeper sleeper) {
            this.clock = Objects.requireNonNull(value, "clock");
            this.polling = new Polling(value, sleeper);
            return this;
        }

        /**
         * Builds the issuer; nothing is sent until the first order.
         *
         * @throws IllegalStateException naming what is missing
         */
        public AcmeIssuer build() {
            if (settings == null) {
                throw new IllegalStateException("no ACME settings: call settings(AcmeSettings.of(directory, keyFile))");
            }
            if (site == null) {
                throw new IllegalStateException("no site: call site(\"books.example\")");
            }
            if (records == null) {
                throw new IllegalStateException("nothing writes the challenge records: call challengeRecords(updater)"
                        + " with the site's RFC 2136 updater");
            }
            return new AcmeIssuer(this);
        }

        private static Duration check(String what, Duration value, Duration min, Duration max) {
            Objects.requireNonNull(value, what);
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(
                        what + " must be between " + min + " and " + max + ", but was " + value);
            }
            return value;
        }
    }

    /** The names this issuer may order certificates for: the site's, then the extra names. */
    public List<String> names() {
        return allowedNames;
    }

    /**
     * Orders a certificate for {@code names} and finalizes it with {@code csrDer}, a PKCS#10
     * request (DER) for exactly those names, made and signed by whoever holds the key.
     *
     * @return the chain, leaf first, as PEM, with the leaf's validity
     * @throws IssuanceException saying what failed and what to fix; no challenge record is left
     */
    public synchronized IssuedCertificate issue(List<String> names, byte[] csrDer) throws IssuanceException {
        List<String> ordered = checkNames(names);
        CertificateRequest request = CertificateRequest.read(csrDer, ordered);
        LOG.info("acme: ordering a certificate for {} from {}", ordered, settings.directory());
        String step = "log in to the account";
        try {
            Login account = login();
            step = "place the order for " + ordered;
            Order order = account.newOrder().domains(ordered).create();
            step = "prove control of " + ordered;
            authorize(order, ordered);
            step = "finalize the order for " + ordered;
            order.execute(csrDer);
            awaitOrder(order, ordered);
            step = "download the certificate for " + ordered;
            IssuedCertificate issued = download(order, request, ordered);
            LOG.info("acme: certificate for {} issued, valid until {}", ordered, issued.notAfter());
            return issued;
        } catch (AcmeException e) {
            throw failures.of(e, step);
        } catch (AcmeLazyLoadingException | AcmeProtocolException e) {
            throw failures.of(e, step);
        }
    }

    /**
     * When to renew {@code certificate}: at a random time in the window the CA suggests through
     * ACME Renewal Information where it offers that (RFC 9773), else when a third of its lifetime
     * is left. Never fails: if the CA cannot be asked, the third-of-lifetime rule answers.
     */
    public synchronized Instant renewalTime(IssuedCertificate certificate) {
        Instant fallback = Renewal.whenAThirdIsLeft(certificate.notBefore(), certificate.notAfter());
        try {
            if (session.resourceUrlOptional(Resource.RENEWAL_INFO).isEmpty()) {
                return fallback;
            }
            RenewalInfo info = login().bindRenewalInfo(leaf(certificate.pemChain()));
            info.fetch();
            return Renewal.inWindow(
                    info.getSuggestedWindowStart(),
                    info.getSuggestedWindowEnd(),
                    ThreadLocalRandom.current().nextDouble(),
                    clock.instant(),
                    certificate.notAfter());
        } catch (AcmeException | IssuanceException | RuntimeException e) {
            LOG.warn(
                    "acme: no renewal information for {} from {} ({}); renewing when a third of its lifetime is left",
                    certificate.names(),
                    settings.directory(),
                    e.getMessage());
            return fallback;
        }
    }

    private List<String> checkNames(List<String> names) throws IssuanceException {
        Set<String> ordered = new LinkedHashSet<>();
        for (String name : names) {
            String checked;
            try {
                checked = AcmeSettings.hostName("name", name);
            } catch (IllegalArgumentException e) {
                throw new IssuanceException(Reason.NAME_NOT_ALLOWED, e.getMessage(), e);
            }
            if (!allowedNames.contains(checked)) {
                throw new IssuanceException(
                        Reason.NAME_NOT_ALLOWED,
                        checked + " is not a name this origin orders certificates for " + allowedNames
                                + " (the site and acme.names); nothing was sent to the CA");
            }
            ordered.add(checked);
        }
        if (ordered.isEmpty()) {
            throw new IssuanceException(Reason.NAME_NOT_ALLOWED, "no name to order a certificate for");
        }
        return List.copyOf(ordered);
    }

    private Login login() throws AcmeException, IssuanceException {
        if (login.isEmpty()) {
            KeyPair key = AccountKeys.loadOrCreate(settings.accountKeyFile());
            AccountBuilder account =
                    new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
            settings.contact().ifPresent(account::addContact);
            login = Optional.of(account.createLogin(session));
            LOG.info("acme: account {} at {}", login.get().getAccountLocation(), settings.directory());
        }
        return login.get();
    }

    /**
     * Proves control of every name the CA has not already granted, in the order the names were
     * given (the site's first), and removes the records again.
     */
    private void authorize(Order order, List<String> ordered) throws AcmeException, IssuanceException {
        List<Authorization> authorizations = new ArrayList<>(order.getAuthorizations());
        authorizations.sort(Comparator.comparingInt(a -> {
            int index = ordered.indexOf(a.getIdentifier().getDomain());
            return index < 0 ? Integer.MAX_VALUE : index;
        }));
        List<Dns01Challenge> challenges = new ArrayList<>();
        List<String> domains = new ArrayList<>();
        try (ChallengeProof proof = new ChallengeProof(records)) {
            for (Authorization authorization : authorizations) {
                String domain = authorization.getIdentifier().getDomain();
                if (authorization.getStatus() == Status.VALID) {
                    LOG.debug("acme: {} is already authorized", domain);
                    continue;
                }
                Dns01Challenge challenge = authorization
                        .findChallenge(Dns01Challenge.class)
                        .orElseThrow(() -> new IssuanceException(
                                Reason.CA_ERROR,
                                "the CA offers no dns-01 challenge for " + domain
                                        + "; XenoService proves control of names by DNS only"));
                proof.publish(domain, challenge.getDigest());
                challenges.add(challenge);
                domains.add(domain);
            }
            proof.awaitVisible(polling, waitTimeout);
            for (Dns01Challenge challenge : challenges) {
                challenge.trigger();
            }
            for (int i = 0; i < challenges.size(); i++) {
                awaitChallenge(challenges.get(i), domains.get(i));
            }
        }
    }

    private void awaitChallenge(Dns01Challenge challenge, String domain) throws IssuanceException {
        String recordName = ChallengeRecords.CHALLENGE_LABEL + "." + domain;
        boolean decided = polling.await(waitTimeout, () -> {
            if (decided(challenge.getStatus())) {
                return Polling.Look.DONE;
            }
            Optional<Instant> retryAfter = fetch(() -> challenge.fetch(), "learn the CA's verdict on " + recordName);
            return decided(challenge.getStatus()) ? Polling.Look.DONE : Polling.Look.notYet(retryAfter);
        });
        if (!decided) {
            throw AcmeFailures.timedOut("the CA to check the TXT record " + recordName, waitTimeout);
        }
        if (challenge.getStatus() == Status.INVALID) {
            throw AcmeFailures.challengeInvalid(recordName, challenge.getError());
        }
        LOG.debug("acme: the CA accepted {}", recordName);
    }

    private void awaitOrder(Order order, List<String> names) throws IssuanceException {
        boolean decided = polling.await(waitTimeout, () -> {
            Optional<Instant> retryAfter =
                    fetch(() -> order.fetch(), "learn whether the order for " + names + " is done");
            return decided(order.getStatus()) ? Polling.Look.DONE : Polling.Look.notYet(retryAfter);
        });
        if (!decided) {
            throw AcmeFailures.timedOut("the CA to issue the certificate for " + names, waitTimeout);
        }
        if (order.getStatus() == Status.INVALID) {
            throw AcmeFailures.orderInvalid(names, order.getError());
        }
    }

    private static boolean decided(Status status) {
        return status == Status.VALID || status == Status.INVALID;
    }

    /** One fetch of a resource's state, with acme4j's failure worded. */
    @FunctionalInterface
    private interface Fetch {
        Optional<Instant> run() throws AcmeException;
    }

    private Optional<Instant> fetch(Fetch fetch, String what) throws IssuanceException {
        try {
            return fetch.run();
        } catch (AcmeException e) {
            throw failures.of(e, what);
        } catch (AcmeLazyLoadingException | AcmeProtocolException e) {
            throw failures.of(e, what);
        }
    }

    private static IssuedCertificate download(Order order, CertificateRequest request, List<String> names)
            throws AcmeException, IssuanceException {
        Certificate certificate = order.getCertificate();
        certificate.download();
        List<X509Certificate> chain = certificate.getCertificateChain();
        if (chain.isEmpty()) {
            throw new IssuanceException(Reason.CA_ERROR, "the CA sent an empty certificate chain for " + names);
        }
        X509Certificate leaf = chain.get(0);
        if (!Arrays.equals(leaf.getPublicKey().getEncoded(), request.publicKeyInfo())) {
            throw new IssuanceException(
                    Reason.CA_ERROR,
                    "the CA issued a certificate for " + names + " whose key is not the request's; it was not used");
        }
        StringWriter pem = new StringWriter();
        try {
            certificate.writeCertificate(pem);
        } catch (IOException e) {
            throw new IssuanceException(Reason.CA_ERROR, "cannot write the certificate chain as PEM", e);
        }
        return new IssuedCertificate(
                pem.toString(),
                names,
                leaf.getNotBefore().toInstant(),
                leaf.getNotAfter().toInstant());
    }

    private static X509Certificate leaf(String pemChain) throws IssuanceException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pemChain.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IssuanceException(Reason.BAD_REQUEST, "the certificate chain is not PEM: " + e.getMessage(), e);
        }
    }
}
