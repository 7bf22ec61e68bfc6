/**
 * The origin side of replication: the {@link org.xenoservice.replicate.Replicator} keeps the
 * configured peers staged with the site's current bundle, activates them in waves when the
 * overload detector fires, adds them to the site's DNS name, and withdraws them when the flood has
 * passed. Its state is visible as a {@link org.xenoservice.replicate.ReplicationStatus}. Inside,
 * one package-private type per job: the phase machine, the bundle stager, the DNS reconciler (the
 * one record of what is in the name), the rate poller, and the calls to peers through the
 * {@code PeerLink} seam, which unit tests replace with fakes.
 */
package org.xenoservice.replicate;
