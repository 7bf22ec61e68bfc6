/**
 * HTTPS certificates for a site's peers, from an ACME CA (RFC 8555) with DNS-01 challenges that the
 * origin writes with the site's own TSIG key: {@link org.xenoservice.acme.AcmeIssuer} turns a peer's
 * certificate request into a certificate chain, so that the key never leaves the peer that made it.
 * Runs on the origin.
 */
package org.xenoservice.acme;
