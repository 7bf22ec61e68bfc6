package org.xenoservice.peer;

import java.util.List;
import java.util.OptionalLong;

/**
 * A site's state on a peer, as the control port's {@code status} call reports it.
 *
 * @param site the host name
 * @param activeVersion the version served, empty when none is
 * @param activeManifestSha256 the SHA-256 of the active manifest, empty when none is served
 * @param versions the versions the peer holds (staged or active), ascending
 * @param storedBytes the bytes of the site's blobs in the store
 * @param quota the site's quota
 */
public record SiteStatus(String site, OptionalLong activeVersion, java.util.Optional<String> activeManifestSha256,
    List<Long> versions, long storedBytes, SiteQuota quota) {
  /** Copies the list. */
  public SiteStatus {
    versions = List.copyOf(versions);
  }
}
