package org.xenoservice.replicate;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A bundle the {@link BundleStager} built from the site's static source. Immutable.
 *
 * @param version the bundle's version
 * @param file where it lies, in the bundle directory
 * @param builtAt when it was built
 */
record BuiltBundle(long version, Path file, Instant builtAt) {}
