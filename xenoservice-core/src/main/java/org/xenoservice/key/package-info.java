/**
 * A site's Ed25519 signing keys, used by both sides: generated, saved and loaded as PEM with the
 * JDK alone. The private key signs bundles and control calls at the origin; peers pin the public key.
 */
package org.xenoservice.key;
