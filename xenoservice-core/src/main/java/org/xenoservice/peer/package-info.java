/**
 * The peer host's side of replication, independent of any web server: which sites this peer
 * serves and which version of each is active, the signed control protocol site owners push
 * bundles with, per-site accounting and quotas. {@code xenoservice-peer} puts it on the network.
 */
package org.xenoservice.peer;
