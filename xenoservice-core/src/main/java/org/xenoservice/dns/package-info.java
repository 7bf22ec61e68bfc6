/**
 * Adding peer hosts to a site's DNS name and withdrawing them, from the origin: RFC 2136 dynamic
 * updates signed with TSIG, sent to the zone's primary server. {@link org.xenoservice.dns.DnsUpdater}
 * is the seam the replicator uses; {@link org.xenoservice.dns.Rfc2136DnsUpdater} is its implementation
 * on dnsjava, whose types never appear in this package's public API. It also writes the
 * {@code _acme-challenge} TXT records of ACME DNS-01 ({@link org.xenoservice.dns.ChallengeRecords}).
 */
package org.xenoservice.dns;
