/**
 * The portable site bundle, format {@code xenoservice-bundle/1}, used by both sides: a tar of a
 * signed manifest and content-addressed blobs. At the origin {@link org.xenoservice.bundle.BundleBuilder}
 * packs a {@link org.xenoservice.bundle.StaticSource}; on a peer host {@link org.xenoservice.bundle.BundleReader}
 * verifies a bundle from an untrusted sender, rule by rule, into a {@link org.xenoservice.bundle.BlobStore}.
 */
package org.xenoservice.bundle;
