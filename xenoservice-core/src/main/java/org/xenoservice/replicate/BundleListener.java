package org.xenoservice.replicate;

import java.nio.file.Path;

/**
 * Told of every bundle the replicator builds, so that the origin can use the site's current files
 * as its peers will serve them (XenoService answers them from memory while overloaded). Called on
 * the replicator's own thread ({@code xeno-replicator}), never on a request thread, once per bundle
 * in version order; it must return quickly and hand any real work (reading the file) to a thread
 * of its own, or it delays the replicator's decisions. A listener that throws is logged and the
 * replicator carries on.
 *
 * <p>The file is the bundle's own, signed by the site's key; it stays until the next bundle is
 * built and no push reads it any more, so a listener that reads it late must expect
 * {@link java.nio.file.NoSuchFileException} and wait for the newer bundle it was told of.
 */
@FunctionalInterface
public interface BundleListener {
    /**
     * A new bundle is the site's current one.
     *
     * @param version the bundle's version, larger than any told before
     * @param file where the bundle lies, in the replicator's bundle directory
     */
    void bundleBuilt(long version, Path file);
}
