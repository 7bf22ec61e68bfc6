/**
 * The peer host's serving port on Undertow: {@link org.xenoservice.peer.server.SiteHandler} answers
 * requests for the sites a peer replicates, by {@code Host} header, from each site's active
 * bundle, with the caching, conditional, range and gzip behaviour of a good static server.
 * {@link org.xenoservice.peer.server.BlobCache} keeps the hot small blobs in memory.
 */
package org.xenoservice.peer.server;
