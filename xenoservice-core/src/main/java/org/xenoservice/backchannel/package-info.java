/**
 * The origin's end of its peers' back-channel: {@link org.xenoservice.backchannel.BackChannelGuard}
 * verifies that a request claiming to come from a peer (proxied, or a captured request's delivery)
 * is signed by a peer whose key the origin pins, fresh and not replayed, with the body it signed;
 * adapters call it before anything reaches the application or the intake. Only the origin uses it.
 */
package org.xenoservice.backchannel;
