/**
 * The portable site bundle, format {@code xenoservice-bundle/1}: a tar of a signed manifest and
 * content-addressed blobs. {@link org.xenoservice.bundle.BundleBuilder} packs a
 * {@link org.xenoservice.bundle.StaticSource}; {@link org.xenoservice.bundle.BundleReader}
 * verifies a bundle from an untrusted peer or file, rule by rule, into a
 * {@link org.xenoservice.bundle.BlobStore}.
 */
package org.xenoservice.bundle;
