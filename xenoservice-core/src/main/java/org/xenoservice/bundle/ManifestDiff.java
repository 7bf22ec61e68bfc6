package org.xenoservice.bundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What changed between two versions of a site: the paths added, changed and removed. A path is
 * changed when its content (digest) or one of the headers a replica serves it with
 * ({@code Content-Type}, {@code Cache-Control}) differs; a new modification time alone does not
 * count, since the bytes a client receives are the same.
 *
 * <pre>{@code
 * ManifestDiff diff = ManifestDiff.between(v1, v2);
 * diff.changed().forEach(path -> System.out.println("M " + path));
 * }</pre>
 *
 * @param added paths only in the newer manifest, sorted
 * @param changed paths in both whose content or serving headers differ, sorted
 * @param removed paths only in the older manifest, sorted
 * @param unchanged how many paths are the same in both
 * @param addedOrChangedBytes identity bytes of the added and changed files in the newer manifest
 */
public record ManifestDiff(
        List<String> added, List<String> changed, List<String> removed, int unchanged, long addedOrChangedBytes) {

    /** Copies the lists. */
    public ManifestDiff {
        added = List.copyOf(added);
        changed = List.copyOf(changed);
        removed = List.copyOf(removed);
    }

    /** Compares {@code older} with {@code newer}, in that direction. */
    public static ManifestDiff between(Manifest older, Manifest newer) {
        Objects.requireNonNull(older, "older");
        Objects.requireNonNull(newer, "newer");
        Map<String, ManifestFile> before = index(older);
        Map<String, ManifestFile> after = index(newer);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        int unchanged = 0;
        long bytes = 0;
        for (ManifestFile file : after.values()) {
            ManifestFile previous = before.get(file.path());
            if (previous == null) {
                added.add(file.path());
                bytes += file.size();
            } else if (servedDifferently(previous, file)) {
                changed.add(file.path());
                bytes += file.size();
            } else {
                unchanged++;
            }
        }
        for (String path : before.keySet()) {
            if (!after.containsKey(path)) {
                removed.add(path);
            }
        }
        return new ManifestDiff(added, changed, removed, unchanged, bytes);
    }

    /** True when nothing was added, changed or removed. */
    public boolean isEmpty() {
        return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }

    private static Map<String, ManifestFile> index(Manifest manifest) {
        Map<String, ManifestFile> byPath = new TreeMap<>();
        for (ManifestFile file : manifest.files()) {
            byPath.put(file.path(), file);
        }
        return byPath;
    }

    private static boolean servedDifferently(ManifestFile a, ManifestFile b) {
        return !a.sha256().equals(b.sha256())
                || !a.contentType().equals(b.contentType())
                || !a.cacheControl().equals(b.cacheControl());
    }
}
