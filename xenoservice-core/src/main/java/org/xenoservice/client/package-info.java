/**
 * The origin's client of peer hosts: {@link org.xenoservice.client.PeerClient} signs and sends the
 * control calls (which blobs are missing, upload, activate, retire, status) to one peer's control
 * port. The replicator and the {@code xenoservice peer} commands use it; peer hosts never do.
 */
package org.xenoservice.client;
