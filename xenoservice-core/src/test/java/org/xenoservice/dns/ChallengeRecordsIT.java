package org.xenoservice.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.xenoservice.dns.DnsUpdateException.Reason;

/**
 * {@link Rfc2136DnsUpdater} as {@link ChallengeRecords}, against a real BIND 9 with the
 * update-policy README.md advises for ACME DNS-01 ({@link BindServer#ACME_KEY}).
 */
class ChallengeRecordsIT {
    private static final String SITE = BindServer.ACME_SITE;
    private static final String WWW = "www." + SITE;
    private static final String VALUE = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";

    @RegisterExtension
    static final BindServerExtension BIND = new BindServerExtension();

    private static Rfc2136DnsUpdater updater(String key, String... names) {
        return Rfc2136DnsUpdater.builder()
                .server(BIND.server().server())
                .tsig(BIND.server().key(key))
                .manage(names)
                .build();
    }

    @Test
    void writesAChallengeThePrimaryAnswersAndRemovesIt() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            dns.addChallenge(SITE, VALUE);
            assertEquals(Set.of(VALUE), dns.challengeValues(SITE));
            assertEquals(Set.of(), dns.challengeValues(WWW), "only the name it was written for");
            dns.removeChallenge(SITE, VALUE);
            assertEquals(Set.of(), dns.challengeValues(SITE));
        }
    }

    @Test
    void addingTwiceAndRemovingWhatIsAbsentAreNotErrors() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            dns.addChallenge(WWW, VALUE);
            dns.addChallenge(WWW, VALUE);
            assertEquals(Set.of(VALUE), dns.challengeValues(WWW));
            dns.removeChallenge(WWW, VALUE);
            dns.removeChallenge(WWW, VALUE);
            assertEquals(Set.of(), dns.challengeValues(WWW));
        }
    }

    @Test
    void removingOneValueKeepsTheOthers() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE, WWW)) {
            dns.addChallenge(SITE, VALUE);
            dns.addChallenge(SITE, "another-value");
            assertEquals(Set.of(VALUE, "another-value"), dns.challengeValues(SITE));
            dns.removeChallenge(SITE, VALUE);
            assertEquals(Set.of("another-value"), dns.challengeValues(SITE));
            dns.removeChallenge(SITE, "another-value");
        }
    }

    @Test
    void aRefusedChallengeNamesTheUpdatePolicyLineToAdd() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.WWW_ONLY_KEY, "www." + BindServer.ZONE)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.addChallenge("www." + BindServer.ZONE, VALUE));
            assertEquals(Reason.REFUSED, e.reason());
            assertTrue(e.getMessage().contains("update-policy of zone " + BindServer.ZONE + "."), e.getMessage());
            assertTrue(
                    e.getMessage()
                            .contains("grant " + BindServer.WWW_ONLY_KEY + " name _acme-challenge.www."
                                    + BindServer.ZONE + ". TXT;"),
                    e.getMessage());
            assertEquals(Set.of(), dns.challengeValues("www." + BindServer.ZONE));
        }
    }

    @Test
    void aRefusedAddressChangeNamesItsUpdatePolicyLineToo() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, "shop." + BindServer.ZONE)) {
            DnsUpdateException e = assertThrows(
                    DnsUpdateException.class,
                    () -> dns.add("shop." + BindServer.ZONE, List.of(InetAddress.getByName("192.0.2.1"))));
            assertEquals(Reason.REFUSED, e.reason());
            assertTrue(
                    e.getMessage()
                            .contains("grant " + BindServer.ACME_KEY + " name shop." + BindServer.ZONE + ". A AAAA;"),
                    e.getMessage());
        }
    }

    @Test
    void aNameTheUpdaterDoesNotManageIsRefusedBeforeSending() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE)) {
            DnsUpdateException e =
                    assertThrows(DnsUpdateException.class, () -> dns.addChallenge("other." + BindServer.ZONE, VALUE));
            assertEquals(Reason.NAME_NOT_MANAGED, e.reason());
            assertEquals(0, dns.metrics().messagesSent());
        }
    }

    @Test
    void aValueThatIsNotVisibleAsciiIsRefusedBeforeSending() throws Exception {
        try (Rfc2136DnsUpdater dns = updater(BindServer.ACME_KEY, SITE)) {
            assertThrows(IllegalArgumentException.class, () -> dns.addChallenge(SITE, "two words"));
            assertThrows(IllegalArgumentException.class, () -> dns.addChallenge(SITE, ""));
            assertEquals(0, dns.metrics().messagesSent());
        }
    }
}
