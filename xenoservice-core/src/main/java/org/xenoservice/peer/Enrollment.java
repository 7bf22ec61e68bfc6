package org.xenoservice.peer;

import java.security.PublicKey;
import java.util.Locale;
import java.util.Objects;

/**
 * A site a peer's operator agreed to host: its host name, the public key its bundles and control
 * calls must be signed with, and its quota. Nothing that is not enrolled is accepted.
 *
 * @param site the host name, lower case
 * @param key the site's pinned Ed25519 public key
 * @param quota what the site may use
 */
public record Enrollment(String site, PublicKey key, SiteQuota quota) {
  /** Lower-cases the site and checks nothing is null. */
  public Enrollment {
    site = Objects.requireNonNull(site, "site").toLowerCase(Locale.ROOT);
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(quota, "quota");
  }
}
