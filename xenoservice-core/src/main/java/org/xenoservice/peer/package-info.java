/**
 * The peer host, independent of any web server: which sites this peer serves and which version of
 * each is active ({@link org.xenoservice.peer.PeerSites}), the control port's handling of signed
 * calls ({@link org.xenoservice.peer.ControlProtocol}), each site's own TLS key and certificate, chosen
 * by SNI ({@link org.xenoservice.peer.SiteCertificates}), per-site accounting and quotas, and the
 * forwarding of captured requests to each site's origin ({@link org.xenoservice.peer.Captures}).
 * Only a peer host uses it; {@code xenoservice-peer} puts it on the network.
 */
package org.xenoservice.peer;
