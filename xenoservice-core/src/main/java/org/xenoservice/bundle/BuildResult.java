package org.xenoservice.bundle;

/**
 * What {@link BundleBuilder#build} wrote.
 *
 * @param manifest the signed manifest
 * @param blobsCarried how many blobs the bundle carries (fewer than the site has, for a delta)
 * @param carriedBytes stored bytes of the carried blobs
 * @param bundleBytes bytes written, the whole bundle
 */
public record BuildResult(Manifest manifest, int blobsCarried, long carriedBytes, long bundleBytes) {}
