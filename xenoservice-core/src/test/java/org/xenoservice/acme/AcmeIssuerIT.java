package org.xenoservice.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xenoservice.acme.IssuanceException.Reason;
import org.xenoservice.dns.BindServer;
import org.xenoservice.dns.ChallengeRecords;
import org.xenoservice.dns.DnsUpdateException;
import org.xenoservice.dns.Rfc2136DnsUpdater;

/**
 * {@link AcmeIssuer} against a real pebble that checks its DNS-01 challenges on a real BIND, where
 * the issuer writes them with RFC 2136 and TSIG; TLS to pebble is verified for real.
 */
class AcmeIssuerIT {
    private static final String SITE = BindServer.ACME_SITE;
    private static final String WWW = "www." + SITE;

    @RegisterExtension
    static final PebbleServerExtension CA = new PebbleServerExtension();

    @TempDir
    Path state;

    @Test
    void issuesACertificateForTheSiteAndItsWwwNameFromThePeersRequest() throws Exception {
        KeyPair peerKey = TestCertificateAuthority.newKey();
        byte[] csr = TestCertificateAuthority.certificateRequest(peerKey, List.of(SITE, WWW));
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            IssuedCertificate issued = issuer(dns, settings()).issue(List.of(SITE, WWW), csr);

            List<X509Certificate> chain = parse(issued.pemChain());
            assertTrue(chain.size() >= 2, "leaf and intermediate: " + chain.size());
            verifiesUpTo(CA.pebble().issuingRoot(), chain);
            X509Certificate leaf = chain.get(0);
            assertEquals(Set.of(SITE, WWW), dnsNames(leaf));
            assertArrayEquals(
                    peerKey.getPublic().getEncoded(), leaf.getPublicKey().getEncoded());
            assertEquals(List.of(SITE, WWW), issued.names());
            assertEquals(leaf.getNotAfter().toInstant(), issued.notAfter());
            assertEquals(leaf.getNotBefore().toInstant(), issued.notBefore());
            assertEquals(Set.of(), txt(SITE), "challenge records are removed");
            assertEquals(Set.of(), txt(WWW), "challenge records are removed");
        }
    }

    @Test
    void keepsTheAccountKeyOwnerOnlyAndUsesItAgain() throws Exception {
        Path keyFile = state.resolve("acme-account.key");
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            issuer(dns, settings()).issue(List.of(SITE), request(SITE));
            byte[] key = Files.readAllBytes(keyFile);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
            assertTrue(new String(key, StandardCharsets.US_ASCII).contains("PRIVATE KEY"));

            IssuedCertificate again = issuer(dns, settings()).issue(List.of(WWW), request(WWW));
            assertEquals(List.of(WWW), again.names());
            assertArrayEquals(key, Files.readAllBytes(keyFile), "the same account key, not a new one");
        }
    }

    @Test
    void renewsWhenAThirdOfTheLifetimeIsLeftFromACaWithoutRenewalInformation() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            AcmeIssuer issuer = issuer(dns, settings());
            IssuedCertificate issued = issuer.issue(List.of(SITE), request(SITE));
            assertEquals(issued.notAfter().minus(issued.lifetime().dividedBy(3)), issuer.renewalTime(issued));
        }
    }

    @Test
    void aDnsServerRefusingTheTxtRecordIsAClearErrorNamingTheUpdatePolicyLine() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.WWW_ONLY_KEY, SITE, WWW)) {
            IssuanceException e = assertThrows(
                    IssuanceException.class,
                    () -> issuer(dns, settings()).issue(List.of(SITE, WWW), request(SITE, WWW)));
            assertEquals(Reason.DNS_REFUSED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("update-policy"), e.getMessage());
            assertTrue(
                    e.getMessage()
                            .matches(".*grant xeno-www-only name _acme-challenge\\.(www\\.)?" + SITE.replace(".", "\\.")
                                    + "\\. TXT;.*"),
                    e.getMessage());
            assertEquals(Set.of(), txt(SITE));
            assertEquals(Set.of(), txt(WWW));
        }
    }

    @Test
    void aRefusalHalfwayRemovesTheRecordsAlreadyWritten() throws Exception {
        String shop = "shop." + BindServer.ZONE; // in the zone, but ACME_KEY may not write its challenge
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, shop)) {
            Recording records = new Recording(dns);
            AcmeIssuer issuer = AcmeIssuer.builder()
                    .settings(settings().withExtraNames(List.of(shop)))
                    .site(SITE)
                    .challengeRecords(records)
                    .build();
            IssuanceException e =
                    assertThrows(IssuanceException.class, () -> issuer.issue(List.of(SITE, shop), request(SITE, shop)));
            assertEquals(Reason.DNS_REFUSED, e.reason(), e.getMessage());
            assertTrue(
                    e.getMessage().contains("grant xeno-acme name _acme-challenge." + shop + ". TXT;"), e.getMessage());
            assertTrue(records.calls.contains("add " + SITE), "the site's record was written first: " + records.calls);
            assertTrue(records.calls.contains("remove " + SITE), "and removed again: " + records.calls);
            assertEquals(Set.of(), txt(SITE));
        }
    }

    @Test
    void aCaThatIsDownIsAClearErrorAndTouchesNoRecord() throws Exception {
        URI dead = URI.create("https://localhost:" + deadPort() + "/dir");
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            Recording records = new Recording(dns);
            AcmeIssuer issuer = AcmeIssuer.builder()
                    .settings(AcmeSettings.of(dead, state.resolve("acme-account.key"))
                            .withTrust(List.of(CA.pebble().apiTrust())))
                    .site(SITE)
                    .challengeRecords(records)
                    .networkTimeout(Duration.ofSeconds(2))
                    .build();
            IssuanceException e =
                    assertThrows(IssuanceException.class, () -> issuer.issue(List.of(SITE), request(SITE)));
            assertEquals(Reason.CA_UNREACHABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains(dead.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("is the CA up"), e.getMessage());
            assertEquals(List.of(), records.calls);
        }
    }

    @Test
    void aCaWhoseTlsCertificateIsNotTrustedIsNotTalkedTo() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            AcmeSettings untrusted = AcmeSettings.of(CA.pebble().directory(), state.resolve("acme-account.key"));
            IssuanceException e = assertThrows(
                    IssuanceException.class, () -> issuer(dns, untrusted).issue(List.of(SITE), request(SITE)));
            assertEquals(Reason.CA_UNREACHABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("acme.trust-file"), e.getMessage());
        }
    }

    @Test
    void aTlsCertificateForAnotherHostNameIsRefused() throws Exception {
        // the same server, trusted chain, but its certificate names localhost, not 127.0.0.1
        URI otherName = URI.create(CA.pebble().directory().toString().replace("localhost", "127.0.0.1"));
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            AcmeSettings settings = AcmeSettings.of(otherName, state.resolve("acme-account.key"))
                    .withTrust(List.of(CA.pebble().apiTrust()));
            IssuanceException e = assertThrows(
                    IssuanceException.class, () -> issuer(dns, settings).issue(List.of(SITE), request(SITE)));
            assertEquals(Reason.CA_UNREACHABLE, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("host name"), e.getMessage());
        }
    }

    @Test
    void aRequestForANameOutsideTheSiteIsRefusedBeforeAnythingIsSent() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            Recording records = new Recording(dns);
            AcmeIssuer issuer = AcmeIssuer.builder()
                    .settings(settings())
                    .site(SITE)
                    .challengeRecords(records)
                    .build();
            IssuanceException outside = assertThrows(
                    IssuanceException.class,
                    () -> issuer.issue(List.of("books.elsewhere.example"), request("books.elsewhere.example")));
            assertEquals(Reason.NAME_NOT_ALLOWED, outside.reason(), outside.getMessage());
            assertTrue(outside.getMessage().contains("books.elsewhere.example"), outside.getMessage());

            IssuanceException mismatch = assertThrows(
                    IssuanceException.class,
                    () -> issuer.issue(List.of(SITE), request(SITE, "books.elsewhere.example")));
            assertEquals(Reason.BAD_REQUEST, mismatch.reason(), mismatch.getMessage());
            assertEquals(List.of(), records.calls);
            assertTrue(Files.notExists(state.resolve("acme-account.key")), "not even an account was made");
        }
    }

    @Test
    void aConfiguredNameOutsideTheZoneIsAClearDnsError() throws Exception {
        String elsewhere = "books.elsewhere.example";
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, elsewhere)) {
            AcmeIssuer issuer = AcmeIssuer.builder()
                    .settings(settings().withExtraNames(List.of(elsewhere)))
                    .site(SITE)
                    .challengeRecords(dns)
                    .build();
            IssuanceException e = assertThrows(
                    IssuanceException.class, () -> issuer.issue(List.of(SITE, elsewhere), request(SITE, elsewhere)));
            assertEquals(Reason.DNS_FAILED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("_acme-challenge." + elsewhere), e.getMessage());
            assertEquals(Set.of(), txt(SITE));
        }
    }

    @Test
    void aWrongRecordMakesTheChallengeInvalidWithTheCasReason() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            ChallengeRecords wrong = new ChallengeRecords() {
                @Override
                public void addChallenge(String name, String value) throws DnsUpdateException {
                    dns.addChallenge(name, "not-" + value);
                }

                @Override
                public void removeChallenge(String name, String value) throws DnsUpdateException {
                    dns.removeChallenge(name, "not-" + value);
                }

                @Override
                public Set<String> challengeValues(String name) throws DnsUpdateException {
                    Set<String> values = new HashSet<>();
                    dns.challengeValues(name).forEach(v -> values.add(v.replaceFirst("^not-", "")));
                    return values;
                }
            };
            AcmeIssuer issuer = AcmeIssuer.builder()
                    .settings(settings())
                    .site(SITE)
                    .challengeRecords(wrong)
                    .build();
            IssuanceException e =
                    assertThrows(IssuanceException.class, () -> issuer.issue(List.of(SITE), request(SITE)));
            assertEquals(Reason.CHALLENGE_INVALID, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("_acme-challenge." + SITE), e.getMessage());
            assertTrue(e.getMessage().contains("urn:ietf:params:acme:error:"), "the CA's problem: " + e.getMessage());
            assertEquals(Set.of(), txt(SITE));
        }
    }

    @Test
    void aPrimaryThatNeverAnswersTheRecordTimesOutAndTheRecordIsRemoved() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            Recording silent = new Recording(dns) {
                @Override
                public Set<String> challengeValues(String name) {
                    return Set.of();
                }
            };
            AcmeIssuer issuer = AcmeIssuer.builder()
                    .settings(settings())
                    .site(SITE)
                    .challengeRecords(silent)
                    .waitTimeout(Duration.ofMillis(700))
                    .build();
            IssuanceException e =
                    assertThrows(IssuanceException.class, () -> issuer.issue(List.of(SITE), request(SITE)));
            assertEquals(Reason.TIMEOUT, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("primary"), e.getMessage());
            assertEquals(List.of("add " + SITE, "remove " + SITE), silent.calls);
            assertEquals(Set.of(), txt(SITE));
        }
    }

    /** Records which names challenges were written for and removed from, passing the calls on. */
    private static class Recording implements ChallengeRecords {
        final List<String> calls = new ArrayList<>();
        private final ChallengeRecords delegate;

        Recording(ChallengeRecords delegate) {
            this.delegate = delegate;
        }

        @Override
        public void addChallenge(String name, String value) throws DnsUpdateException {
            delegate.addChallenge(name, value);
            calls.add("add " + name);
        }

        @Override
        public void removeChallenge(String name, String value) throws DnsUpdateException {
            delegate.removeChallenge(name, value);
            calls.add("remove " + name);
        }

        @Override
        public Set<String> challengeValues(String name) throws DnsUpdateException {
            return delegate.challengeValues(name);
        }
    }

    private AcmeSettings settings() {
        return AcmeSettings.of(CA.pebble().directory(), state.resolve("acme-account.key"))
                .withContact(URI.create("mailto:owner@" + SITE))
                .withExtraNames(List.of(WWW))
                .withTrust(List.of(CA.pebble().apiTrust()));
    }

    private static AcmeIssuer issuer(ChallengeRecords records, AcmeSettings settings) {
        return AcmeIssuer.builder()
                .settings(settings)
                .site(SITE)
                .challengeRecords(records)
                .build();
    }

    private static Rfc2136DnsUpdater updater(String key, String... names) {
        return updater(b -> b.tsig(CA.bind().key(key)), names);
    }

    private static Rfc2136DnsUpdater updater(Consumer<Rfc2136DnsUpdater.Builder> settings, String... names) {
        Rfc2136DnsUpdater.Builder builder =
                Rfc2136DnsUpdater.builder().server(CA.bind().server()).manage(names);
        settings.accept(builder);
        return builder.build();
    }

    private static byte[] request(String... names) {
        return TestCertificateAuthority.certificateRequest(TestCertificateAuthority.newKey(), List.of(names));
    }

    /** The TXT values at {@code _acme-challenge.<name>}, asked of BIND directly, unsigned. */
    private static Set<String> txt(String name) throws IOException {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), CA.bind().port()));
        resolver.setTimeout(Duration.ofSeconds(2));
        Name owner = Name.fromString("_acme-challenge." + name + ".");
        Message answer = resolver.send(Message.newQuery(Record.newRecord(owner, Type.TXT, DClass.IN)));
        Set<String> values = new HashSet<>();
        for (Record record : answer.getSection(Section.ANSWER)) {
            if (record instanceof TXTRecord txt) {
                values.add(String.join("", txt.getStrings()));
            }
        }
        return values;
    }

    private static List<X509Certificate> parse(String pem) throws Exception {
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        for (var certificate :
                factory.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            chain.add((X509Certificate) certificate);
        }
        return chain;
    }

    private static void verifiesUpTo(X509Certificate root, List<X509Certificate> chain) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
    }

    private static Set<String> dnsNames(X509Certificate certificate) throws Exception {
        Set<String> names = new HashSet<>();
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
            if ((Integer) name.get(0) == 2) {
                names.add((String) name.get(1));
            }
        }
        return names;
    }

    private static int deadPort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        }
    }
}
